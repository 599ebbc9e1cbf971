"""Settlement of the money the statements decide: a run per agreement and fiscal year (never
edited; a correction makes a new version), the parties' confirmations, the superior department's
notices and the differences between what was due and what was booked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.codes import DifferenceReason, NoticeLevel, SettlementState
from app.models.base import Base, CreatedAt, IntPK, ScaledDecimal, UTCDateTime, coded
from app.models.reference import Region
from app.models.sharing import Agreement, AgreementParty
from app.models.users import User


class SettlementRun(Base):
    """One version of the settlement of an agreement's fiscal year (the calendar year), computed
    from the four closed quarters' frozen statements. ``data_json`` is the canonical JSON of what
    the parties confirm (lines, carried differences, totals, net, footing); ``fingerprint`` its
    SHA-256. Amounts inside are decimal text in the indicator's unit (元)."""

    __tablename__ = "settlement_runs"
    __table_args__ = (UniqueConstraint("agreement_id", "fiscal_year", "number"),)

    id: Mapped[IntPK]
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    fiscal_year: Mapped[int]
    number: Mapped[int]
    """The run's version: 1, 2, … per agreement and year."""
    state: Mapped[SettlementState] = coded(SettlementState, default=SettlementState.COMPUTED)
    fingerprint: Mapped[str] = mapped_column(String(64))
    data_json: Mapped[str] = mapped_column(Text)
    changes_json: Mapped[str] = mapped_column(Text, default="[]")
    """What changed against the previous version (empty for version 1)."""
    foots: Mapped[bool] = mapped_column(default=False)
    computed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    computed_at: Mapped[CreatedAt]
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    agreement: Mapped[Agreement] = relationship()
    computed_by: Mapped[User | None] = relationship()
    confirmations: Mapped[list[SettlementConfirmation]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="SettlementConfirmation.id")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class SettlementConfirmation(Base):
    """A party's bureau confirming a run, with the fingerprint it saw."""

    __tablename__ = "settlement_confirmations"
    __table_args__ = (UniqueConstraint("run_id", "party_id"),)

    id: Mapped[IntPK]
    run_id: Mapped[int] = mapped_column(ForeignKey("settlement_runs.id", ondelete="CASCADE"))
    party_id: Mapped[int] = mapped_column(ForeignKey("agreement_parties.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    confirmed_at: Mapped[CreatedAt]

    run: Mapped[SettlementRun] = relationship(back_populates="confirmations")
    party: Mapped[AgreementParty] = relationship()
    user: Mapped[User] = relationship()


class SettlementNotice(Base):
    """The superior finance department's settlement notice (结算通知) booking an amount from a
    payer to a payee for an agreement's fiscal year. Amount in 元, exact to the fen."""

    __tablename__ = "settlement_notices"
    __table_args__ = (UniqueConstraint("level", "number"),)

    id: Mapped[IntPK]
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    fiscal_year: Mapped[int]
    level: Mapped[NoticeLevel] = coded(NoticeLevel)
    number: Mapped[str] = mapped_column(String(100))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    payer_region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    payee_region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[CreatedAt]

    payer: Mapped[Region] = relationship(foreign_keys=[payer_region_id])
    payee: Mapped[Region] = relationship(foreign_keys=[payee_region_id])
    recorded_by: Mapped[User | None] = relationship()


class SettlementDifference(Base):
    """Booked minus due for one pair of an agreement's fiscal year, with its reason; open (carried
    into later runs) until an auditor resolves it with a note. Amounts in 元."""

    __tablename__ = "settlement_differences"
    __table_args__ = (UniqueConstraint("agreement_id", "fiscal_year", "payer_region_id",
                                       "payee_region_id", name="uq_settlement_differences_pair"),)

    id: Mapped[IntPK]
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    fiscal_year: Mapped[int]
    payer_region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    payee_region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    due: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    booked: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    """booked − due: negative when less was booked than was due."""
    reason: Mapped[DifferenceReason] = coded(DifferenceReason)
    opened_at: Mapped[CreatedAt]
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution_note: Mapped[str | None] = mapped_column(String(2000))
    version: Mapped[int] = mapped_column(default=1)

    payer: Mapped[Region] = relationship(foreign_keys=[payer_region_id])
    payee: Mapped[Region] = relationship(foreign_keys=[payee_region_id])
    resolved_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def is_open(self) -> bool:
        """Not resolved yet: carried into every later run."""
        return self.resolved_at is None
