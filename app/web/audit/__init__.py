"""The audit trail for auditors and administrators."""

from app.web.audit.views import bp

__all__ = ["bp"]
