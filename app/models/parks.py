"""Transfer parks: national demonstration zones, provincial parks, co-built parks and enclaves,
their partner regions and leading industries, and which projects belong to them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.codes import ParkType, PartnerRole
from app.models.base import Area, Base, CreatedAt, IntPK, Name, coded
from app.models.projects import Project
from app.models.reference import IndustryDivision, Region


class Park(Base):
    """A park hosted in one region, with partner regions; its cycle runs from ``cycle_start``
    to ``cycle_end`` (open-ended when None). Planned area in 亩, exact to 0.01."""

    __tablename__ = "parks"
    __table_args__ = (
        CheckConstraint("cycle_end IS NULL OR cycle_end > cycle_start", name="cycle_ordered"),
        CheckConstraint("planned_area >= 0", name="planned_area_not_negative"),
    )

    id: Mapped[IntPK]
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[Name]
    park_type: Mapped[ParkType] = coded(ParkType)
    host_region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    approving_document: Mapped[str | None] = mapped_column(String(200))
    approved_on: Mapped[dt.date | None]
    cycle_start: Mapped[dt.date]
    cycle_end: Mapped[dt.date | None]
    planned_area: Mapped[Area | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[CreatedAt]
    version: Mapped[int] = mapped_column(default=1)

    host_region: Mapped[Region] = relationship()
    partners: Mapped[list[ParkPartner]] = relationship(
        back_populates="park", cascade="all, delete-orphan", order_by="ParkPartner.id")
    industries: Mapped[list[ParkIndustry]] = relationship(
        back_populates="park", cascade="all, delete-orphan", order_by="ParkIndustry.industry_code")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ParkPartner(Base):
    """A partner region of a park and its role (source, host, co-investor, operator)."""

    __tablename__ = "park_partners"
    __table_args__ = (UniqueConstraint("park_id", "region_id"),)

    id: Mapped[IntPK]
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id", ondelete="CASCADE"))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    role: Mapped[PartnerRole] = coded(PartnerRole)

    park: Mapped[Park] = relationship(back_populates="partners")
    region: Mapped[Region] = relationship()


class ParkIndustry(Base):
    """A leading industry of a park: a GB/T 4754-2017 division, group or class."""

    __tablename__ = "park_industries"
    __table_args__ = (UniqueConstraint("park_id", "industry_code"),)

    id: Mapped[IntPK]
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id", ondelete="CASCADE"))
    industry_code: Mapped[str] = mapped_column(ForeignKey("industry_divisions.code"))

    park: Mapped[Park] = relationship(back_populates="industries")
    industry: Mapped[IndustryDivision] = relationship()


class ParkMembership(Base):
    """A project's belonging to a park, from ``joined_on`` to ``left_on`` (still in it when
    None). A project belongs to one park at most."""

    __tablename__ = "park_memberships"
    __table_args__ = (
        UniqueConstraint("project_id"),
        CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="left_after_joined"),
    )

    id: Mapped[IntPK]
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    joined_on: Mapped[dt.date]
    left_on: Mapped[dt.date | None]
    version: Mapped[int] = mapped_column(default=1)

    park: Mapped[Park] = relationship()
    project: Mapped[Project] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
