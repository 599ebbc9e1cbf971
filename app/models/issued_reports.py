"""Issued reports: the stored PDF of record, its SHA-256, its data fingerprint and version."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.quarter import Quarter
from app.models.base import Base, IntPK, Name, QuarterType, UTCDateTime

REPORT_KINDS = ("fund", "statement", "region", "settlement", "zone")


class IssuedReport(Base):
    """One issued version of a report (kind, subject, quarter): never changed once written.

    The PDF bytes and the data behind them live in :class:`IssuedReportContent`; this row pins
    them by their SHA-256 and data fingerprint, and is what the audit trail records."""

    __tablename__ = "issued_reports"
    __table_args__ = (
        UniqueConstraint("kind", "subject_code", "quarter", "version"),
        CheckConstraint("kind IN ('fund', 'statement', 'region', 'settlement', 'zone')",
                        name="kind_known"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[IntPK]
    kind: Mapped[str] = mapped_column(String(16))
    subject_code: Mapped[str] = mapped_column(String(32))
    subject_name: Mapped[Name]
    quarter: Mapped[Quarter] = mapped_column(QuarterType)
    version: Mapped[int] = mapped_column(Integer)
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("funds.id"), index=True)
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int] = mapped_column(Integer)
    changes: Mapped[int] = mapped_column(Integer, default=0)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_by: Mapped[str] = mapped_column(String(254))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    content: Mapped[IssuedReportContent] = relationship(back_populates="report", uselist=False)


class IssuedReportContent(Base):
    """The bytes of an issued PDF and the JSON of the data it shows (large: kept out of the
    audit trail, pinned there by the report row's SHA-256 and fingerprint)."""

    __tablename__ = "issued_report_contents"

    report_id: Mapped[int] = mapped_column(ForeignKey("issued_reports.id"), primary_key=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    data_json: Mapped[str] = mapped_column(Text)

    report: Mapped[IssuedReport] = relationship(back_populates="content")


def _never_changed(_mapper, _connection, target) -> None:
    """Issued reports are documents of record: refuse any update or delete through the ORM."""
    raise ValueError(f"{type(target).__name__} is never changed once issued")


for _model in (IssuedReport, IssuedReportContent):
    event.listen(_model, "before_update", _never_changed)
    event.listen(_model, "before_delete", _never_changed)
