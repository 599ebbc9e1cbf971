"""Engine construction with the per-dialect settings the app relies on."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL and real SAVEPOINT support."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, future=True)


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
