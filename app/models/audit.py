"""The audit trail: one hash-chained row per change of business data, written in the same
transaction as the change by a session listener. Nothing else writes to the table."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Connection, ForeignKey, String, Text, event, inspect, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session, query_expression

from app.domain.hashchain import GENESIS, canonical_json, entry_hash, to_plain
from app.models.base import Base, IntPK, UTCDateTime, utcnow

SECRET_FIELDS = frozenset({"password_hash", "token_hash"})
_PG_CHAIN_LOCK = 7_326_001  # an arbitrary advisory-lock key that serialises chain appends


class AuditEntry(Base):
    """One change (or security event), chained to its predecessor by SHA-256."""

    __tablename__ = "audit_entries"

    id: Mapped[IntPK]
    seq: Mapped[int] = mapped_column(unique=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor: Mapped[str] = mapped_column(String(254))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(24))
    changes: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Filled only by a query that asks for them (services/audit.py, the trail's list page):
    # the start of ``changes`` and its length in characters, so a page of entries never reads
    # the whole of a large one.
    changes_preview: Mapped[str | None] = query_expression()
    changes_length: Mapped[int | None] = query_expression()

    def content(self) -> dict:
        """The hashed fields of this entry."""
        return entry_content(
            self.seq, self.at, self.actor_id, self.actor, self.entity, self.entity_id,
            self.action, json.loads(self.changes),
        )

    @property
    def changed_fields(self) -> dict:
        """The changes as a mapping of field → [old, new]."""
        return json.loads(self.changes)


def entry_content(seq, at, actor_id, actor, entity, entity_id, action, changes) -> dict:
    """The canonical content of an entry, as hashed."""
    return {
        "seq": seq, "at": to_plain(at), "actor_id": actor_id, "actor": actor,
        "entity": entity, "entity_id": str(entity_id), "action": action, "changes": changes,
    }


_AUDITED: set[type] = set()


def audited(cls: type) -> type:
    """Class decorator: changes to rows of this model are written to the audit trail."""
    _AUDITED.add(cls)
    return cls


def audited_entities() -> list[str]:
    """Every entity name the trail can hold: the audited tables, and ``security`` (refused
    sign-ins, tokens and access)."""
    return sorted({cls.__tablename__ for cls in _AUDITED} | {"security"})


def set_actor(session: Session, user_id: int | None, label: str) -> None:
    """Name who is acting in this session (a user, or a command such as ``cli:demo``)."""
    session.info["actor"] = (user_id, label)


def append_entries(connection: Connection, actor: tuple[int | None, str], events: list) -> None:
    """Append ``events`` (entity, entity_id, action, changes) to the chain, in order."""
    if not events:
        return
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_CHAIN_LOCK})
    table = AuditEntry.__table__
    head = connection.execute(
        select(table.c.seq, table.c.hash).order_by(table.c.seq.desc()).limit(1)
    ).first()
    seq, previous = (head.seq, head.hash) if head else (0, GENESIS)
    now = utcnow()
    rows = []
    for entity, entity_id, action, changes in events:
        seq += 1
        content = entry_content(seq, now, actor[0], actor[1], entity, entity_id, action, changes)
        digest = entry_hash(content, previous)
        rows.append({
            "seq": seq, "at": now, "actor_id": actor[0], "actor": actor[1], "entity": entity,
            "entity_id": str(entity_id), "action": action,
            "changes": canonical_json(changes), "prev_hash": previous, "hash": digest,
        })
        previous = digest
    connection.execute(table.insert(), rows)


def _column_changes(obj, action: str) -> dict:
    state = inspect(obj)
    changes = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in ("version", "created_at"):
            continue
        history = state.attrs[key].history
        if action == "INSERT":
            old, new = None, getattr(obj, key)
        elif action == "DELETE":
            old, new = (history.deleted or history.unchanged or [None])[0], None
        else:
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old == new:
                continue
        if new is None and old is None:
            continue
        if key in SECRET_FIELDS:
            old, new = ("***" if old else None), ("***" if new else None)
        changes[key] = [to_plain(old), to_plain(new)]
    return changes


def _identity(obj) -> str:
    # The identity key is only assigned after the flush completes; read the columns instead.
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return "/".join(str(k) for k in key)


def _record(action: str):
    """A mapper event handler that notes one row's change on its session, computed while the
    attribute history is still there (deletes by cascade or delete-orphan included)."""

    def handler(_mapper, _connection, obj) -> None:
        if type(obj) not in _AUDITED:
            return
        changes = _column_changes(obj, action)
        if action == "UPDATE" and not changes:
            return
        session = object_session(obj)
        session.info.setdefault("audit_events", []).append(
            (type(obj).__tablename__, _identity(obj), action, changes))

    return handler


event.listen(Base, "after_insert", _record("INSERT"), propagate=True)
event.listen(Base, "after_update", _record("UPDATE"), propagate=True)
event.listen(Base, "after_delete", _record("DELETE"), propagate=True)


@event.listens_for(Session, "after_flush")
def _write_audit_entries(session: Session, _context) -> None:
    events = session.info.pop("audit_events", [])
    if events:
        actor = session.info.get("actor", (None, "system"))
        append_entries(session.connection(), actor, events)


@event.listens_for(Session, "after_soft_rollback")
def _forget_unwritten(session: Session, _previous) -> None:
    session.info.pop("audit_events", None)
