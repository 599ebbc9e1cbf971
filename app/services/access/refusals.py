"""Refused credentials counted per source and minute, so unauthenticated callers cannot grow the
audit trail without limit (a security event per refusal would let anyone append to the chain).

Each refusal adds one to the counter row of its source (the caller's address) and minute (UTC)
in ``refusal_counters``, which is not part of the hash chain. Only the first refusal of a source
in a minute writes an audit entry; it also states how many that source had refused in the
minute before (``refused_in_previous_minute``), so the trail summarises every refusal while
growing by at most one entry per source and minute. A source refused more than
``API_REFUSALS_PER_MINUTE`` times (a setting, default 20) in the current minute is answered 429
with ``Retry-After`` (the seconds to the next minute) instead of 401. Counter rows older than
``KEEP`` are deleted when a source's first refusal of a minute is recorded.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.models import RefusalCounter
from app.models.audit import append_entries
from app.models.base import utcnow
from app.models.database import is_postgresql

WINDOW = dt.timedelta(minutes=1)
REFUSALS_PER_MINUTE = 20
"""Refusals of one source in one minute before it is answered 429 (Too Many Requests); the
app's setting ``API_REFUSALS_PER_MINUTE`` overrides it."""
KEEP = dt.timedelta(days=7)
"""How long the per-minute counts are kept."""


def _window_start(now: dt.datetime) -> dt.datetime:
    return now.replace(second=0, microsecond=0)


@dataclass(frozen=True)
class Refusal:
    """One counted refusal: how many the source has had in the minute it was counted in."""

    refused: int
    window_start: dt.datetime

    def retry_after(self, limit: int = REFUSALS_PER_MINUTE,
                    now: dt.datetime | None = None) -> int | None:
        """Seconds (whole, at least 1) until the source may try again if this refusal was over
        ``limit`` in its minute; else None. Decided on the minute the refusal was counted in, so
        a refusal counted at hh:mm:59.999 is not answered 401 because the answer is composed in
        the next minute."""
        if self.refused <= limit:
            return None
        remaining = self.window_start + WINDOW - (now or utcnow())
        return max(1, math.ceil(remaining.total_seconds()))


def record(session: Session, source: str, actor: tuple[int | None, str],
           event: tuple[str, str, str, dict]) -> Refusal:
    """Count one refusal of ``source`` (at most 64 characters kept) and, if it is the source's
    first this minute, append ``event`` (entity, entity id, action, changes) to the audit trail
    with the previous minute's count. The refusal, with the source's count this minute."""
    source, now = (source or "?")[:64], utcnow()
    start = _window_start(now)
    table = RefusalCounter.__table__
    insert = (postgresql_insert if is_postgresql(session) else sqlite_insert)(table).values(
        source=source, window_start=start, refused=1)
    refused = session.execute(insert.on_conflict_do_update(
        index_elements=[table.c.source, table.c.window_start],
        set_={"refused": table.c.refused + 1}).returning(table.c.refused)).scalar_one()
    if refused == 1:
        before = session.scalar(select(table.c.refused).where(
            table.c.source == source, table.c.window_start == start - WINDOW)) or 0
        entity, entity_id, action, changes = event
        append_entries(session.connection(), actor, [(entity, entity_id, action, {
            **changes, "refused_in_previous_minute": before})])
        session.execute(delete(table).where(table.c.window_start < start - KEEP))
    return Refusal(refused, start)
