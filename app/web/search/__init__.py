"""The header's search box: /search?q= finds funds, projects, agreements, regions and users."""

from app.web.search.views import bp

__all__ = ["bp"]
