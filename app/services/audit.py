"""Reading and verifying the audit trail (writing it is the session listener's job alone)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.codes import Role
from app.domain.hashchain import GENESIS, entry_hash
from app.models import AuditEntry
from app.models.audit import audited_entities
from app.services.access import Actor, require_role


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
            if entry_hash(entry.content(), previous) != entry.hash:
                return ChainReport(count, previous, entry.seq,
                                   f"entry {entry.seq} was altered after it was written")
            previous, expected_seq, count, last = entry.hash, entry.seq + 1, count + 1, entry.seq
        session.expunge_all()


@dataclass(frozen=True)
class AuditFilter:
    """What an auditor narrows the trail to; every part optional."""

    entity: str = ""
    entity_id: str = ""
    actor: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def list_entries(session: Session, actor: Actor, where: AuditFilter, *, before_seq: int | None,
                 limit: int = 100) -> list[AuditEntry]:
    """The newest entries matching ``where``, older than ``before_seq`` (keyset pagination)."""
    require_role(actor, Role.ADMIN, Role.AUDITOR)
    query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if before_seq:
        query = query.where(AuditEntry.seq < before_seq)
    if where.entity:
        query = query.where(AuditEntry.entity == where.entity)
    if where.entity_id:
        query = query.where(AuditEntry.entity_id == where.entity_id)
    if where.actor:
        query = query.where(AuditEntry.actor == where.actor.strip().lower())
    if where.since:
        query = query.where(AuditEntry.at >= dt.datetime.combine(where.since, dt.time(),
                                                                 tzinfo=dt.UTC))
    if where.until and where.until < dt.date.max:  # the last day representable bounds nothing
        query = query.where(AuditEntry.at < dt.datetime.combine(
            where.until + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC))
    return list(session.scalars(query))


def entities(session: Session) -> list[str]:
    """The entity names the trail can hold, for the filter's drop-down (known from the audited
    models: a DISTINCT over the whole trail would cost more than the rest of the page)."""
    return audited_entities()


def describe(entry: AuditEntry) -> list[tuple[str, object, object]]:
    """The changed fields of an entry as (field, old, new), by field name."""
    return [(k, v[0], v[1]) if isinstance(v, list) and len(v) == 2 else (k, None, v)
            for k, v in sorted(json.loads(entry.changes).items())]
