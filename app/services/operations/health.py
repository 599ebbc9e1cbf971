"""Readiness of the app's database: it answers, and its schema is at the migrations' head."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from app.services.operations import schema


@dataclass(frozen=True)
class Readiness:
    """The outcome of the checks: ``ready`` only if every check passed."""

    ready: bool
    checks: dict[str, str] = field(default_factory=dict)
    revision: str | None = None
    head: str | None = None


@lru_cache(maxsize=1)
def _scripts() -> tuple[str, frozenset[str]]:
    """The head of the shipped migration scripts and every revision they know (read once)."""
    return ",".join(sorted(schema.heads())), frozenset(schema.known_revisions())


def migration_head() -> str:
    """The head revision of the shipped migration scripts."""
    return _scripts()[0]


def readiness(session: Session) -> Readiness:
    """Run ``SELECT 1`` (twice if the first meets a dropped connection) and compare the
    database's Alembic revision with the scripts' head."""
    head = migration_head()
    for attempt in (1, 2):
        try:
            session.execute(text("SELECT 1"))
            break
        except SQLAlchemyError as error:
            session.rollback()
            # A pooled connection the server dropped (the pool is discarded with it): once more.
            if attempt == 1 and isinstance(error, DBAPIError) and error.connection_invalidated:
                continue
            return Readiness(False, {"database": "unreachable", "migrations": "unknown"}, None,
                             head)
    try:
        rows = session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError:  # no alembic_version table: never migrated
        session.rollback()
        return Readiness(False, {"database": "ok", "migrations": "not migrated"}, None, head)
    revision = ",".join(sorted(rows)) or None
    if revision == head:
        state = "ok"
    elif rows and not set(rows) <= _scripts()[1]:
        # Migrated by a newer release during a rolling deploy: this server keeps serving until
        # it is replaced (migrations are written to be compatible with the previous release).
        state = "newer than this release"
    else:
        state = "not at head"  # behind (or never migrated): run `flask db upgrade`
    ready = state != "not at head"
    return Readiness(ready, {"database": "ok", "migrations": state}, revision, head)
