"""Database schema migrations (Alembic) for the command line, the demo and the tests."""

from __future__ import annotations

import io
from pathlib import Path

from alembic import command
from alembic.config import Config

from app.models.database import make_engine

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"


def alembic_config(url: str, connection=None, stdout=None) -> Config:
    """An Alembic configuration for ``url`` (or an open ``connection``), with dated file names."""
    config = Config(stdout=stdout or io.StringIO())
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.set_main_option(
        "file_template", "%%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d_%%(slug)s"
    )
    config.attributes["connection"] = connection
    return config


def upgrade(url: str, revision: str = "head", connection=None) -> None:
    """Migrate the database up to ``revision``."""
    command.upgrade(alembic_config(url, connection), revision)


def downgrade(url: str, revision: str, connection=None) -> None:
    """Migrate the database down to ``revision`` (for example ``-1``)."""
    command.downgrade(alembic_config(url, connection), revision)


def current(url: str) -> str:
    """The revision the database is at, as Alembic prints it."""
    out = io.StringIO()
    command.current(alembic_config(url, stdout=out))
    return out.getvalue().strip() or "(empty database)"


def check(url: str, connection=None) -> None:
    """Raise if the models and the migrations have drifted apart."""
    command.check(alembic_config(url, connection))


def heads() -> list[str]:
    """The head revisions of the migration scripts."""
    return list(_scripts().get_heads())


def known_revisions() -> set[str]:
    """Every revision the migration scripts know, heads and ancestors."""
    return {script.revision for script in _scripts().walk_revisions()}


def _scripts():
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def analyze(url: str) -> None:
    """After a bulk load: refresh the query planner's statistics and, on PostgreSQL, the
    visibility map (``VACUUM ANALYZE``, outside a transaction as it must be). Without the
    statistics PostgreSQL plans a 2,000-row table as if it held 200 and sorts where it should
    walk an index; without the visibility map an index-only scan still visits every row's
    page. Autovacuum would get there too, some minutes later."""
    engine = make_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM (ANALYZE)")
        else:
            with engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()
