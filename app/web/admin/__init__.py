"""Administration: users, roles and scopes."""

from app.web.admin.views import bp

__all__ = ["bp"]
