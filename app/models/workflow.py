"""The quarterly sign-off of an agreement: state, confirmations, reviews and frozen results."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.codes import QuarterState, ReviewKind
from app.domain.quarter import Quarter
from app.models.base import Base, CreatedAt, IntPK, QuarterType, ScaledDecimal, UTCDateTime, coded
from app.models.sharing import Agreement, AgreementParty
from app.models.users import User


class AgreementQuarter(Base):
    """One quarter of one agreement moving OPEN → SUBMITTED → CLOSED."""

    __tablename__ = "agreement_quarters"
    __table_args__ = (UniqueConstraint("agreement_id", "quarter"),)

    id: Mapped[IntPK]
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    quarter: Mapped[Quarter] = mapped_column(QuarterType)
    state: Mapped[QuarterState] = coded(QuarterState, default=QuarterState.OPEN)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    first_submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    """The first submission, kept when the quarter is reopened and submitted again: the one the
    timeliness figures count."""
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    statement_json: Mapped[str | None] = mapped_column(Text)
    reopen_reason: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(default=1)

    agreement: Mapped[Agreement] = relationship()
    submitted_by: Mapped[User | None] = relationship()
    confirmations: Mapped[list[Confirmation]] = relationship(
        back_populates="agreement_quarter", cascade="all, delete-orphan",
        order_by="Confirmation.id")
    reviews: Mapped[list[Review]] = relationship(
        back_populates="agreement_quarter", order_by="Review.id")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Confirmation(Base):
    """A party's confirmation of a submitted statement, with the fingerprint it saw."""

    __tablename__ = "confirmations"
    __table_args__ = (UniqueConstraint("agreement_quarter_id", "party_id"),)

    id: Mapped[IntPK]
    agreement_quarter_id: Mapped[int] = mapped_column(
        ForeignKey("agreement_quarters.id", ondelete="CASCADE"))
    party_id: Mapped[int] = mapped_column(ForeignKey("agreement_parties.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    confirmed_at: Mapped[CreatedAt]

    agreement_quarter: Mapped[AgreementQuarter] = relationship(back_populates="confirmations")
    party: Mapped[AgreementParty] = relationship()
    user: Mapped[User] = relationship()


class Review(Base):
    """An auditor's review of a statement: REVIEWED, or a QUERY until it is answered."""

    __tablename__ = "reviews"

    id: Mapped[IntPK]
    agreement_quarter_id: Mapped[int] = mapped_column(ForeignKey("agreement_quarters.id"),
                                                      index=True)
    kind: Mapped[ReviewKind] = coded(ReviewKind)
    comment: Mapped[str] = mapped_column(String(2000))
    auditor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[CreatedAt]
    answer: Mapped[str | None] = mapped_column(String(2000))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    agreement_quarter: Mapped[AgreementQuarter] = relationship(back_populates="reviews")
    auditor: Mapped[User] = relationship(foreign_keys=[auditor_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    @property
    def is_open_query(self) -> bool:
        """A query nobody has answered yet."""
        return self.kind is ReviewKind.QUERY and self.answer is None


class FrozenAllocation(Base):
    """At closing: a party's cumulative rounded allocation R and the cumulative total T of one
    (agreement, project, indicator), as printed on that quarter's statement. Never changed."""

    __tablename__ = "frozen_allocations"
    __table_args__ = (
        UniqueConstraint("agreement_id", "quarter", "project_id", "indicator_code", "party_id"),
    )

    id: Mapped[IntPK]
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    quarter: Mapped[Quarter] = mapped_column(QuarterType)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator_definitions.code"))
    party_id: Mapped[int] = mapped_column(ForeignKey("agreement_parties.id"))
    cumulative_rounded: Mapped[Decimal] = mapped_column(ScaledDecimal(4))
    cumulative_total: Mapped[Decimal] = mapped_column(ScaledDecimal(4))
    fingerprint: Mapped[str] = mapped_column(String(64))
