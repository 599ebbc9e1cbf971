"""Uploaded spreadsheets kept between the dry-run preview and the confirmed import.

The app keeps no state in its processes, so the file itself waits in the database; it is
deleted once imported and forgotten a day later otherwise. Not business data: not audited.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, CreatedAt, IntPK


class Upload(Base):
    """A file a user uploaded for import: its kind, name, size in bytes, SHA-256 and content."""

    __tablename__ = "uploads"

    id: Mapped[IntPK]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[CreatedAt]
