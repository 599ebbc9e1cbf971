"""Reading and verifying the audit trail (writing it is the session listener's job alone)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, defer, with_expression

from app.domain.codes import Role
from app.domain.hashchain import GENESIS, entry_hash
from app.models import AuditEntry
from app.models.audit import audited_entities
from app.services.access.scopes import Actor, require_role
from app.services.errors import NotFound

PREVIEW_CHARS = 4000
"""How much of an entry's changes (characters of JSON) a page of the trail reads; a longer
entry (a quarter's statement data when it closes, say) is shown in full on its own page."""


@dataclass(frozen=True)
class ChainReport:
    """The result of walking the chain: how many entries, and the first break if any."""

    entries: int
    head_hash: str
    broken_at: int | None = None
    problem: str = ""

    @property
    def is_intact(self) -> bool:
        """No entry was altered, removed or inserted (except possibly the newest; see above)."""
        return self.broken_at is None


def verify_chain(session: Session, batch: int = 5000) -> ChainReport:
    """Walk the whole chain in order, recomputing every hash; report the first break.

    Detects an altered, deleted or inserted entry anywhere before the head. Removing the newest
    entries leaves a shorter valid chain, so operators should note the head hash printed here
    (for example in each quarter's records) to anchor it.
    """
    previous, expected_seq, count, last = GENESIS, 1, 0, 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)
        ).all()
        if not rows:
            return ChainReport(entries=count, head_hash=previous)
        for entry in rows:
            if entry.seq != expected_seq:
                return ChainReport(count, previous, expected_seq,
                                   f"entry {expected_seq} is missing")
            if entry.prev_hash != previous:
                return ChainReport(count, previous, entry.seq,
                                   f"entry {entry.seq} does not follow entry {entry.seq - 1}")
            if not _hash_matches(entry, previous):
                return ChainReport(count, previous, entry.seq,
                                   f"entry {entry.seq} was altered after it was written")
            previous, expected_seq, count, last = entry.hash, entry.seq + 1, count + 1, entry.seq
        session.expunge_all()


def _hash_matches(entry: AuditEntry, previous: str) -> bool:
    """Whether the entry's stored hash is that of its content; changes that are no longer
    valid JSON (the writer always stores canonical JSON) were altered, like any other change."""
    try:
        content = entry.content()
    except (ValueError, RecursionError):
        return False
    return entry_hash(content, previous) == entry.hash


def entities(session: Session) -> list[str]:
    """The entity names the trail can hold, for the filter's drop-down (known from the audited
    models: a DISTINCT over the whole trail would cost more than the rest of the page)."""
    return audited_entities()


def describe(entry: AuditEntry) -> list[tuple[str, object, object]]:
    """The changed fields of an entry as (field, old, new), by field name."""
    return _fields(entry.changes)


def _fields(changes: str) -> list[tuple[str, object, object]]:
    try:
        parsed = json.loads(changes)
    except (ValueError, RecursionError):  # altered in the database: shown as stored
        return [("changes", None, changes)]
    if not isinstance(parsed, dict):
        return [("changes", None, changes)]
    return [(k, v[0], v[1]) if isinstance(v, list) and len(v) == 2 else (k, None, v)
            for k, v in sorted(parsed.items())]


def with_previews(query: Select) -> Select:
    """``query`` of entries reading only the first PREVIEW_CHARS characters of their changes
    (``changes_preview``) and the changes' length, not the changes themselves."""
    return query.options(
        defer(AuditEntry.changes),
        with_expression(AuditEntry.changes_preview,
                        func.substr(AuditEntry.changes, 1, PREVIEW_CHARS)),
        with_expression(AuditEntry.changes_length, func.length(AuditEntry.changes)))


def describe_preview(entry: AuditEntry) -> list[tuple[str, object, object]] | None:
    """As :func:`describe` for an entry read :func:`with_previews`; None when its changes are
    longer than the preview (the entry's own page shows them)."""
    if entry.changes_length is None or entry.changes_length > PREVIEW_CHARS:
        return None
    return _fields(entry.changes_preview)


def latest_entries(session: Session, actor: Actor, limit: int) -> list[AuditEntry]:
    """The newest ``limit`` entries (administrators and auditors), read :func:`with_previews`
    (for a page that says each change in words and links to the trail)."""
    require_role(actor, Role.ADMIN, Role.AUDITOR)
    return list(session.scalars(
        with_previews(select(AuditEntry)).order_by(AuditEntry.seq.desc()).limit(limit)))


def get_entry(session: Session, actor: Actor, seq: int) -> AuditEntry:
    """One entry of the trail by its sequence number (administrators and auditors)."""
    require_role(actor, Role.ADMIN, Role.AUDITOR)
    entry = session.scalars(select(AuditEntry).where(AuditEntry.seq == seq)).first()
    if entry is None:
        raise NotFound(f"audit entry {seq}")
    return entry
