"""One region's page: official figures, what it received and ceded under each agreement."""

from app.web.regions.views import bp

__all__ = ["bp"]
