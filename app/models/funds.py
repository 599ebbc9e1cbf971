"""Funds, their LP commitments and their capital movements (calls, distributions, fees)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.codes import FundClass, FundStatus, InvestorType, MovementType
from app.models.base import Base, CreatedAt, IntPK, Money, Name, coded
from app.models.reference import Region


class Fund(Base):
    """An industrial-transfer fund set up by a sponsoring government. Amounts in yuan."""

    __tablename__ = "funds"

    id: Mapped[IntPK]
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[Name]
    sponsor_region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    manager: Mapped[Name]
    fund_class: Mapped[FundClass] = coded(FundClass)
    vintage: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    target_size: Mapped[Money]
    term_start_on: Mapped[dt.date | None]
    term_end_on: Mapped[dt.date | None]
    status: Mapped[FundStatus] = coded(FundStatus, default=FundStatus.INVESTING)
    created_at: Mapped[CreatedAt]
    version: Mapped[int] = mapped_column(default=1)

    sponsor_region: Mapped[Region] = relationship()
    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="fund", order_by="Commitment.committed_on, Commitment.id"
    )
    movements: Mapped[list[Movement]] = relationship(
        back_populates="fund", order_by="Movement.moved_on, Movement.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        CheckConstraint("target_size >= 0", name="target_size_not_negative"),
        CheckConstraint("vintage BETWEEN 1990 AND 2100", name="vintage_plausible"),
    )


class Commitment(Base):
    """An LP's commitment to a fund, in yuan."""

    __tablename__ = "commitments"
    __table_args__ = (
        UniqueConstraint("fund_id", "investor", "committed_on"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[IntPK]
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    investor: Mapped[Name]
    investor_type: Mapped[InvestorType] = coded(InvestorType)
    committed_on: Mapped[dt.date]
    amount: Mapped[Money]
    created_at: Mapped[CreatedAt]
    version: Mapped[int] = mapped_column(default=1)

    fund: Mapped[Fund] = relationship(back_populates="commitments")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Movement(Base):
    """A capital call, distribution or fee, in yuan: an append-only ledger row.

    A wrong row is undone by a reversing row that names it (``reverses_id``), never edited.
    """

    __tablename__ = "movements"
    __table_args__ = (
        UniqueConstraint("fund_id", "reference"),
        UniqueConstraint("reverses_id"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[IntPK]
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    reference: Mapped[str] = mapped_column(String(64))
    type: Mapped[MovementType] = coded(MovementType)
    moved_on: Mapped[dt.date]
    amount: Mapped[Money]
    investor: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(500))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("movements.id"))
    created_at: Mapped[CreatedAt]

    fund: Mapped[Fund] = relationship(back_populates="movements")
    reverses: Mapped[Movement | None] = relationship(remote_side="Movement.id")

    @property
    def signed_amount(self) -> Decimal:
        """The amount as it counts in sums: negative for a reversing row."""
        return -self.amount if self.reverses_id else self.amount
