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
    notify,
    reference,
    reports,
    settlement,
    sharing,
    tokens,
    users,
)


def register_commands(app: Flask) -> None:
    """Attach every command group to the app."""
    for module in (db, demo, users, reference, funds, sharing, settlement, audit, exchange,
                   reports, tokens, notify, catalogue):
        for command in getattr(module, "commands", None) or (module.group,):
            app.cli.add_command(command)
