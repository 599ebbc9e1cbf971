"""Quarterly observations of indicators per project, and corrections of closed quarters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.quarter import Quarter
from app.models.base import Base, CreatedAt, IntPK, QuarterType, ScaledDecimal, UTCDateTime, utcnow
from app.models.projects import Project


class Observation(Base):
    """The current value of one indicator of one project in one quarter (may be negative)."""

    __tablename__ = "observations"
    __table_args__ = (UniqueConstraint("project_id", "indicator_code", "quarter"),)

    id: Mapped[IntPK]
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator_definitions.code"))
    quarter: Mapped[Quarter] = mapped_column(QuarterType)
    value: Mapped[Decimal] = mapped_column(ScaledDecimal(4))
    note: Mapped[str | None] = mapped_column(String(500))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    project: Mapped[Project] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ObservationCorrection(Base):
    """A change to an observation of a quarter already closed under some agreement, with why."""

    __tablename__ = "observation_corrections"

    id: Mapped[IntPK]
    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id"), index=True)
    old_value: Mapped[Decimal] = mapped_column(ScaledDecimal(4))
    new_value: Mapped[Decimal] = mapped_column(ScaledDecimal(4))
    reason: Mapped[str] = mapped_column(String(500))
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[CreatedAt]

    observation: Mapped[Observation] = relationship()
