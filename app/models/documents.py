"""Attached documents: a file's record (what it is attached to, its name, detected type, size,
SHA-256, who uploaded it and when, and what superseded it) and, apart, its bytes.

A document is never changed or deleted: a new one supersedes it (the old one stays, marked with
the new one and the moment). The bytes are stored once per SHA-256 in ``attachment_contents``,
so listing attachments never reads them and identical files are kept once.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.quarter import Quarter
from app.models.base import Base, IntPK, QuarterType, UTCDateTime
from app.models.users import User

OBJECT_KINDS = ("agreement", "quarter", "query", "answer", "investment")
"""What a document may be attached to: an agreement (the signed agreement), a quarter of an
agreement (the signed statement scan; ``object_id`` is the agreement's, ``quarter`` the
quarter), an auditor's query or its answer (``object_id`` is the review's), an investment (the
contract)."""


class Attachment(Base):
    """One uploaded file attached to one object. Only ``superseded_*`` ever change, once."""

    __tablename__ = "attachments"
    __table_args__ = (
        Index("ix_attachments_object", "object_kind", "object_id", "quarter"),
        CheckConstraint("object_kind IN ('agreement', 'quarter', 'query', 'answer', "
                        "'investment')", name="object_kind_known"),
        CheckConstraint("(object_kind = 'quarter') = (quarter IS NOT NULL)",
                        name="quarter_only_for_quarters"),
        CheckConstraint("size > 0", name="size_positive"),
    )

    id: Mapped[IntPK]
    object_kind: Mapped[str] = mapped_column(String(16))
    object_id: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[Quarter | None] = mapped_column(QuarterType)
    filename: Mapped[str] = mapped_column(String(255))
    file_type: Mapped[str] = mapped_column(String(8))  # pdf, ofd, png, jpeg, xlsx, csv
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)  # bytes
    sha256: Mapped[str] = mapped_column(ForeignKey("attachment_contents.sha256"), index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    superseded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    uploaded_by: Mapped[User] = relationship()
    superseded_by: Mapped[Attachment | None] = relationship(remote_side="Attachment.id")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class AttachmentContent(Base):
    """The bytes of one or more attachments with the same SHA-256 (kept out of the audit trail,
    which pins them by the attachment's ``sha256``). Written once, never changed."""

    __tablename__ = "attachment_contents"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
