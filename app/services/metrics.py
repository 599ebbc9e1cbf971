"""Fund metrics from the database: load a fund's ledgers in a fixed number of queries and hand
them to the domain's exact computation (amounts in yuan, ratios exact, see funds.md)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.domain import fund_metrics as fm
from app.domain.quarter import Quarter, quarters_between
from app.domain.regions import subtree_prefix
from app.models import (
    Commitment,
    Fund,
    Investment,
    InvestmentTransaction,
    Movement,
    Region,
    Valuation,
)
from app.services.access import Actor, fund_filter, get_fund
from app.services.errors import NotFound


@dataclass(frozen=True)
class FundPortfolio:
    """A fund's metric inputs, and which investment each metric key stands for."""

    fund: Fund
    inputs: fm.FundInput
    investments: dict[str, Investment]
    first_activity_on: dt.date | None


def load_portfolios(session: Session, funds: list[Fund]) -> dict[int, FundPortfolio]:
    """The metric inputs of several funds in six queries, whatever their number of rows."""
    ids = [f.id for f in funds]
    if not ids:
        return {}
    commitments = defaultdict(list)
    for c in session.scalars(select(Commitment).where(Commitment.fund_id.in_(ids))):
        commitments[c.fund_id].append(fm.Commitment(c.investor, c.investor_type.value,
                                                    c.committed_on, c.amount))
    movements = defaultdict(list)
    for m in session.scalars(select(Movement).where(Movement.fund_id.in_(ids))):
        movements[m.fund_id].append(fm.Movement(m.type.value, m.moved_on, m.signed_amount))
    investments = list(session.scalars(select(Investment).where(Investment.fund_id.in_(ids))
                                       .options(selectinload(Investment.project))
                                       .order_by(Investment.id)))
    inv_ids = [i.id for i in investments]
    projects = {i.project.id: i.project for i in investments}
    regions = {r.id: r.code for r in session.execute(select(Region.id, Region.code)).all()} \
        if investments else {}
    entries = defaultdict(list)
    for t in session.scalars(select(InvestmentTransaction)
                             .where(InvestmentTransaction.investment_id.in_(inv_ids))):
        entries[t.investment_id].append(fm.LedgerEntry(t.type.value, t.occurred_on,
                                                       t.signed_amount))
    valuations = defaultdict(list)
    for v in session.scalars(select(Valuation).where(Valuation.investment_id.in_(inv_ids))):
        valuations[v.investment_id].append(fm.Valuation(v.as_of_on, v.value))

    by_fund: dict[int, list[Investment]] = defaultdict(list)
    for investment in investments:
        by_fund[investment.fund_id].append(investment)
    result = {}
    for fund in funds:
        sponsor_prefix = subtree_prefix(fund.sponsor_region.code)
        keyed, inputs = {}, []
        held = by_fund[fund.id]
        for investment in held:
            project = projects[investment.project_id]
            key = investment_key(project.code, investment.instrument.value, held, projects)
            keyed[key] = investment
            inputs.append(fm.InvestmentInput(
                key=key, instrument=investment.instrument.value,
                in_sponsor_region=regions[project.destination_region_id].startswith(sponsor_prefix),
                entries=tuple(entries[investment.id]),
                valuations=tuple(valuations[investment.id])))
        dates = [c.on for c in commitments[fund.id]] + [m.on for m in movements[fund.id]] + [
            e.on for i in held for e in entries[i.id]]
        result[fund.id] = FundPortfolio(
            fund=fund,
            inputs=fm.FundInput(tuple(commitments[fund.id]), tuple(movements[fund.id]),
                                tuple(inputs)),
            investments=keyed, first_activity_on=min(dates) if dates else None)
    return result


def investment_key(project_code: str, instrument: str, held: list[Investment], projects) -> str:
    """The project code, or ``code/INSTRUMENT`` when the fund holds it with several instruments."""
    same_project = [i for i in held if projects[i.project_id].code == project_code]
    return project_code if len(same_project) == 1 else f"{project_code}/{instrument}"


def fund_metrics(session: Session, actor: Actor, fund_code: str, as_of: dt.date) -> fm.FundMetrics:
    """The metrics of the fund with ``fund_code`` as of a date (NotFound if out of scope)."""
    fund = session.scalars(select(Fund).where(Fund.code == fund_code, fund_filter(actor))).first()
    if fund is None:
        raise NotFound(f'fund "{fund_code}"')
    return fm.compute_fund_metrics(load_portfolios(session, [fund])[fund.id].inputs, as_of)


@dataclass(frozen=True)
class FundDashboard:
    """Everything the fund page shows for one quarter."""

    fund: Fund
    quarter: Quarter
    metrics: fm.FundMetrics
    series: list[tuple[Quarter, fm.FundMetrics]]
    investments: dict[str, Investment]


def fund_dashboard(session: Session, actor: Actor, fund_id: int, quarter: Quarter,
                   max_quarters: int = 40) -> FundDashboard:
    """The fund's metrics as of the quarter end, and over the quarters since it began."""
    fund = get_fund(session, actor, fund_id)
    portfolio = load_portfolios(session, [fund])[fund.id]
    first = Quarter.containing(portfolio.first_activity_on) if portfolio.first_activity_on \
        else quarter
    first = max(min(first, quarter), quarter - (max_quarters - 1))
    series = fm.metrics_over_quarters(portfolio.inputs, quarters_between(first, quarter))
    return FundDashboard(fund=fund, quarter=quarter, metrics=series[-1][1], series=series,
                         investments=portfolio.investments)


def funds_overview(session: Session, actor: Actor, as_of: dt.date
                   ) -> list[tuple[Fund, fm.FundMetrics]]:
    """Every fund the actor may read with its metrics as of a date, by code."""
    funds = list(session.scalars(select(Fund).where(fund_filter(actor)).order_by(Fund.code)
                                 .options(selectinload(Fund.sponsor_region))))
    portfolios = load_portfolios(session, funds)
    return [(f, fm.compute_fund_metrics(portfolios[f.id].inputs, as_of)) for f in funds]
