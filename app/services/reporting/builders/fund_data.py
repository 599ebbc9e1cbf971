"""The data of the fund quarterly report, as one plain dict of every figure it shows (yuan as
exact decimal text, ratios and rates as printed), read in a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.domain import fund_metrics as fm
from app.domain.codes import (
    Instrument,
    Intensity,
    MacroRegion,
    MovementType,
    ProjectStatus,
    TransactionType,
    status_shown,
)
from app.domain.money import format_percent, format_ratio
from app.domain.quarter import Quarter, quarters_between
from app.domain.regions import macro_region
from app.models import (
    Fund,
    Investment,
    InvestmentTransaction,
    Movement,
    Project,
    Region,
    ReversalRequest,
)
from app.services.funds.metrics import load_portfolios, metrics_as_of
from app.services.reporting.builders import catalogue
from app.services.reporting.builders.common import amount_text
from app.services.reporting.builders.fund_series import cumulative
from app.services.reporting.builders.shared import shared_indicators

MAX_QUARTERS = 40
AMOUNTS = ("committed", "paid_in", "unfunded", "distributed", "fees", "disbursed",
           "portfolio_value", "cash", "nav")
RATIOS = ("leverage_multiple", "dpi", "rvpi", "tvpi", "return_investment_ratio")
PERCENTS = ("deployment_rate", "net_irr")


def collect(session: Session, fund: Fund, quarter: Quarter) -> dict:
    """Every figure of the fund's report for ``quarter`` (as of its last day), keyed to diff."""
    portfolio = load_portfolios(session, [fund])[fund.id]
    # The figures at the quarter end as the fund's page reads them: through the snapshot cache
    # (one XIRR per holding when computed: thousands for the largest funds).
    metrics = metrics_as_of(session, [fund], quarter.last_day)[fund.id]
    first = Quarter.containing(portfolio.first_activity_on) if portfolio.first_activity_on \
        else quarter
    first = max(min(first, quarter), quarter - (MAX_QUARTERS - 1))
    places = _places(session, fund.id)
    by_key = {key: places[inv.id] for key, inv in portfolio.investments.items()}
    return {
        "fund": {"code": fund.code, "name": fund.name, "manager": fund.manager,
                 "sponsor_code": fund.sponsor_region.code,
                 "sponsor_name": fund.sponsor_region.name,
                 "class": fund.fund_class.value, "vintage": fund.vintage},
        "quarter": str(quarter),
        "key_figures": _key_figures(metrics),
        "capital_account": _capital_account(portfolio.inputs.movements, quarter),
        "series": cumulative(portfolio.inputs, quarters_between(first, quarter)),
        "by_macro_region": _grouped(metrics, by_key, "macro_region",
                                    [m.value for m in MacroRegion]),
        "by_intensity": _grouped(metrics, by_key, "intensity", [i.value for i in Intensity]),
        "investments": _investments(metrics, by_key),
        "transactions": _transactions(session, fund.id, quarter),
        "movements": _movements(session, fund.id, quarter),
        "indicators": shared_indicators(
            session, {p["project_id"]: p for p in places.values()}, quarter),
        "catalogue": catalogue.collect(session, (p["project_id"] for p in places.values())),
    }


def _key_figures(metrics: fm.FundMetrics) -> dict:
    """Amounts as exact yuan text; ratios ("1.22×") and rates ("10.57 %") as printed."""
    figures: dict[str, str | None] = {}
    for name in AMOUNTS:
        figures[name] = amount_text(getattr(metrics, name))
    for name in RATIOS:
        figures[name] = format_ratio(getattr(metrics, name))
    for name in PERCENTS:
        figures[name] = format_percent(getattr(metrics, name))
    return figures


def _capital_account(movements, quarter: Quarter) -> dict:
    """Calls, distributions and fees for the quarter, the year to date and since inception."""
    year_start = Quarter(quarter.year, 1).first_day
    spans = {"quarter": quarter.first_day, "year_to_date": year_start, "since_inception": None}
    account = {}
    for span, start in spans.items():
        sums = dict.fromkeys((m.value for m in MovementType), Decimal("0.00"))
        for movement in movements:
            if movement.on <= quarter.last_day and (start is None or movement.on >= start):
                sums[movement.type] += movement.amount
        account[span] = {kind: amount_text(total) for kind, total in sums.items()}
    return account


