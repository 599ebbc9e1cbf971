"""The ``flask --app wsgi …`` commands: thin wrappers that parse, call a service, commit once."""

from __future__ import annotations

from flask import Flask

from app.cli import (
    audit,
    catalogue,
    db,
    demo,
    exchange,
    funds,
    reference,
    reports,
    sharing,
    tokens,
    users,
)


def register_commands(app: Flask) -> None:
    """Attach every command group to the app."""
    for module in (db, demo, users, reference, funds, sharing, audit, exchange, reports,
                   tokens, catalogue):
        for command in getattr(module, "commands", None) or (module.group,):
            app.cli.add_command(command)
