"""Funds: register, LPs, capital movements, investments and the dashboard."""

from app.web.funds.views import bp

__all__ = ["bp"]
