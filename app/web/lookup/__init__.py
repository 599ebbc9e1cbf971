"""The pickers' search endpoints: /lookup/regions?q= and /lookup/industries?q= (JSON)."""

from app.web.lookup.views import bp

__all__ = ["bp"]
