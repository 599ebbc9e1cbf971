"""The public worked example of funds.md, entered through the services and read back by the CLI.

Every figure of ``tests/examples/funds.json`` must come out of ``flask funds metrics``: amounts
exactly, ratios and IRRs after rounding half up to two places, undefined values as null.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal

from app.domain.codes import (
    CooperationMode,
    FundClass,
    Instrument,
    Intensity,
    InvestorType,
    MovementType,
    ProjectStatus,
    TransactionType,
)
from app.models import Fund
from app.services.access.scopes import SYSTEM
from app.services.funds import investments, projects
from app.services.funds import register as funds
from tests.cli.running import run_command
from tests.factories import EXAMPLES

EXAMPLE = json.loads((EXAMPLES / "funds.json").read_text(encoding="utf-8"))
EXAMPLE_SOURCE_REGION = "440300"
"""The example does not name where its projects come from; any region other than theirs."""

AMOUNTS = ("committed", "government_commitment", "paid_in", "unfunded", "distributed", "fees",
           "investment_commitments", "undrawn_investment_commitments", "disbursed", "realized",
           "portfolio_value", "cash", "nav")
RATIOS = ("leverage_multiple", "deployment_rate", "dpi", "rvpi", "tvpi",
          "return_investment_ratio")


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def load_funds_example(session, example: dict = EXAMPLE, actor=SYSTEM) -> Fund:
    """Enter the example's fund, LPs, movements, projects, ledgers and valuations via the services.

    Projects are registered with the example's codes and destination regions; their source region
    is ``EXAMPLE_SOURCE_REGION``. Returns the fund.
    """
    data = example["fund"]
    fund = funds.create_fund(session, actor, funds.FundData(
        code=data["code"], name="合肥产业转移示例基金", sponsor_region=data["sponsor_region"],
        manager="示例基金管理有限公司", fund_class=FundClass.INDUSTRIAL, vintage=2022,
        target_size=Decimal("1000000000.00")))
    for lp in data["commitments"]:
        funds.add_commitment(session, actor, fund.id, funds.CommitmentData(
            lp["investor"], InvestorType(lp["investor_type"]), _day(lp["date"]),
            Decimal(lp["amount"])))
    for movement in data["movements"]:
        funds.record_movement(session, actor, fund.id, funds.MovementData(
            MovementType(movement["type"]), _day(movement["date"]), Decimal(movement["amount"])))
    for holding in data["investments"]:
        projects.create_project(session, actor, projects.ProjectData(
            code=holding["project"], name=f"示例项目 {holding['project']}",
            enterprise="示例企业有限公司", industry="38", intensity=Intensity.TECHNOLOGY,
            source_region=EXAMPLE_SOURCE_REGION, destination_region=holding["destination"],
            cooperation_mode=CooperationMode.CHAIN_DOCKING,
            status=ProjectStatus.IMPLEMENTATION))
        investment = investments.open_investment(session, actor, fund.id, holding["project"],
                                                 Instrument(holding["instrument"]))
        for entry in holding["transactions"]:
            investments.record_transaction(session, actor, investment.id,
                                           investments.TransactionData(
                                               TransactionType(entry["type"]), _day(entry["date"]),
                                               Decimal(entry["amount"])))
        for valuation in holding.get("valuations", []):
            investments.record_valuation(session, actor, investment.id,
                                         _day(valuation["as_of"]), Decimal(valuation["value"]))
    session.commit()
    return fund


def _two_places(text: str | None) -> str | None:
    if text is None:
        return None
    return str(Decimal(text).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _percent(text: str | None) -> str | None:
    if text is None:
        return None
    return f"{Decimal(text).scaleb(2).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def _metrics_json(app, runner) -> dict:
    result = run_command(app, runner, "funds", "metrics", EXAMPLE["fund"]["code"],
                         "--as-of", EXAMPLE["as_of"], "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_every_amount_of_the_example_comes_out_exactly(db, app, runner):
    load_funds_example(db)
    shown = _metrics_json(app, runner)
    expected = EXAMPLE["expected"]
    assert {name: shown[name] for name in AMOUNTS} == {name: expected[name] for name in AMOUNTS}


def test_every_ratio_of_the_example_matches_after_rounding_half_up(db, app, runner):
    load_funds_example(db)
    shown = _metrics_json(app, runner)
    expected = EXAMPLE["expected"]
    assert {name: _two_places(shown[name]) for name in RATIOS} == {
        name: expected[name] for name in RATIOS}
    assert _percent(shown["net_irr"]) == expected["net_irr"] == "10.57%"


def test_every_investment_of_the_example_matches_including_undefined_ones(db, app, runner):
    load_funds_example(db)
    shown = _metrics_json(app, runner)["investments"]
    got = {key: {"cost": item["cost"], "value": item["value"], "moic": _two_places(item["moic"]),
                 "irr": _percent(item["irr"])} for key, item in shown.items()}
    assert got == EXAMPLE["expected"]["investments"]
    assert shown["P5"]["moic"] is None and shown["P5"]["irr"] is None  # null, not "0"


def test_json_ratios_carry_at_least_six_unrounded_decimals(db, app, runner):
    load_funds_example(db)
    shown = _metrics_json(app, runner)
    for name in (*RATIOS, "net_irr"):
        assert len(shown[name].split(".")[1]) >= 6, (name, shown[name])
    # Rounded for display only: 1,000,000,000 / 300,000,000 is 3.333…, never the display 3.33.
    assert shown["leverage_multiple"].startswith("3.333333")


def test_the_plain_output_shows_multiples_and_percentages_as_users_read_them(db, app, runner):
    load_funds_example(db)
    result = run_command(app, runner, "funds", "metrics", "HF-01", "--as-of", "2025-06-30")
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert lines["leverage_multiple"].rstrip().endswith("3.33×")
    assert lines["net_irr"].rstrip().endswith("10.57 %")
    assert lines["deployment_rate"].rstrip().endswith("59.00 %")
    assert lines["nav"].rstrip().endswith("706,250,000.00")


def test_metrics_count_only_what_is_dated_on_or_before_the_as_of_date(db, app, runner):
    load_funds_example(db)
    result = run_command(app, runner, "funds", "metrics", "HF-01", "--as-of", "2023-01-31",
                         "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["paid_in"] == "400000000.00"  # the 2024 call is not yet made
    assert shown["disbursed"] == "0.00"
    assert Decimal(shown["dpi"]) == 0  # defined (paid-in > 0) and zero, not null
    assert shown["investments"]["P1"]["moic"] is None  # nothing disbursed yet: undefined
