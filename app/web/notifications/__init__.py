"""The inbox, the header's bell, the e-mail preference and the failed deliveries."""

from app.web.notifications.views import bp

__all__ = ["bp"]
