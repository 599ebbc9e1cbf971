"""Investments: the append-only transaction ledger and valuations of one position."""

from app.web.investments.views import bp

__all__ = ["bp"]
