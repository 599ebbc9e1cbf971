"""Attached documents: the Attachments panel of the quarter, query and answer, investment and
agreement pages, the attach and supersede forms, and downloads."""

from app.web.documents.views import bp

__all__ = ["bp"]
