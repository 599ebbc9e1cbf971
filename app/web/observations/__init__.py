"""The list of observations in the user's scope."""

from app.web.observations.views import bp

__all__ = ["bp"]
