"""Databases the test run makes for itself: PostgreSQL siblings of the run's database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import make_url, text

from app.models.database import make_engine


@contextmanager
def sibling_postgres_database(base_url: str, suffix: str) -> Iterator[str]:
    """A fresh, empty database ``<base>_<suffix>`` on the server of ``base_url``; its URL.
    Dropped (connections and all) when the block ends."""
    base = make_url(base_url)
    name = f"{base.database}_{suffix}"
    admin = make_engine(base.render_as_string(hide_password=False)).execution_options(
        isolation_level="AUTOCOMMIT")
    drop = text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    with admin.connect() as connection:
        connection.execute(drop)
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(drop)
        admin.dispose()
