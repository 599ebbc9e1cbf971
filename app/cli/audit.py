"""``flask audit verify``: walk the hash chain."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.cli.common import fail, unit_of_work
from app.services.access.audit import verify_chain

group = AppGroup("audit", help="The audit trail.")


@group.command("verify")
def verify() -> None:
    """Check the audit hash chain and report the first break."""
    with unit_of_work("audit verify") as session:
        report = verify_chain(session)
    if not report.is_intact:
        fail(f"the audit chain is broken at entry {report.broken_at}: {report.problem}")
    click.echo(f"The audit chain of {report.entries} entries is intact. "
               f"Head hash: {report.head_hash}")
