"""``flask settlement compute AGREEMENT_CODE YEAR [--json]``: compute the settlement of an
agreement's fiscal year (or show it, when nothing changed since it was computed)."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from app.cli.common import unit_of_work
from app.services.access.scopes import SYSTEM
from app.services.settlement import runs
from app.services.settlement.schedule import cli_json

group = AppGroup("settlement", help="Settlement of shared tax between treasuries.")


@group.command("compute")
@click.argument("agreement_code")
@click.argument("year")
@click.option("--json", "as_json", is_flag=True,
              help="Print the run as JSON (decimals as strings).")
def compute(agreement_code: str, year: str, as_json: bool) -> None:
    """Compute the run of YEAR (all four quarters must be closed), or show it when it exists."""
    with unit_of_work("settlement compute") as session:
        agreement = runs.agreement_by_code(session, SYSTEM, agreement_code)
        run, made = runs.compute(session, SYSTEM, agreement, year)
        data = cli_json(run)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    click.echo(f"{'Computed' if made else 'Unchanged'}: settlement of {data['agreement']} "
               f"{data['fiscal_year']}, version {data['version']} ({run.state.value.lower()})")
    click.echo(f"  fingerprint {data['fingerprint']}")
    click.echo(f"  foots to the statements: {'yes' if run.foots else 'NO'}")
    for net in data["net"]:
        click.echo(f"  net {net['payer']} → {net['payee']}: {net['amount']}")
    for item in data["carried"]:
        click.echo(f"  carried {item['payer']} → {item['payee']}: {item['amount']} "
                   f"({item['reason']})")
