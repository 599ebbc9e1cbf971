"""``flask regions import FILE`` and ``flask reference load``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.cli.common import fail, unit_of_work
from app.services import reference

group = AppGroup("regions", help="Regions (GB/T 2260).")


@group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
def import_regions(file: str) -> None:
    """Add prefecture- and county-level regions from a CSV of code,name[,name_en]."""
    try:
        with open(file, encoding="utf-8-sig", newline="") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {exc}")
    with unit_of_work("regions import") as session:
        reference.load_builtin_reference(session)
        result = reference.import_regions(session, lines)
    click.echo(f"{result.added} added, {result.updated} renamed, {result.unchanged} unchanged.")


@group.command("load-builtin")
def load_builtin() -> None:
    """Load the shipped provinces and industry divisions (safe to run again)."""
    with unit_of_work("regions load-builtin") as session:
        added = reference.load_builtin_reference(session)
    click.echo(f"{added} reference rows added.")