def _places(session: Session, fund_id: int) -> dict[int, dict]:
    """Per investment of the fund: its project and where the project goes, in one query."""
    destination = aliased(Region)
    rows = session.execute(
        select(Investment.id, Investment.instrument, Project.id, Project.code, Project.name,
               Project.status, Project.intensity, destination.code)
        .join(Project, Project.id == Investment.project_id)
        .join(destination, destination.id == Project.destination_region_id)
        .where(Investment.fund_id == fund_id))
    return {inv_id: {"project_id": pid, "code": code, "name": name,
                     "instrument": instrument.value, "status": status.value,
                     "intensity": intensity.value, "macro_region": macro_region(dest)}
            for inv_id, instrument, pid, code, name, status, intensity, dest in rows}


def _grouped(metrics: fm.FundMetrics, by_key: dict, field: str, order: list[str]) -> dict:
    """Disbursed since inception (cost, yuan) per macro-region or intensity category."""
    sums = dict.fromkeys(order, Decimal("0.00"))
    for key, investment in metrics.investments.items():
        sums[by_key[key][field]] += investment.cost
    return {group: amount_text(total) for group, total in sums.items()}


def _investments(metrics: fm.FundMetrics, by_key: dict) -> dict:
    """The schedule of investments by key (project code, or code/INSTRUMENT)."""
    schedule = {}
    for key in sorted(metrics.investments):
        item, place = metrics.investments[key], by_key[key]
        schedule[key] = {
            "project_code": place["code"], "project_name": place["name"],
            "instrument": item.instrument, "cost": amount_text(item.cost),
            "realized": amount_text(item.realized), "value": amount_text(item.value),
            "moic": format_ratio(item.moic), "irr": format_percent(item.irr),
            # Shown as max(recorded, implied by the ledger): a disbursed loan is not "Pipeline".
            "status": status_shown(ProjectStatus(place["status"]), item.cost > 0).value,
            "not_marked": item.is_not_marked,
        }
    return schedule


def _transactions(session: Session, fund_id: int, quarter: Quarter) -> dict:
    """The investment transactions dated in the quarter, by reference (signed: reversals < 0)."""
    entry, reversed_entry = aliased(InvestmentTransaction), aliased(InvestmentTransaction)
    rows = session.execute(
        select(entry.reference, entry.occurred_on, entry.type, entry.amount, entry.reverses_id,
               reversed_entry.reference, entry.note, Project.code, Project.name,
               Investment.instrument, ReversalRequest.restated_quarter)
        .join(Investment, Investment.id == entry.investment_id)
        .join(Project, Project.id == Investment.project_id)
        .outerjoin(reversed_entry, reversed_entry.id == entry.reverses_id)
        .outerjoin(ReversalRequest, ReversalRequest.reversal_transaction_id == entry.id)
        .where(entry.fund_id == fund_id,
               entry.occurred_on.between(quarter.first_day, quarter.last_day))
        .order_by(entry.occurred_on, entry.id))
    return {ref: {"date": on.isoformat(), "type": TransactionType(kind).value,
                  "project_code": code, "project_name": name,
                  "instrument": Instrument(instrument).value,
                  "amount": amount_text(-amount if reverses else amount),
                  "reverses": reversed_ref, "note": note or "", **_restates(restated)}
            for ref, on, kind, amount, reverses, reversed_ref, note, code, name, instrument,
            restated in rows}


def _restates(quarter) -> dict:
    """``restates``: the issued quarter an approved reversal restates (absent for others)."""
    return {"restates": str(quarter)} if quarter is not None else {}


def _movements(session: Session, fund_id: int, quarter: Quarter) -> dict:
    """The fund's calls, distributions and fees dated in the quarter, by reference (signed)."""
    movement, reversed_movement = aliased(Movement), aliased(Movement)
    rows = session.execute(
        select(movement.reference, movement.moved_on, movement.type, movement.amount,
               movement.reverses_id, reversed_movement.reference, movement.investor,
               movement.note, ReversalRequest.restated_quarter)
        .outerjoin(reversed_movement, reversed_movement.id == movement.reverses_id)
        .outerjoin(ReversalRequest, ReversalRequest.reversal_movement_id == movement.id)
        .where(movement.fund_id == fund_id,
               movement.moved_on.between(quarter.first_day, quarter.last_day))
        .order_by(movement.moved_on, movement.id))
    return {ref: {"date": on.isoformat(), "type": MovementType(kind).value,
                  "investor": investor or "",
                  "amount": amount_text(-amount if reverses else amount),
                  "reverses": reversed_ref, "note": note or "", **_restates(restated)}
            for ref, on, kind, amount, reverses, reversed_ref, investor, note, restated
            in rows}
