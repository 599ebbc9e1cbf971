"""``flask catalogue import FILE --name NAME [--current]``, ``catalogue current EDITION``,
``catalogue screen`` and ``catalogue list`` (catalogue.md)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.cli.common import fail, unit_of_work
from app.services import screening
from app.services.access.scopes import SYSTEM
from app.services.exchange.imports.catalogue import import_catalogue
from app.services.exchange.imports.limits import Limits
from app.services.funds import catalogue_changes
from app.services.reference import catalogue

group = AppGroup("catalogue", help="The transfer guidance catalogue and the screening of projects.")


def print_activation(activation: screening.Activation | None) -> None:
    """Print which edition is current and the projects whose flag changed."""
    if activation is None:
        click.echo("No catalogue edition: nothing screened.")
        return
    against = f" (against {activation.previous.name})" if activation.previous else ""
    click.echo(f"Current edition: {activation.edition.name}; {activation.screened} projects "
               f"screened; {len(activation.changes)} changed{against}.")
    for change in activation.changes:
        click.echo(f"  {change.code}  {change.before} -> {change.after}  {change.name}")


@group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("--name", required=True, help="The edition's name, e.g. 2018.")
@click.option("--published", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The date the edition was published.")
@click.option("--source", default="", help="Where the edition comes from (a note).")
@click.option("--sample", is_flag=True, help="Mark the edition as a sample (not the catalogue).")
@click.option("--current", "make_current", is_flag=True,
              help="Make it the current edition and re-screen every project.")
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
def import_command(file: str, name: str, published, source: str, sample: bool,
                   make_current: bool, dry_run: bool) -> None:
    """Import an edition (CSV or XLSX: region, list, heading, text, codes, exceptions,
    needs_review), all or nothing. The first edition becomes current by itself."""
    data = catalogue.EditionData(name=name, published_on=published.date() if published else None,
                                 source_note=source, is_sample=sample)
    with unit_of_work("catalogue import") as session, open(file, "rb") as stream:
        result = import_catalogue(session, SYSTEM, stream, Path(file).name, data=data,
                                  make_current=make_current, dry_run=dry_run,
                                  limits=Limits.from_config(current_app.config))
        if not result.ok:
            fail(f"nothing was written: {len(result.errors)} error"
                 f"{'s' if len(result.errors) > 1 else ''} in {Path(file).name}:\n  "
                 + "\n  ".join(result.errors))
    verb = "would be imported (dry run)" if dry_run else "imported"
    click.echo(f"Edition {result.edition}: {result.entries} entries {verb}.")
    if result.activation is not None:
        print_activation(result.activation)


@group.command("current")
@click.argument("edition")
def current_command(edition: str) -> None:
    """Make EDITION (its name) the current edition and re-screen every project."""
    with unit_of_work("catalogue current") as session:
        found = catalogue.edition_by_name(session, edition)
        if found.is_current:
            fail(f"{edition} is the current edition already")
        activation = catalogue_changes.activate(session, SYSTEM, found.id)
        print_activation(activation)


@group.command("screen")
def screen_command() -> None:
    """Screen every project against the current edition again and print the changes."""
    with unit_of_work("catalogue screen") as session:
        print_activation(catalogue_changes.rescreen(session, SYSTEM))


@group.command("list")
def list_command() -> None:
    """List the editions, the current one marked with *."""
    with unit_of_work("catalogue list") as session:
        for edition, entries in catalogue.list_editions(session):
            mark = "*" if edition.is_current else " "
            sample = " (sample)" if edition.is_sample else ""
            click.echo(f"{mark} {edition.name}{sample}: {entries} entries")
