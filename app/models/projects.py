"""Transferred projects: the enterprise that moves, from where to where, and how."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.codes import CooperationMode, Intensity, ProjectStatus
from app.models.base import Area, Base, CreatedAt, IntPK, Money, Name, coded
from app.models.reference import IndustryDivision, Region


class Project(Base):
    """A project moving from a source region to a destination region. Money in yuan, land in 亩."""

    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("planned_investment >= 0", name="planned_investment_not_negative"),
        CheckConstraint("planned_jobs >= 0", name="planned_jobs_not_negative"),
        CheckConstraint("land_area >= 0", name="land_area_not_negative"),
    )

    id: Mapped[IntPK]
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[Name]
    enterprise: Mapped[Name]
    uscc: Mapped[str | None] = mapped_column(String(18))
    industry_code: Mapped[str] = mapped_column(ForeignKey("industry_divisions.code"))
    intensity: Mapped[Intensity] = coded(Intensity)
    source_region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    destination_region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    cooperation_mode: Mapped[CooperationMode] = coded(CooperationMode)
    park: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[ProjectStatus] = coded(ProjectStatus)
    planned_investment: Mapped[Money | None]
    planned_jobs: Mapped[int | None]
    land_area: Mapped[Area | None]
    production_start_on: Mapped[dt.date | None]
    is_two_high: Mapped[bool] = mapped_column(default=False)
    capacity_replacement_ref: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[CreatedAt]
    version: Mapped[int] = mapped_column(default=1)

    industry: Mapped[IndustryDivision] = relationship()
    source_region: Mapped[Region] = relationship(foreign_keys=[source_region_id])
    destination_region: Mapped[Region] = relationship(foreign_keys=[destination_region_id])

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
