"""Reference data: regions (GB/T 2260) and industry divisions (GB/T 4754-2017)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, IntPK, Name


class Region(Base):
    """A province, prefecture or county, identified by its six-digit GB/T 2260 code."""

    __tablename__ = "regions"

    id: Mapped[IntPK]
    code: Mapped[str] = mapped_column(String(6), unique=True)
    name: Mapped[Name]
    name_en: Mapped[str | None] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(12))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    macro_region: Mapped[str] = mapped_column(String(12))
    is_special_area: Mapped[bool] = mapped_column(default=False)

    parent: Mapped[Region | None] = relationship(remote_side="Region.id")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class IndustryDivision(Base):
    """A two-digit division of GB/T 4754-2017 and the section it belongs to."""

    __tablename__ = "industry_divisions"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    section: Mapped[str] = mapped_column(String(1))
    section_name: Mapped[Name]
    name: Mapped[Name]
    name_en: Mapped[Name]
