"""The engine's handling of pooled server connections (app/models/database.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from app.models import database
from app.models.database import make_engine

pytestmark = pytest.mark.postgres_only


def _backend_pid(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(text("SELECT pg_backend_pid()"))


def _terminate(admin, pid: int) -> None:
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def test_a_connection_that_died_while_idle_in_the_pool_is_replaced_unseen(database_url,
                                                                         monkeypatch):
    engine, admin = make_engine(database_url), make_engine(database_url)
    try:
        first = _backend_pid(engine)
        monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)
        _terminate(admin, first)  # the server went away while the connection sat in the pool

        second = _backend_pid(engine)  # no error reaches the caller

        assert second != first
    finally:
        engine.dispose()
        admin.dispose()


def test_a_connection_in_steady_use_is_not_pinged(database_url):
    engine = make_engine(database_url)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: statements.append(statement))
    pings = []
    original = engine.dialect.do_ping
    engine.dialect.do_ping = lambda dbapi_connection: pings.append(1) or original(dbapi_connection)
    try:
        for _ in range(3):
            _backend_pid(engine)
        assert pings == []  # used moments ago: three requests, three round trips, no ping
        assert len(statements) == 3
    finally:
        engine.dispose()
