"""Alembic environment: runs migrations on the URL or connection the app's schema service gives."""

from __future__ import annotations

from alembic import context
from sqlalchemy import TypeDecorator

import app.models  # noqa: F401  (registers every table on the metadata)
from app.models.base import Base
from app.models.database import make_engine

config = context.config


def _render_item(kind, obj, autogen_context):
    """Write the app's column types as plain SQL types: migrations never import app code."""
    if kind == "type" and isinstance(obj, TypeDecorator):
        return "sa." + repr(obj.impl_instance)
    return False


def _run(connection) -> None:
    context.configure(
        render_item=_render_item,
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate on a given connection (tests) or on a new engine for the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run them online.")
run_migrations_online()
