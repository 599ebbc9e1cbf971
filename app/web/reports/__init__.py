"""Quarterly PDF reports: draft downloads, issuing, the list of issued reports, their bytes."""

from app.web.reports.views import bp

__all__ = ["bp"]
