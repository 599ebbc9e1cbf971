"""A fund's investments in projects: the append-only transaction ledger and valuations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.codes import Instrument, TransactionType
from app.models.base import Base, CreatedAt, IntPK, Money, coded
from app.models.funds import Fund
from app.models.projects import Project


class Investment(Base):
    """One fund's position in one project with one instrument."""

    __tablename__ = "investments"
    __table_args__ = (UniqueConstraint("fund_id", "project_id", "instrument"),)

    id: Mapped[IntPK]
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    instrument: Mapped[Instrument] = coded(Instrument)
    created_at: Mapped[CreatedAt]

    fund: Mapped[Fund] = relationship()
    project: Mapped[Project] = relationship()
    transactions: Mapped[list[InvestmentTransaction]] = relationship(
        back_populates="investment",
        order_by="InvestmentTransaction.occurred_on, InvestmentTransaction.id",
    )
    valuations: Mapped[list[Valuation]] = relationship(
        back_populates="investment", order_by="Valuation.as_of_on"
    )


class InvestmentTransaction(Base):
    """A ledger row of an investment, in yuan (positive). Never edited: reversed by a new row."""

    __tablename__ = "investment_transactions"
    __table_args__ = (
        UniqueConstraint("fund_id", "reference"),
        UniqueConstraint("reverses_id"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[IntPK]
    investment_id: Mapped[int] = mapped_column(ForeignKey("investments.id"), index=True)
    # Denormalised from the investment so references are unique per fund at the database level.
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    reference: Mapped[str] = mapped_column(String(64))
    type: Mapped[TransactionType] = coded(TransactionType)
    occurred_on: Mapped[dt.date]
    amount: Mapped[Money]
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("investment_transactions.id"))
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[CreatedAt]

    investment: Mapped[Investment] = relationship(back_populates="transactions")
    reverses: Mapped[InvestmentTransaction | None] = relationship(
        remote_side="InvestmentTransaction.id"
    )

    @property
    def signed_amount(self) -> Decimal:
        """The amount as it counts in sums: negative for a reversing row."""
        return -self.amount if self.reverses_id else self.amount


class Valuation(Base):
    """The fair value of an equity investment as of a date, in yuan."""

    __tablename__ = "valuations"
    __table_args__ = (
        UniqueConstraint("investment_id", "as_of_on"),
        CheckConstraint("value >= 0", name="value_not_negative"),
    )

    id: Mapped[IntPK]
    investment_id: Mapped[int] = mapped_column(ForeignKey("investments.id"), index=True)
    as_of_on: Mapped[dt.date]
    value: Mapped[Money]
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[CreatedAt]
    version: Mapped[int] = mapped_column(default=1)

    investment: Mapped[Investment] = relationship(back_populates="valuations")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
