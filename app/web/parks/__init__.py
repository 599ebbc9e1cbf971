"""Parks: the register of transfer parks and each park's page."""

from app.web.parks.views import bp

__all__ = ["bp"]
