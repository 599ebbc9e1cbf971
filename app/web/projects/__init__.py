"""Projects: the transferred enterprises, where from, where to and how."""

from app.web.projects.views import bp

__all__ = ["bp"]
