"""Use cases of attached documents: list an object's documents, attach one, supersede one with a
new file, and download one (every download is written to the audit trail).

A document is never replaced nor deleted: superseding adds the new file to the same object and
marks the old one with the new one and the moment; the old one stays downloadable. A closed
quarter still accepts documents: they are papers about the quarter, not its figures.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.domain.messages import N_
from app.models.audit import append_entries
from app.models.base import utcnow
from app.models.documents import Attachment
from app.services.access.scopes import Actor
from app.services.documents.content import RefusedFile, content_type_of, detect
from app.services.documents.names import clean_name
from app.services.documents.storage import STORE, Store
from app.services.documents.subjects import Subject, Target, resolve
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.limits import Limits

MAX_NOTE = 500


@dataclass(frozen=True)
class UploadedFile:
    """A file as received: the name and type the client gave (neither is trusted), the bytes
    (None when no file was sent) and the uploader's note."""

    filename: str
    data: bytes | None
    declared_type: str = ""
    note: str = ""


def list_attachments(session: Session, actor: Actor, target: Target
                     ) -> tuple[Subject, list[Attachment]]:
    """The object (in scope, else NotFound) and its documents, oldest first, with who uploaded
    them and what superseded them; never their bytes."""
    subject = resolve(session, actor, target)
    return subject, attachments_of(session, target)


def attachments_of(session: Session, target: Target) -> list[Attachment]:
    """The documents of a target the caller has resolved, oldest first (no bytes)."""
    query = select(Attachment).where(Attachment.object_kind == target.kind,
                                     Attachment.object_id == target.object_id)
    if target.quarter is not None:
        query = query.where(Attachment.quarter == target.quarter)
    return list(session.scalars(
        query.order_by(Attachment.uploaded_at, Attachment.id)
        .options(joinedload(Attachment.uploaded_by),
                 joinedload(Attachment.superseded_by).joinedload(Attachment.uploaded_by))))


def review_attachments(session: Session, review_ids: list[int]) -> list[Attachment]:
    """The documents of these queries and their answers (reviews whose quarter the caller has
    shown, so in scope), oldest first, in one query, no bytes."""
    if not review_ids:
        return []
    return list(session.scalars(
        select(Attachment).where(Attachment.object_kind.in_(("query", "answer")),
                                 Attachment.object_id.in_(review_ids))
        .order_by(Attachment.uploaded_at, Attachment.id)
        .options(joinedload(Attachment.uploaded_by),
                 joinedload(Attachment.superseded_by).joinedload(Attachment.uploaded_by))))


def attach(session: Session, actor: Actor, target: Target, upload: UploadedFile, *,
           max_bytes: int, limits: Limits | None = None, store: Store = STORE) -> Attachment:
    """Attach a file to the target (NotFound if the user may not write it); ValidationFailed
    naming ``file`` or ``note`` for a missing, empty, too large, refused or mislabelled file
    and nothing stored."""
    resolve(session, actor, target, for_write=True)
    return _store(session, actor, target, upload, max_bytes, limits, store)


def supersede(session: Session, actor: Actor, attachment_id: int, upload: UploadedFile, *,
              max_bytes: int, limits: Limits | None = None, store: Store = STORE,
              version: int | None = None) -> Attachment:
    """Attach a new file to the same object as the document ``attachment_id`` and mark that
    one superseded by it. Conflict if it was superseded already (or changed since the user saw
    it at ``version``)."""
    old = _attachment(session, attachment_id)
    resolve(session, actor, _target_of(old), for_write=True)
    if old.superseded_by_id is not None or (version is not None and version != old.version):
        raise Conflict(N_("%(name)s was superseded by someone else meanwhile: reload the page "
                          "to see the newer file", name=old.filename))
    new = _store(session, actor, _target_of(old), upload, max_bytes, limits, store)
    old.superseded_by = new
    old.superseded_at = new.uploaded_at
    session.flush()
    return new


def get_attachment(session: Session, actor: Actor, attachment_id: int
                   ) -> tuple[Attachment, Subject]:
    """A document whose object the user may read, with that object; else NotFound."""
    attachment = _attachment(session, attachment_id)
    return attachment, resolve(session, actor, _target_of(attachment))


def download(session: Session, actor: Actor, attachment_id: int, *, store: Store = STORE
             ) -> tuple[Attachment, bytes]:
    """A document and its bytes, if the user may read its object (else NotFound); the download
    is written to the audit trail (who, which document, its SHA-256)."""
    attachment, _subject = get_attachment(session, actor, attachment_id)
    data = store.get(session, attachment.sha256)
    append_entries(session.connection(), (actor.user_id, actor.label), [(
        "attachments", attachment.id, "DOWNLOAD",
        {"filename": [None, attachment.filename], "sha256": [None, attachment.sha256]})])
    return attachment, data


def _attachment(session: Session, attachment_id: int) -> Attachment:
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(f"attachment {attachment_id}")
    return attachment


def _target_of(attachment: Attachment) -> Target:
    return Target(attachment.object_kind, attachment.object_id, attachment.quarter)


def _store(session: Session, actor: Actor, target: Target, upload: UploadedFile,
           max_bytes: int, limits: Limits | None, store: Store) -> Attachment:
    note = (upload.note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationFailed(note=N_("is longer than %(n)s characters", n=MAX_NOTE))
    if "\x00" in note:
        raise ValidationFailed(note=N_("must not contain the NUL character"))
    data = upload.data
    if data is None:
        raise ValidationFailed(file=N_("choose a file to attach"))
    if len(data) > max_bytes:
        raise ValidationFailed(file=N_(
            "the file is %(size)s bytes; the limit is %(limit)s bytes: nothing was stored",
            size=f"{len(data):,}", limit=f"{max_bytes:,}"))
    try:
        file_type = detect(data, upload.filename, upload.declared_type, limits=limits)
    except RefusedFile as exc:
        raise ValidationFailed(file=exc.args[0]) from None
    sha256 = hashlib.sha256(data).hexdigest()
    store.put(session, sha256, data)
    attachment = Attachment(
        object_kind=target.kind, object_id=target.object_id, quarter=target.quarter,
        filename=clean_name(upload.filename, file_type), file_type=file_type.code,
        content_type=content_type_of(file_type, data), size=len(data), sha256=sha256, note=note,
        uploaded_by_id=actor.user_id, uploaded_at=utcnow())
    session.add(attachment)
    session.flush()
    return attachment
