"""Databases the test run makes for itself: PostgreSQL siblings of the run's database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import make_url, text
from sqlalchemy.orm import Session

from app.models import set_actor
from app.models.database import make_engine
from app.services.operations import schema


def migrated_with(url: str, fill: Callable[[Session], object], actor: str = "tests") -> str:
    """Migrate ``url`` to the newest revision, then ``fill(session)`` as ``actor`` and commit
    (for test databases whose data must be really committed); the URL."""
    schema.upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            set_actor(session, None, actor)
            fill(session)
            session.commit()
    finally:
        engine.dispose()
    return url


@contextmanager
def sibling_postgres_database(base_url: str, suffix: str, *,
                              template_url: str | None = None) -> Iterator[str]:
    """A fresh database ``<base>_<suffix>`` on the server of ``base_url``; its URL. Empty, or a
    copy of the database at ``template_url`` (on the same server; nobody may be connected to it:
    dispose its engines first). Dropped (connections and all) when the block ends."""
    base = make_url(base_url)
    name = f"{base.database}_{suffix}"
    create = f'CREATE DATABASE "{name}"'
    if template_url is not None:
        create += f' TEMPLATE "{make_url(template_url).database}"'
    admin = make_engine(base.render_as_string(hide_password=False)).execution_options(
        isolation_level="AUTOCOMMIT")
    drop = text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    with admin.connect() as connection:
        connection.execute(drop)
        connection.execute(text(create))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(drop)
        admin.dispose()
