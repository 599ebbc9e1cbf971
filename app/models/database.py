"""Engine construction with the per-dialect settings the app relies on."""

from __future__ import annotations

import select
import time

from sqlalchemy import Engine, create_engine, event, exc

PING_AFTER_IDLE_SECONDS = 10.0
"""A pooled server connection unused for longer than this is pinged before it is handed out."""


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL and real SAVEPOINT support; a server
    database gets a ping of connections that sat idle in the pool (see ``_ping_when_idle``)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, echo=echo)
    _ping_when_idle(engine)
    return engine


def _has_news(dbapi_connection) -> bool:
    """Whether the server has sent something to an idle connection: on a connection that is
    not in use that is a FATAL message and the end of the stream (a terminated backend, a
    server shut down) or, rarely, a notice. A non-blocking ``select`` on the socket: no round
    trip. A connection whose socket cannot be had counts as having news."""
    try:
        readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    except (OSError, ValueError, AttributeError, Exception):
        return True
    return bool(readable)


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before use when it has been idle for a while, or when the
    server has written to it while it sat in the pool.

    ``pool_pre_ping`` would ping on every checkout: one more round trip to the server on every
    request. A connection in steady use has just proved itself, so only one that sat in the pool
    longer than ``PING_AFTER_IDLE_SECONDS`` (a server restart or an idle-connection timeout in
    between) is pinged, and one whose socket is readable (``pg_terminate_backend`` or a restart
    leave a FATAL message and the end of the stream there, which costs nothing to notice); a
    dead one is replaced before the request sees it. A connection that dies while in use fails
    its statement, and SQLAlchemy then discards the pool (app/db.py runs the request again when
    that was its first statement)."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record):  # pragma: no cover - pool callback
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):  # pragma: no cover - pool callback
        idle_since = record.info.get("idle_since")
        if idle_since is None:
            return  # just connected
        if (time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS
                and not _has_news(dbapi_connection)):
            return  # used moments ago, and the server has said nothing since
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError(str(error)) from error
        if not alive:
            raise exc.DisconnectionError("the pooled connection did not answer a ping")


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - driver callback
        # Let SQLAlchemy, not pysqlite, decide when transactions begin, so SAVEPOINTs work.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # pragma: no cover - driver callback
        connection.exec_driver_sql("BEGIN")


def is_postgresql(engine_or_connection) -> bool:
    """Whether the engine, connection or session talks to PostgreSQL."""
    return engine_or_connection.get_bind().dialect.name == "postgresql" if hasattr(
        engine_or_connection, "get_bind"
    ) else engine_or_connection.dialect.name == "postgresql"
