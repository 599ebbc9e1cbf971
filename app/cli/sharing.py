"""``flask sharing simulate FILE.json``: what-if splits for negotiators, with the statements'
own engine."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from app.cli.common import fail
from app.domain.sharing.rules import RuleError
from app.domain.sharing.simulate import simulate_json

group = AppGroup("sharing", help="Indicator sharing.")


@group.command("simulate")
@click.argument("file", type=click.Path(dir_okay=False))
def simulate(file: str) -> None:
    """Split the observations of FILE (one case, or {"cases": [...]}) and print the allocations
    per quarter and party as JSON (decimals as strings)."""
    try:
        with open(file, encoding="utf-8-sig") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {exc}")
    try:
        result = simulate_json(text)
    except RuleError as exc:
        fail(f"{file}: {exc}")
    click.echo(json.dumps(result, ensure_ascii=False, indent=1))
