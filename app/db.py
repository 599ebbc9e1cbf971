"""Flask glue for the database: an engine and sessionmaker on the app, a session per request.

A request whose first statement meets a connection the server has dropped (a killed backend, a
database restart) is run once more on a fresh connection, when nothing was written yet: the
failed transaction never started on the server, so the client sees no error (see
``_retry_on_stale_connection``). Dead pooled connections are mostly caught before they are used
(``app.models.database``: a free, non-blocking look at the socket on checkout), so this retry
is the fallback for the race in which a backend dies between checkout and first statement.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.models.database import make_engine

STALE_MARK = "stale_connection"
"""The attribute set on a disconnect error raised by the first statement of a transaction."""


def init_app(app: Flask) -> None:
    """Create the engine and the sessionmaker, and close the request's session at teardown."""
    engine = make_engine(app.config["DATABASE_URL"], echo=app.config["SQL_ECHO"])
    app.extensions["db_engine"] = engine
    # The time zone "today" is read in (deadlines of the quarterly cycle).
    factory = sessionmaker(bind=engine, expire_on_commit=False,
                           info={"time_zone": app.config["TIME_ZONE"]})
    app.extensions["db_sessionmaker"] = factory
    app.teardown_appcontext(_close_session)
    if engine.dialect.name != "sqlite":
        _mark_disconnects_on_first_statements(engine)
        _note_flushes(factory)
        _retry_on_stale_connection(app)


def get_session() -> Session:
    """The session of the current request or command, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db_sessionmaker"]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        # Anything not committed by the view is discarded: a failed request writes nothing.
        # The one exception: cache rows (services/snapshots.py) filled by a request that changed
        # nothing else are committed, so the next request, on any app server, reads them.
        if (_exc is None and session.info.get("cache_written")
                and not session.info.get("business_flushed")):
            try:
                session.commit()
            except DBAPIError:  # pragma: no cover - a lost cache row is only recomputed
                session.rollback()
        session.close()


def _mark_disconnects_on_first_statements(engine) -> None:
    """Count the statements of each transaction; a disconnect on the first one is marked
    (``STALE_MARK``): that transaction wrote nothing, so running its request again is safe."""

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # pragma: no cover - engine callback
        connection.info["statements"] = 0

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(connection, *_args):  # pragma: no cover - engine callback
        connection.info["statements"] = connection.info.get("statements", 0) + 1

    @event.listens_for(engine, "handle_error")
    def _on_error(context):  # pragma: no cover - engine callback
        if not context.is_disconnect or context.sqlalchemy_exception is None:
            return
        connection = context.connection
        try:
            first = connection is None or connection.info.get("statements", 0) <= 1
        except Exception:
            first = True
        if first:
            setattr(context.sqlalchemy_exception, STALE_MARK, True)


def _note_flushes(factory: sessionmaker) -> None:
    @event.listens_for(factory, "after_flush")
    def _on_flush(session, _context):  # pragma: no cover - session callback
        session.info["wrote"] = True


def _retry_on_stale_connection(app: Flask) -> None:
    """Run a request once more when its database connection turned out dead on the first
    statement of a transaction and the request had flushed nothing: the pool has been
    invalidated by then (SQLAlchemy discards every pooled connection older than the failure),
    so the second run starts on a fresh connection. Any other error is left alone."""
    dispatch = app.full_dispatch_request

    def full_dispatch_request():
        try:
            return dispatch()
        except DBAPIError as error:
            session = g.get("db_session")
            if not getattr(error, STALE_MARK, False) or (
                    session is not None and session.info.get("wrote")):
                raise
            current_app.logger.warning("database connection lost before the request's first "
                                       "statement; running the request again: %s", error.orig)
            g.pop("db_session", None)
            if session is not None:
                session.close()
            return dispatch()

    app.full_dispatch_request = full_dispatch_request
