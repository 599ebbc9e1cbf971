"""Raising an event: one notification row per recipient, in the caller's transaction.

The rows are inserted with ``INSERT … ON CONFLICT DO NOTHING`` on (event key, recipient), so an
event raised twice (a retried request, two servers, a reminder source run every few minutes) is
stored once, and a rolled-back action leaves nothing behind. Notifications are messages derived
from audited events, not business data: they are not written to the audit trail themselves."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models import Notification
from app.models.base import utcnow
from app.services.notifications.texts import KINDS


@dataclass(frozen=True)
class Event:
    """What happened: its kind, a key naming this very event, the texts' params (strings), the
    app path where the reader acts, the object it is about, and an issued report to attach."""

    kind: str
    key: str
    params: dict[str, str]
    link: str
    object_kind: str | None = None
    object_id: int | None = None
    report_id: int | None = None


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(Notification.__table__).on_conflict_do_nothing(
            index_elements=["event_key", "user_id"])
    if session.get_bind().dialect.name == "sqlite":
        return sqlite.insert(Notification.__table__).on_conflict_do_nothing(
            index_elements=["event_key", "user_id"])
    return insert(Notification.__table__)  # pragma: no cover - the two engines the app runs on


def raise_event(session: Session, event: Event, recipients: Iterable[int],
                actor_id: int | None = None) -> int:
    """Store ``event`` for each recipient except the actor; return how many rows were new."""
    if event.kind not in KINDS:
        raise ValueError(f"unknown kind of notification {event.kind}")
    users = sorted({u for u in recipients if u is not None and u != actor_id})
    if not users:
        return 0
    now = utcnow()
    params = json.dumps({k: str(v) for k, v in event.params.items()}, ensure_ascii=False,
                        sort_keys=True)
    rows = [{"user_id": user_id, "kind": event.kind, "event_key": event.key[:200],
             "params": params, "link": event.link, "object_kind": event.object_kind,
             "object_id": event.object_id, "report_id": event.report_id, "created_at": now,
             "email_state": "PENDING", "attempts": 0} for user_id in users]
    table = Notification.__table__
    stored = session.execute(_insert(session).returning(table.c.id), rows).all()
    return len(stored)
