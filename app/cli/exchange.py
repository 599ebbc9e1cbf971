"""``flask import KIND FILE [--dry-run]`` and ``flask export KIND --format csv|xlsx -o FILE``."""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import nullcontext
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli.common import fail, unit_of_work
from app.services.access.scopes import SYSTEM
from app.services.exchange import exports
from app.services.exchange.imports import KINDS, WORKBOOK, ImportResult, import_file
from app.services.exchange.imports.layout import EXPORTED
from app.services.exchange.imports.limits import Limits

PROGRESS_FROM_BYTES = 1 << 20  # files smaller than this import too fast for a progress bar


@click.command("import")
@with_appcontext
@click.argument("kind", type=click.Choice([*KINDS, WORKBOOK]))
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
def import_command(kind: str, file: str, dry_run: bool) -> None:
    """Import a CSV or XLSX file of KIND (or an XLSX workbook with one sheet per kind, named
    after it), all or nothing, as the operator on the server."""
    name = Path(file).name
    with unit_of_work("import") as session, open(file, "rb") as stream:
        size = os.path.getsize(file)
        shown = sys.stderr.isatty() and size >= PROGRESS_FROM_BYTES
        bar = click.progressbar(length=size, label=f"Reading {name}", file=sys.stderr) \
            if shown else nullcontext(None)
        with bar as progress_bar:
            result = import_file(session, SYSTEM, kind, stream, name, dry_run=dry_run,
                                 progress=_reporter(progress_bar, size),
                                 limits=Limits.from_config(current_app.config))
        if not result.ok:
            errors = result.errors
            fail(f"nothing was written: {len(errors)} error{'s' if len(errors) > 1 else ''} "
                 f"in {name}:\n  " + "\n  ".join(errors))
    click.echo(summary(result))


def _reporter(bar, size: int):
    """A progress callback moving ``bar`` to the reader's position (bytes, or rows of XLSX)."""
    if bar is None:
        return None
    state = {"at": 0}

    def report(position: int, total: int) -> None:
        done = position if total else min(size, position * 100)  # XLSX: ~100 bytes a row
        if done > state["at"]:
            bar.update(done - state["at"])
            state["at"] = done

    return report


def summary(result: ImportResult) -> str:
    """What an import did (or would do), one line per kind."""
    lines = []
    for part in result.parts:
        encoding = f" (read as {part.encoding})" if part.encoding not in ("", "utf-8-sig") \
            else ""
        lines.append(f"{part.kind}: {part.rows} rows{encoding}: {part.added} added, "
                     f"{part.updated} updated, {part.unchanged} unchanged")
    if result.dry_run:
        lines.append("Dry run: nothing was written.")
    elif result.total("changes") == 0:
        lines.append("0 changes: everything in the file is there already.")
    return "\n".join(lines)


@click.command("export")
@with_appcontext
@click.argument("kind", type=click.Choice(list(EXPORTED)))
@click.option("--format", "fmt", type=click.Choice(exports.FORMATS), default=None,
              help="csv or xlsx (default: from the output file's extension).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The file to write.")
def export_command(kind: str, fmt: str | None, output: str) -> None:
    """Write every row of KIND in the import layout (it imports back with no change)."""
    fmt = fmt or Path(output).suffix.lower().lstrip(".")
    if fmt not in exports.FORMATS:
        fail(f"--format: give csv or xlsx (the output {output} does not say which)")
    target = Path(output).resolve()
    with unit_of_work("export") as session:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(handle, "wb") as out:
                count = exports.export(session, SYSTEM, kind, fmt, out)
            os.replace(temporary, target)  # a whole file or none: never half an export
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    click.echo(f"{count} {kind} rows written to {output}.")


commands = (import_command, export_command)
"""The commands this module adds to ``flask``."""
