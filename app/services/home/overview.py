"""The home page of each role: a fund manager's key figures and unmarked holdings, a bureau's
quarters and queries, an auditor's statements to review and recent changes; an administrator
gets a bounded mix of all of it. A fixed number of queries, whatever the size of the data."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.domain import fund_metrics as fm
from app.domain.codes import Role
from app.domain.quarter import Quarter
from app.models import AuditEntry, Fund, Investment, Project
from app.services.access import audit
from app.services.access.scopes import Actor
from app.services.funds import metrics, reversals
from app.services.funds.flows import Flow, flows_in_scope
from app.services.home.sharing import (
    Bounded,
    QueryTodo,
    ReviewTodo,
    SharingTodos,
    bounded,
    open_queries,
    quarter_todos,
    statements_to_review,
)

LIMIT = 20
"""Rows shown per list on the home page; the rest are counted and linked."""
ADMIN_LIMIT = 10


@dataclass(frozen=True)
class FundFigures:
    """One fund and its metrics as of the quarter end (yuan exact, ratios exact)."""

    fund: Fund
    metrics: fm.FundMetrics


@dataclass(frozen=True)
class UnmarkedHolding:
    """An equity holding with no valuation in the quarter (the fund dashboard's flag); cost in
    yuan, exact."""

    fund: Fund
    investment_id: int
    key: str
    project_name: str
    cost: Decimal


@dataclass(frozen=True)
class HomePage:
    """What the home page shows; a section is None when the user's roles do not call for it."""

    quarter: Quarter
    flows: list[Flow]
    funds: Bounded[FundFigures] | None = None
    unmarked: Bounded[UnmarkedHolding] | None = None
    sharing: SharingTodos | None = None
    queries: Bounded[QueryTodo] | None = None
    to_review: Bounded[ReviewTodo] | None = None
    recent: list[AuditEntry] | None = None
    to_approve: Bounded[reversals.PendingReversal] | None = None
    awaiting_others: Bounded[reversals.PendingReversal] | None = None


def fund_figures(session: Session, actor: Actor, quarter: Quarter, limit: int = LIMIT
                 ) -> tuple[Bounded[FundFigures], Bounded[UnmarkedHolding]]:
    """The funds the actor manages (every fund for an administrator, the first ``limit`` by
    code) with their metrics as of the quarter end (through the metrics cache), and their
    equity holdings not marked in that quarter (``is_not_marked`` of the metrics: the same flag
    as the fund dashboard)."""
    where = Fund.id.in_(actor.fund_ids) if not actor.is_admin else Fund.id.is_not(None)
    total = session.scalar(select(func.count(Fund.id)).where(where)) or 0
    funds = list(session.scalars(select(Fund).where(where).order_by(Fund.code).limit(limit)
                                 .options(selectinload(Fund.sponsor_region))))
    found = metrics.metrics_as_of(session, funds, quarter.last_day)
    figures, flagged = [], []
    for fund in funds:
        result = found[fund.id]
        figures.append(FundFigures(fund, result))
        flagged.extend((fund, key, held.cost) for key, held in result.investments.items()
                       if held.is_not_marked)
    shown = flagged[:limit]
    positions = _positions(session, shown)
    unmarked = [UnmarkedHolding(fund, *positions[fund.id, key], cost=cost)
                for fund, key, cost in shown]
    return Bounded(figures, total), Bounded(unmarked, len(flagged))


def _positions(session: Session, shown: list[tuple[Fund, str, Decimal]]
               ) -> dict[tuple[int, str], tuple[int, str, str]]:
    """(fund id, metric key) → (investment id, key, project name) for the holdings shown, in one
    query (a key is the project code, or ``code/INSTRUMENT``: see ``metrics.metric_keys``)."""
    if not shown:
        return {}
    codes = {part for _fund, key, _cost in shown for part in (key, key.rsplit("/", 1)[0])}
    rows = session.execute(
        select(Investment.id, Investment.fund_id, Investment.instrument, Project.code,
               Project.name)
        .join(Project, Project.id == Investment.project_id)
        .where(Investment.fund_id.in_({fund.id for fund, _key, _cost in shown}),
               Project.code.in_(codes))).all()
    found = {}
    for investment_id, fund_id, instrument, code, name in rows:
        for key in (code, f"{code}/{instrument.value}"):
            found.setdefault((fund_id, key), (investment_id, key, name))
    return found


def recent_changes(session: Session, actor: Actor, limit: int = LIMIT) -> list[AuditEntry]:
    """The newest audit-trail entries the actor may browse (one query)."""
    return audit.latest_entries(session, actor, limit)  # with the start of their changes


def home_page(session: Session, actor: Actor, quarter: Quarter, limit: int = LIMIT) -> HomePage:
    """Every section the actor's roles call for, as of ``quarter`` (the current quarter: its
    end for the fund figures; the quarters before it for data that is due)."""
    sections: dict = {}
    if actor.is_admin:
        limit = min(limit, ADMIN_LIMIT)  # an administrator sees every list: keep each short
    if actor.is_admin or actor.has(Role.FUND_MANAGER):
        sections["funds"], sections["unmarked"] = fund_figures(session, actor, quarter, limit)
        pending = reversals.pending_for(session, actor)
        sections["to_approve"] = bounded([r for r in pending if r.can_decide], limit)
        sections["awaiting_others"] = bounded([r for r in pending if r.is_mine], limit)
    if actor.is_admin or actor.has(Role.FINANCE_BUREAU):
        sections["sharing"] = quarter_todos(session, actor, quarter, limit)
        sections["queries"] = open_queries(session, actor, limit)
    if actor.has(Role.AUDITOR):
        sections["to_review"] = statements_to_review(session, actor, limit)
    if actor.is_admin or actor.has(Role.AUDITOR):
        sections["recent"] = recent_changes(session, actor, limit)
    return HomePage(quarter=quarter, flows=flows_in_scope(session, actor), **sections)
