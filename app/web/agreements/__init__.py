"""Sharing agreements: drafting, rules, covered projects, observations and the statement."""

from app.web.agreements.views import bp

__all__ = ["bp"]
