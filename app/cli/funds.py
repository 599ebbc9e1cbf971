"""``flask funds metrics CODE --as-of DATE [--json]``."""

from __future__ import annotations

import datetime as dt
import json

import click
from flask.cli import AppGroup

from app.cli.common import fail, unit_of_work
from app.domain.fund_metrics import to_json_dict
from app.domain.money import format_amount, format_percent, format_ratio
from app.services.access.scopes import SYSTEM
from app.services.funds import metrics

group = AppGroup("funds", help="Funds.")


@group.command("metrics")
@click.argument("code")
@click.option("--as-of", "as_of", required=True, help="A date such as 2025-06-30.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object, decimals as strings.")
def show_metrics(code: str, as_of: str, as_json: bool) -> None:
    """Print the metrics of fund CODE as of a date (funds.md)."""
    try:
        day = dt.date.fromisoformat(as_of)
    except ValueError:
        fail(f'--as-of: "{as_of}" is not a date like 2025-06-30')
    with unit_of_work("funds metrics") as session:
        result = metrics.fund_metrics(session, SYSTEM, code, day)
    if as_json:
        click.echo(json.dumps(to_json_dict(result), ensure_ascii=False, indent=1))
        return
    for name in to_json_dict(result):
        if name == "investments":
            continue
        raw = getattr(result, name)
        if name.endswith("irr") or name == "deployment_rate":
            shown = format_percent(raw)
        elif name in ("leverage_multiple", "dpi", "rvpi", "tvpi", "return_investment_ratio"):
            shown = format_ratio(raw)
        else:
            shown = format_amount(raw)
        click.echo(f"{name:32} {shown:>24}")
