"""Reference data: regions (GB/T 2260, with editions) and industries (GB/T 4754-2017)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String
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
    edition: Mapped[str | None] = mapped_column(String(20))
    """The latest GB/T 2260 edition that lists the code (None: added by hand, no edition)."""
    valid_until: Mapped[date | None] = mapped_column(Date)
    """Set when a newer edition dropped the code: the code is retired (kept for its data)."""
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))

    parent: Mapped[Region | None] = relationship(remote_side="Region.id", foreign_keys=[parent_id])
    successor: Mapped[Region | None] = relationship(remote_side="Region.id",
                                                    foreign_keys=[successor_id])

    @property
    def is_retired(self) -> bool:
        """Whether a newer edition of GB/T 2260 no longer lists the code."""
        return self.valid_until is not None

    def __str__(self) -> str:
        return self.label_of(self.name, self.code)

    @staticmethod
    def label_of(name: str, code: str) -> str:
        """A region as printed, "name (code)", from its columns read as plain values."""
        return f"{name} ({code})"


class RegionEdition(Base):
    """An edition of GB/T 2260 loaded into the regions table (the newest is the current one)."""

    __tablename__ = "region_editions"

    edition: Mapped[str] = mapped_column(String(20), primary_key=True)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    codes: Mapped[int]
    source: Mapped[str] = mapped_column(String(200))


class IndustryDivision(Base):
    """A GB/T 4754-2017 category of any level: a section (letter), a division (2 digits), a group
    (3) or a class (4), with the section it belongs to. The table keeps its historical name."""

    __tablename__ = "industry_divisions"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    level: Mapped[str] = mapped_column(String(10), default="DIVISION", server_default="DIVISION")
    parent_code: Mapped[str | None] = mapped_column(String(4))
    section: Mapped[str] = mapped_column(String(1))
    section_name: Mapped[Name]
    name: Mapped[Name]
    name_en: Mapped[str | None] = mapped_column(String(200))
    """English name: sections and divisions have one; groups and classes have none (None)."""
