"""Deadlines of the quarterly cycle: the administrator's default days, an agreement's own days,
and lock exceptions."""

from app.web.deadlines.views import bp

__all__ = ["bp"]
