"""One quarter of an agreement: observations, the statement, sign-off, reviews, explanations."""

from app.web.statements.views import bp

__all__ = ["bp"]
