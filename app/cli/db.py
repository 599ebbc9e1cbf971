"""``flask db upgrade|downgrade|current|check``: Alembic migrations from ``migrations/``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.services import schema

group = AppGroup("db", help="Database migrations.")


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
