"""The transfer guidance catalogue as data: editions, their entries and the codes they map to,
and the screening of projects against an edition (catalogue.md)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.codes import CatalogueList, ScreeningFlag
from app.models.base import Base, CreatedAt, IntPK, UTCDateTime, coded
from app.models.reference import IndustryDivision, Region
from app.models.users import User


def _named(enum_cls: type, name: str) -> Enum:
    """A coded column's type under its own CHECK constraint name (a table holding two columns
    of one enum needs two names)."""
    return Enum(enum_cls, native_enum=False, create_constraint=True, length=24,
                values_callable=lambda members: [m.value for m in members], name=name,
                validate_strings=True)


class CatalogueEdition(Base):
    """An edition of the catalogue (the 2018 one, a successor, a sample). Editions are kept side
    by side; exactly one is current once any exists (a partial unique index keeps it at most
    one, the services make the first edition current)."""

    __tablename__ = "catalogue_editions"
    __table_args__ = (
        Index("uq_catalogue_editions_current", "is_current", unique=True,
              sqlite_where=text("is_current"), postgresql_where=text("is_current")),
    )

    id: Mapped[IntPK]
    name: Mapped[str] = mapped_column(String(100), unique=True)
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    source_note: Mapped[str] = mapped_column(String(500), default="")
    is_sample: Mapped[bool] = mapped_column(default=False)
    is_current: Mapped[bool] = mapped_column(default=False)
    replaced_id: Mapped[int | None] = mapped_column(ForeignKey("catalogue_editions.id"))
    """The edition that was current when this one was made current (what its changes list
    compares with); None for the first."""
    made_current_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[CreatedAt]
    version: Mapped[int] = mapped_column(default=1)

    entries: Mapped[list[CatalogueEntry]] = relationship(
        back_populates="edition", order_by="CatalogueEntry.position")
    replaced: Mapped[CatalogueEdition | None] = relationship(remote_side="CatalogueEdition.id")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def __str__(self) -> str:
        return self.name


class CatalogueEntry(Base):
    """One numbered item of a city's (or province's) list: heading, text, exceptions, codes."""

    __tablename__ = "catalogue_entries"

    id: Mapped[IntPK]
    edition_id: Mapped[int] = mapped_column(ForeignKey("catalogue_editions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    """The row of the imported file (the order of the edition)."""
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    list_code: Mapped[CatalogueList] = coded(CatalogueList)
    heading: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(String(1000))
    exceptions: Mapped[str | None] = mapped_column(String(1000))
    needs_review: Mapped[bool] = mapped_column(default=False)

    edition: Mapped[CatalogueEdition] = relationship(back_populates="entries")
    region: Mapped[Region] = relationship()
    codes: Mapped[list[CatalogueCode]] = relationship(
        back_populates="entry", order_by="CatalogueCode.industry_code",
        cascade="all, delete-orphan")

    @property
    def needs_person(self) -> bool:
        """Whether a match must be decided by a person (exceptions text, or marked)."""
        return bool(self.exceptions) or self.needs_review

    @property
    def code_list(self) -> list[str]:
        """The GB/T 4754 codes the entry maps to."""
        return [c.industry_code for c in self.codes]


class CatalogueCode(Base):
    """A GB/T 4754 code prefix an entry maps to. The unique key forbids one code twice in one
    list of one region within an edition."""

    __tablename__ = "catalogue_codes"
    __table_args__ = (UniqueConstraint("edition_id", "region_id", "list_code", "industry_code"),)

    id: Mapped[IntPK]
    entry_id: Mapped[int] = mapped_column(ForeignKey("catalogue_entries.id"), index=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("catalogue_editions.id"))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    list_code: Mapped[CatalogueList] = coded(CatalogueList)
    industry_code: Mapped[str] = mapped_column(ForeignKey("industry_divisions.code"))

    entry: Mapped[CatalogueEntry] = relationship(back_populates="codes")
    industry: Mapped[IndustryDivision] = relationship()


class ScreeningResult(Base):
    """A project screened against an edition: the machine's flag, the entries behind it and,
    for REVIEW, the person's decision. ``flag`` is what is shown: the decision when there is
    one, else the machine's flag. Results of earlier editions stay as they were."""

    __tablename__ = "screening_results"
    __table_args__ = (UniqueConstraint("project_id", "edition_id"),
                      Index("ix_screening_results_edition_id_flag", "edition_id", "flag"))

    id: Mapped[IntPK]
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("catalogue_editions.id"))
    screened: Mapped[ScreeningFlag] = coded(ScreeningFlag)
    flag: Mapped[ScreeningFlag] = mapped_column(_named(ScreeningFlag, "shownflag"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("catalogue_entries.id"))
    entry_ids: Mapped[str] = mapped_column(String(200), default="")
    """Every entry counted, comma-separated ids in edition order (the first is ``entry_id``)."""
    decided_list: Mapped[CatalogueList | None] = coded(CatalogueList, nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    screened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    edition: Mapped[CatalogueEdition] = relationship()
    entry: Mapped[CatalogueEntry | None] = relationship()
    decided_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def entry_id_list(self) -> list[int]:
        """The ids of every entry counted."""
        return [int(i) for i in self.entry_ids.split(",") if i]
