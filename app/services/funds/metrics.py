"""Fund metrics from the database: load a fund's ledgers in a fixed number of queries and hand
them to the domain's exact computation (amounts in yuan, ratios exact, see funds.md)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from sqlalchemy import BigInteger, func, select, type_coerce, union_all
from sqlalchemy.orm import Session, selectinload

from app.domain import fund_metrics as fm
from app.domain.codes import Instrument, MovementType, ProjectStatus, TransactionType
from app.domain.quarter import Quarter, quarters_between
from app.domain.regions import subtree_prefix
from app.models import (
    Commitment,
    Fund,
    Investment,
    InvestmentTransaction,
    Movement,
    Project,
    Region,
    Valuation,
)
from app.models.caches import FUND
from app.services import snapshots
from app.services.access.scopes import Actor, fund_filter, get_fund
from app.services.errors import NotFound
from app.services.funds.irr_memo import IrrMemo


@dataclass(frozen=True)
class FundPortfolio:
    """A fund's metric inputs, and which investment each metric key stands for."""

    fund: Fund
    inputs: fm.FundInput
    investments: dict[str, Position]
    first_activity_on: dt.date | None


@dataclass(frozen=True)
class Position:
    """One investment as the metrics read it (a plain row: a fund may hold thousands)."""

    id: int
    fund_id: int
    instrument: Instrument
    project_code: str
    destination_region_id: int


