"""Requests to reverse a ledger entry of a quarter whose fund report has been issued: they wait
for a second person (four eyes) and, once approved, link the reversing entry they wrote."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.codes import ReversalStatus
from app.domain.quarter import Quarter
from app.models.base import Base, CreatedAt, IntPK, QuarterType, UTCDateTime, coded
from app.models.funds import Fund, Movement
from app.models.investments import InvestmentTransaction
from app.models.issued_reports import IssuedReport
from app.models.users import User


class ReversalRequest(Base):
    """A reversal asked for by one user, decided (approved or rejected) by another.

    Exactly one of ``movement_id`` / ``transaction_id`` names the entry to reverse; once
    approved, the matching ``reversal_…_id`` names the reversing entry written then, which the
    next fund report marks as a restatement of ``restated_quarter``."""

    __tablename__ = "reversal_requests"
    __table_args__ = (
        CheckConstraint("(movement_id IS NULL) <> (transaction_id IS NULL)",
                        name="one_entry"),
        CheckConstraint("status <> 'APPROVED' OR reversal_movement_id IS NOT NULL "
                        "OR reversal_transaction_id IS NOT NULL", name="approved_has_entry"),
    )

    id: Mapped[IntPK]
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("movements.id"), index=True)
    transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("investment_transactions.id"), index=True)
    reversed_on: Mapped[dt.date]
    reason: Mapped[str] = mapped_column(String(500))
    restated_quarter: Mapped[Quarter] = mapped_column(QuarterType)
    issued_report_id: Mapped[int] = mapped_column(ForeignKey("issued_reports.id"))
    status: Mapped[ReversalStatus] = coded(ReversalStatus, default=ReversalStatus.PENDING)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    requested_at: Mapped[CreatedAt]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(String(500))
    reversal_movement_id: Mapped[int | None] = mapped_column(
        ForeignKey("movements.id"), unique=True)
    reversal_transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("investment_transactions.id"), unique=True)
    version: Mapped[int] = mapped_column(default=1)

    fund: Mapped[Fund] = relationship()
    movement: Mapped[Movement | None] = relationship(foreign_keys=[movement_id])
    transaction: Mapped[InvestmentTransaction | None] = relationship(
        foreign_keys=[transaction_id])
    reversal_movement: Mapped[Movement | None] = relationship(
        foreign_keys=[reversal_movement_id])
    reversal_transaction: Mapped[InvestmentTransaction | None] = relationship(
        foreign_keys=[reversal_transaction_id])
    issued_report: Mapped[IssuedReport] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def entry(self) -> Movement | InvestmentTransaction:
        """The ledger entry this request would reverse."""
        return self.movement if self.movement_id else self.transaction

    @property
    def reversing_entry(self) -> Movement | InvestmentTransaction | None:
        """The reversing entry written on approval (None until then)."""
        return self.reversal_movement or self.reversal_transaction

    @property
    def is_pending(self) -> bool:
        """Still waiting for a decision."""
        return self.status is ReversalStatus.PENDING
