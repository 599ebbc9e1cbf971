"""Settlement of an agreement's fiscal years: runs, confirmations, notices, the auditor's view."""

from app.web.settlement.views import bp

__all__ = ["bp"]
