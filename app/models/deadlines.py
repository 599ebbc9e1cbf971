"""The quarterly cycle's deadlines: the administrator's default days and lock exceptions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.quarter import Quarter
from app.models.base import Base, CreatedAt, IntPK, QuarterType, UTCDateTime
from app.models.reference import Region
from app.models.sharing import Agreement
from app.models.users import User


class CycleSettings(Base):
    """The one row of defaults (id 1): days after a quarter end until the timely date and until
    entry locks; an agreement may override either."""

    __tablename__ = "cycle_settings"
    __table_args__ = (
        CheckConstraint("timely_days BETWEEN 1 AND 365", name="timely_days_range"),
        CheckConstraint("lock_days BETWEEN timely_days AND 365", name="lock_days_range"),
    )

    id: Mapped[IntPK]
    timely_days: Mapped[int] = mapped_column(default=15)
    lock_days: Mapped[int] = mapped_column(default=20)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class LockException(Base):
    """An administrator reopens entry of a locked quarter of an agreement (for one party region,
    or all parties when ``region_id`` is None) from the moment granted through ``until``
    (a local date, inclusive); revoking ends it at once."""

    __tablename__ = "lock_exceptions"

    id: Mapped[IntPK]
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    quarter: Mapped[Quarter] = mapped_column(QuarterType)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    until: Mapped[dt.date]
    reason: Mapped[str] = mapped_column(String(500))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[CreatedAt]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    agreement: Mapped[Agreement] = relationship()
    region: Mapped[Region | None] = relationship()
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
