"""Where the bytes of attached documents are kept: the :class:`Store` interface, and the one
implementation, the database (``attachment_contents``, one row per SHA-256: identical files are
stored once). An S3-compatible store (``FILES_URL``) is not implemented: the app refuses to
start when it is set (docs/decisions.md)."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models.documents import AttachmentContent


class Store(Protocol):
    """Keeps bytes by their SHA-256 (hex). ``put`` is idempotent: storing the same content
    twice keeps one copy; both run in the caller's transaction where the store allows it."""

    def put(self, session: Session, sha256: str, data: bytes) -> None: ...

    def get(self, session: Session, sha256: str) -> bytes: ...


class DatabaseStore:
    """The bytes in ``attachment_contents``, in the same transaction as the document's record:
    a rolled-back upload leaves nothing behind."""

    def put(self, session: Session, sha256: str, data: bytes) -> None:
        """Store ``data`` under its SHA-256 unless it is there already (two uploads of the
        same new file at once both succeed: the second insert does nothing)."""
        dialect = session.get_bind().dialect.name
        module = postgresql if dialect == "postgresql" else sqlite
        session.execute(module.insert(AttachmentContent)
                        .values(sha256=sha256, size=len(data), content=data)
                        .on_conflict_do_nothing(index_elements=["sha256"]))

    def get(self, session: Session, sha256: str) -> bytes:
        """The bytes stored under ``sha256`` (KeyError if none)."""
        data = session.scalar(select(AttachmentContent.content)
                              .where(AttachmentContent.sha256 == sha256))
        if data is None:
            raise KeyError(sha256)
        return bytes(data)


STORE: Store = DatabaseStore()
"""The store in use."""
