"""Keeping an uploaded file between its dry-run preview and the confirmed import."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.models import Upload
from app.models.base import utcnow
from app.services.access.scopes import Actor
from app.services.errors import NotFound

KEPT_FOR = dt.timedelta(days=1)
"""How long an upload that was previewed but never confirmed is kept."""


def store_upload(session: Session, actor: Actor, kind: str, filename: str, content: bytes
                 ) -> Upload:
    """Keep the file for the actor's confirmation; forget uploads older than a day."""
    session.execute(delete(Upload).where(Upload.created_at < utcnow() - KEPT_FOR))
    upload = Upload(user_id=actor.user_id, kind=kind, filename=filename[:255], size=len(content),
                    sha256=hashlib.sha256(content).hexdigest(), content=content)
    session.add(upload)
    session.flush()
    return upload


def get_upload(session: Session, actor: Actor, upload_id: int) -> Upload:
    """The actor's own upload; NotFound for anyone else's, or one imported or forgotten."""
    upload = session.scalar(select(Upload).where(Upload.id == upload_id,
                                                 Upload.user_id == actor.user_id))
    if upload is None or actor.user_id is None:
        raise NotFound(f"upload {upload_id}")
    return upload


def discard_upload(session: Session, upload: Upload) -> None:
    """Forget an upload once imported."""
    session.delete(upload)
    session.flush()