def load_portfolios(session: Session, funds: list[Fund], *, only_at: dt.date | None = None
                    ) -> dict[int, FundPortfolio]:
    """The metric inputs of several funds in seven queries, whatever their number of rows.

    With ``only_at``, the inputs are meant for the metrics at that one date: each investment's
    valuations are then its latest on or before it only (the one the metrics read), not its
    whole history.

    Every query reads plain rows (no ORM objects: a nation-scale fund has tens of thousands of
    ledger rows), so every row is read afresh, never an older copy the session loaded before:
    the snapshot cache stores these results under a generation read just before (see
    models/caches.py)."""
    ids = [f.id for f in funds]
    if not ids:
        return {}

    sponsors = dict(session.execute(select(Fund.id, Region.code)
                                    .join(Region, Region.id == Fund.sponsor_region_id)
                                    .where(Fund.id.in_(ids))).all())
    commitments = defaultdict(list)
    for fund_id, investor, investor_type, on, amount in session.execute(
            select(Commitment.fund_id, Commitment.investor, Commitment.investor_type,
                   Commitment.committed_on, Commitment.amount)
            .where(Commitment.fund_id.in_(ids)).order_by(Commitment.id)):
        commitments[fund_id].append(fm.Commitment(investor, investor_type.value, on, amount))
    movements = defaultdict(list)
    for fund_id, kind, on, amount, reverses_id in session.execute(
            select(Movement.fund_id, Movement.type, Movement.moved_on, Movement.amount,
                   Movement.reverses_id).where(Movement.fund_id.in_(ids)).order_by(Movement.id)):
        movements[fund_id].append(fm.Movement(kind.value, on, signed(amount, reverses_id)))
    investments = [Position(*row) for row in session.execute(
        select(Investment.id, Investment.fund_id, Investment.instrument, Project.code,
               Project.destination_region_id)
        .join(Project, Project.id == Investment.project_id)
        .where(Investment.fund_id.in_(ids)).order_by(Investment.id))]
    held = select(Investment.id).where(Investment.fund_id.in_(ids)).scalar_subquery()
    regions = {r.id: r.code for r in session.execute(select(Region.id, Region.code)).all()} \
        if investments else {}
    # the ledgers as plain rows (a nation-scale fund has tens of thousands: no ORM objects)
    t = InvestmentTransaction
    entries = defaultdict(list)
    rows = session.connection().execute  # Core rows: tens of thousands, no ORM processing
    for investment_id, kind, on, fen, reverses_id in rows(
            select(t.investment_id, t.type, t.occurred_on, in_fen(t.amount), t.reverses_id)
            .where(t.fund_id.in_(ids)).order_by(t.id)).all():  # fund_id: denormalised, indexed
        entries[investment_id].append(fm.LedgerEntry.from_fen(kind.value, on,
                                                              signed(fen, reverses_id)))
    valuations = defaultdict(list)
    for investment_id, on, fen in rows(_valuations(held, only_at)).all():
        valuations[investment_id].append(fm.Valuation.from_fen(on, fen))

    by_fund: dict[int, list[Position]] = defaultdict(list)
    for investment in investments:
        by_fund[investment.fund_id].append(investment)
    result = {}
    for fund in funds:
        sponsor_prefix = subtree_prefix(sponsors[fund.id])
        keyed, inputs = {}, []
        held = by_fund[fund.id]
        keys = metric_keys([(i.project_code, i.instrument.value) for i in held])
        for key, investment in zip(keys, held, strict=True):
            keyed[key] = investment
            inputs.append(fm.InvestmentInput(
                key=key, instrument=investment.instrument.value,
                in_sponsor_region=regions[investment.destination_region_id].startswith(
                    sponsor_prefix),
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


def _valuations(investment_ids, only_at: dt.date | None):
    """The valuations of these investments in input order; with ``only_at``, each one's latest
    on or before that date only (the same day twice: the later in input order, as the metrics
    take it)."""
    v = Valuation
    if only_at is None:
        return (select(v.investment_id, v.as_of_on, in_fen(v.value))
                .where(v.investment_id.in_(investment_ids)).order_by(v.id))
    newest = func.row_number().over(partition_by=v.investment_id,
                                    order_by=(v.as_of_on.desc(), v.id.desc())).label("newest")
    ranked = (select(v.id, v.investment_id, v.as_of_on, in_fen(v.value).label("fen"), newest)
              .where(v.investment_id.in_(investment_ids), v.as_of_on <= only_at).subquery())
    return (select(ranked.c.investment_id, ranked.c.as_of_on, ranked.c.fen)
            .where(ranked.c.newest == 1).order_by(ranked.c.id))


def in_fen(money_column):
    """A Money column read as the whole fen it is stored in (an int: no Decimal per row)."""
    return type_coerce(money_column, BigInteger())


def signed(amount, reverses_id):
    """A ledger row's amount as it counts in sums: negative for a reversing row (the models'
    ``signed_amount``)."""
    return -amount if reverses_id else amount


def metric_keys(holdings: list[tuple[str, str]]) -> list[str]:
    """The metric key of each of one fund's holdings, given as (project code, instrument): the
    project code, or ``code/INSTRUMENT`` when the fund holds that project with several
    instruments (funds.md's schedule of investments lists each line)."""
    per_code = Counter(code for code, _instrument in holdings)
    return [code if per_code[code] == 1 else f"{code}/{instrument}"
            for code, instrument in holdings]


def fund_metrics(session: Session, actor: Actor, fund_code: str, as_of: dt.date) -> fm.FundMetrics:
    """The metrics of the fund with ``fund_code`` as of a date (NotFound if out of scope)."""
    fund = session.scalars(select(Fund).where(Fund.code == fund_code, fund_filter(actor))).first()
    if fund is None:
        raise NotFound(f'fund "{fund_code}"')
    return metrics_as_of(session, [fund], as_of)[fund.id]


@dataclass(frozen=True)
class FundDashboard:
    """Everything the fund page shows for one quarter."""

    fund: Fund
    quarter: Quarter
    metrics: fm.FundMetrics
    series: list[tuple[Quarter, fm.Deployment]]
    holdings: list[tuple[str, fm.InvestmentMetrics]]
    """The largest holdings by value (:func:`~app.domain.fund_metrics.holding_rank`)."""
    investments: dict[str, Holding]
    """What the page names each shown holding by, by metric key."""


def metrics_at_dates(session: Session, funds: list[Fund], dates: list[dt.date], *,
                     detail_at=()) -> dict[tuple[int, dt.date], fm.FundMetrics]:
    """Each fund's metrics at each date, read from the snapshot cache in one query; only the
    missing (fund, date) pairs are computed (ledgers loaded for those funds only) and stored,
    reusing the IRRs stored beside their outdated snapshots (services/funds/irr_memo.py).
    ``investments`` are filled at the dates in ``detail_at`` only (empty elsewhere)."""
    result = snapshots.fund_snapshots(session, [f.id for f in funds], dates,
                                      detail_at=detail_at)
    missing = [f for f in funds if any((f.id, d) not in result for d in dates)]
    if not missing:
        return result
    generation = snapshots.generations(session, FUND, [f.id for f in missing])
    portfolios = load_portfolios(session, missing,
                                 only_at=dates[0] if len(set(dates)) == 1 else None)
    known = snapshots.earlier_irr_memo(session, [f.id for f in missing], dates)
    computed, used = {}, {}
    for fund in missing:
        todo = sorted(d for d in set(dates) if (fund.id, d) not in result)
        memo = IrrMemo(known)
        computed.update({(fund.id, day): value for day, value in
                         _compute_at(portfolios[fund.id].inputs, todo, memo)})
        used.update({(fund.id, day): rates for day, rates in memo.used.items()})
    snapshots.store_fund_snapshots(session, generation, computed, used)
    keep = set(detail_at)
    result.update({key: value if key[1] in keep else replace(value, investments={})
                   for key, value in computed.items()})
    return result


def _compute_at(inputs: fm.FundInput, dates: list[dt.date], irr_of: fm.IrrOf
                ) -> list[tuple[dt.date, fm.FundMetrics]]:
    """The metrics at each date; quarter ends share one sort of the inputs."""
    ends = [Quarter.containing(d) for d in dates]
    if len(dates) > 1 and all(q.last_day == d for q, d in zip(ends, dates, strict=True)):
        return [(q.last_day, m) for q, m in fm.metrics_over_quarters(inputs, ends,
                                                                     irr_of=irr_of)]
    return [(d, fm.compute_fund_metrics(inputs, d, irr_of=irr_of)) for d in dates]


def metrics_as_of(session: Session, funds: list[Fund], as_of: dt.date, *, detail: bool = True
                  ) -> dict[int, fm.FundMetrics]:
    """The metrics of several funds as of one date, by fund id, through the snapshot cache;
    with ``detail=False`` their ``investments`` are empty (cheaper: the fund figures only)."""
    found = metrics_at_dates(session, funds, [as_of], detail_at=[as_of] if detail else ())
    return {f.id: found[f.id, as_of] for f in funds}


@dataclass(frozen=True)
class Holding:
    """What a fund's page shows of one investment beside its figures."""

    id: int
    instrument: Instrument
    project_code: str
    project_name: str
    project_status: ProjectStatus


def holdings_by_key(session: Session, fund_id: int, keys=None) -> dict[str, Holding]:
    """A fund's investments by metric key (see :func:`metric_keys`), in one query of plain
    rows; with ``keys``, those only (every holding of their projects is read, so that each
    key comes out as :func:`metric_keys` makes it)."""
    query = (select(Investment.id, Investment.instrument, Project.code, Project.name,
                    Project.status)
             .join(Project, Project.id == Investment.project_id)
             .where(Investment.fund_id == fund_id).order_by(Investment.id))
    if keys is not None:
        codes = {k for k in keys} | {k.rsplit("/", 1)[0] for k in keys}  # code or code/INSTRUMENT
        query = query.where(Project.code.in_(sorted(codes)))
    holdings = [Holding(*row) for row in session.execute(query)]
    found = dict(zip(metric_keys([(h.project_code, h.instrument.value) for h in holdings]),
                     holdings, strict=True))
    return found if keys is None else {k: found[k] for k in keys}


HOLDINGS_SHOWN = 50
"""How many holdings the fund dashboard's schedule of investments shows unless asked for all;
a nation-scale fund holds thousands."""


def largest_holdings(investments, limit: int | None) -> list[tuple[str, fm.InvestmentMetrics]]:
    """The (key, figures) of a fund's ``limit`` largest holdings (None: all) by
    :func:`~app.domain.fund_metrics.holding_rank`; from a snapshot only those are decoded."""
    if isinstance(investments, snapshots.StoredInvestments):
        return investments.largest(limit)
    return sorted(investments.items(),
                  key=lambda kv: fm.holding_rank(kv[0], kv[1].value, kv[1].cost))[:limit]


def fund_dashboard(session: Session, actor: Actor, fund_id: int, quarter: Quarter,
                   max_quarters: int = 40, holdings_shown: int | None = HOLDINGS_SHOWN
                   ) -> FundDashboard:
    """The fund's metrics as of the quarter end (from the snapshot cache), its
    ``holdings_shown`` largest holdings (None: all), and its deployment figures over the
    quarters since it began (at most ``max_quarters``).

    Only the selected quarter needs the per-investment figures and IRRs; the series needs the
    fund's committed, paid-in and disbursed sums, read by :func:`deployment_series` in three
    grouped queries (a cold dashboard no longer computes every holding's IRR at 40 dates)."""
    fund = get_fund(session, actor, fund_id)
    first_on = first_activity_on(session, fund.id)
    first = Quarter.containing(first_on) if first_on else quarter
    first = max(min(first, quarter), quarter - (max_quarters - 1))
    quarters = quarters_between(first, quarter)
    as_of = quarter.last_day
    found = metrics_at_dates(session, [fund], [as_of], detail_at=[as_of])[fund.id, as_of]
    shown = largest_holdings(found.investments, holdings_shown)
    return FundDashboard(fund=fund, quarter=quarter, metrics=found,
                         series=deployment_series(session, fund.id, quarters), holdings=shown,
                         investments=holdings_by_key(session, fund.id, [k for k, _m in shown]))


def deployment_series(session: Session, fund_id: int, quarters: list[Quarter]
                      ) -> list[tuple[Quarter, fm.Deployment]]:
    """The fund's committed, paid-in and disbursed sums (yuan, exact) and deployment rate at
    each quarter end: sums per day in SQL (integer fen, exact on both engines), accumulated in
    one pass; equal to the same :class:`FundMetrics` fields (reversing rows count negative)."""

    def per_day(day, amount, reverses_id, *where):
        rows = session.execute(select(day, reverses_id.is_(None), func.sum(amount))
                               .where(*where).group_by(day, reverses_id.is_(None)))
        return [(on, total if plain else -total) for on, plain, total in rows]

    committed = [(on, total) for on, total in session.execute(
        select(Commitment.committed_on, func.sum(Commitment.amount))
        .where(Commitment.fund_id == fund_id).group_by(Commitment.committed_on))]
    paid_in = per_day(Movement.moved_on, Movement.amount, Movement.reverses_id,
                      Movement.fund_id == fund_id, Movement.type == MovementType.CAPITAL_CALL)
    t = InvestmentTransaction
    disbursed = per_day(t.occurred_on, t.amount, t.reverses_id,
                        t.fund_id == fund_id,  # denormalised from the investment, indexed
                        t.type == TransactionType.DISBURSEMENT)
    return fm.deployment_over_quarters(committed, paid_in, disbursed, quarters)


def first_activity_on(session: Session, fund_id: int) -> dt.date | None:
    """The date of the fund's first commitment, movement or investment transaction (one query)."""
    firsts = union_all(
        select(func.min(Commitment.committed_on).label("on")).where(Commitment.fund_id == fund_id),
        select(func.min(Movement.moved_on)).where(Movement.fund_id == fund_id),
        select(func.min(InvestmentTransaction.occurred_on))
        .where(InvestmentTransaction.fund_id == fund_id)).subquery()
    return session.scalar(select(func.min(firsts.c.on)))


def funds_overview(session: Session, actor: Actor, as_of: dt.date
                   ) -> list[tuple[Fund, fm.FundMetrics]]:
    """Every fund the actor may read with its metrics as of a date, by code."""
    funds = list(session.scalars(select(Fund).where(fund_filter(actor)).order_by(Fund.code)
                                 .options(selectinload(Fund.sponsor_region))))
    found = metrics_as_of(session, funds, as_of, detail=False)
    return [(f, found[f.id]) for f in funds]
