"""``flask regions import FILE``, ``flask regions import-edition FILE`` and ``load-builtin``."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from app.cli.common import fail, unit_of_work
from app.services.reference import editions as region_editions
from app.services.reference import lookups as reference

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


def _lines(file: str) -> list[str]:
    try:
        with open(file, encoding="utf-8-sig", newline="") as handle:
            return handle.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {exc}")


@group.command("import-edition")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--edition", required=True, help="The edition's name, e.g. 2023.")
@click.option("--successors", type=click.Path(dir_okay=False), default=None,
              help="CSV of old_code,new_code: the successor of each retired code (mergers).")
@click.option("--valid-until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last day of the retired codes (default: today).")
def import_edition(file: str, edition: str, successors: str | None, valid_until) -> None:
    """Bring the regions to a newer GB/T 2260 edition (code,name,level,parent_code[,name_en]):
    adds, renames, retires the codes it no longer lists (never deletes them)."""
    lines = _lines(file)
    successor_lines = _lines(successors) if successors else None
    until = valid_until.date() if valid_until else datetime.now(UTC).date()
    with unit_of_work("regions import-edition") as session:
        result = region_editions.import_edition(session, lines, edition, until, successor_lines)
    click.echo(f"Edition {result.edition}: {result.added} added, {result.renamed} renamed, "
               f"{result.retired} retired, {result.restored} restored, "
               f"{result.unchanged} unchanged.")
