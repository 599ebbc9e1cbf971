"""Counters that are not business data: never audited, written with Core in the writer's
transaction.

``reference_counters`` numbers the references generated for ledger rows entered without one
(``<fund code>-M00001`` for movements, ``-T00001`` for investment transactions). Claiming a
number updates the fund's row, which the database locks until the transaction ends: concurrent
appends to one fund's ledger take turns for the number, never the same one.

``refusal_counters`` counts refused credentials per source (an address) and minute, so that
unauthenticated callers cannot grow the audit trail without limit (services/refusals.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class ReferenceCounter(Base):
    """The last number given to a generated reference of a fund's ledger."""

    __tablename__ = "reference_counters"

    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), primary_key=True)
    ledger: Mapped[str] = mapped_column(String(1), primary_key=True)
    """``M`` (movements) or ``T`` (investment transactions): the letter before the number."""
    last_number: Mapped[int]


class RefusalCounter(Base):
    """How many credentials one source had refused in one minute (UTC, the minute's start)."""

    __tablename__ = "refusal_counters"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(UTCDateTime, primary_key=True, index=True)
    refused: Mapped[int]
