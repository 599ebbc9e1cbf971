"""Sign-in, sign-out and the user's own profile."""

from app.web.auth.views import bp

__all__ = ["bp"]
