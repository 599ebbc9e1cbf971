"""Funds: register, LPs, capital movements, investments and the dashboard."""

from app.web.funds.reversals import bp as reversals_bp
from app.web.funds.views import bp

bp.register_blueprint(reversals_bp)  # /funds/<id>/reversals: endpoints funds.reversals.*

__all__ = ["bp"]
