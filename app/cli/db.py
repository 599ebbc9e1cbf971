"""``flask db upgrade|downgrade|current|check``: Alembic migrations from ``migrations/``;
``flask db backup|restore``: copies of the whole database."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.cli.common import fail
from app.services.operations import backups, schema

group = AppGroup("db", help="Database migrations, backups and restores.")


def _url() -> str:
    return current_app.config["DATABASE_URL"]


@group.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    schema.upgrade(_url(), revision)
    click.echo(f"Database at {schema.current(_url())}")


@group.command("downgrade")
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Migrate the database down to REVISION (for example -1)."""
    schema.downgrade(_url(), revision)
    click.echo(f"Database at {schema.current(_url())}")


@group.command("current")
def current() -> None:
    """Print the revision the database is at."""
    click.echo(schema.current(_url()))


@group.command("check")
def check() -> None:
    """Fail if the models and the migrations have drifted apart."""
    schema.check(_url())
    click.echo("Models and migrations agree.")


@group.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Write a consistent copy of the database to FILE (SQLite: backup API; PostgreSQL:
    pg_dump --format=custom). Safe while the app servers run."""
    try:
        click.echo(backups.backup(_url(), file))
    except backups.BackupError as exc:
        fail(f"{exc} (nothing was written)")


@group.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace a database that has tables already.")
def restore(file: Path, yes: bool) -> None:
    """Replace the database by the backup FILE (stop the app servers first)."""
    current_app.extensions["db_engine"].dispose()  # no pooled connection holds a lock
    try:
        click.echo(backups.restore(_url(), file, replace=yes))
    except backups.BackupError as exc:
        fail(f"{exc} (nothing was changed)")
    click.echo(f"Database at {schema.current(_url())}; run `flask db upgrade` if it is behind.")
