"""Flask glue for the database: an engine and sessionmaker on the app, a session per request."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.models.database import make_engine


def init_app(app: Flask) -> None:
    """Create the engine and the sessionmaker, and close the request's session at teardown."""
    engine = make_engine(app.config["DATABASE_URL"], echo=app.config["SQL_ECHO"])
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


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
