"""Transfer flows between macro-regions: how many projects moved from each source macro-region
to each destination macro-region, and how much was disbursed to them (yuan, exact to the fen).

Disbursed is Σ ``DISBURSEMENT`` transactions, a reversing entry counting negative (funds.md and
``app/domain/fund_metrics.py``: the same sum as a fund's ``disbursed``). One aggregate query,
read through a scoped snapshot valid while the ledger's generation is current
(``app/services/snapshots.py``): the flows in an actor's scope (every project: ~50 ms at nation
scale) and one fund's (the 4,985 holdings of the nation tier's largest fund: ~25 ms). The
ledger's generation moves with every project, region, investment and ledger row written, all
that the flows read.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from app.domain.codes import Role, TransactionType
from app.models import Fund, Investment, InvestmentTransaction, Project, Region
from app.models.caches import LEDGER
from app.services import snapshots
from app.services.access.scopes import Actor, project_filter

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Flow:
    """Projects from one macro-region to another and the yuan disbursed to them (exact)."""

    source: str
    destination: str
    projects: int
    disbursed: Decimal


def _disbursed_by_project(fund_id: int | None):
    """Subquery: project id → Σ signed disbursements (of one fund, or of every fund)."""
    tx = InvestmentTransaction
    signed = case((tx.reverses_id.is_(None), tx.amount), else_=-tx.amount)
    query = (select(Investment.project_id.label("project_id"),
                    func.sum(signed).label("disbursed"))
             .join(tx, tx.investment_id == Investment.id)
             .where(tx.type == TransactionType.DISBURSEMENT)
             .group_by(Investment.project_id))
    if fund_id is not None:
        query = query.where(Investment.fund_id == fund_id)
    return query.subquery()


def _flows(session: Session, where, fund_id: int | None) -> list[Flow]:
    """The flows of the projects matching ``where``, largest amount first."""
    source, destination = aliased(Region), aliased(Region)
    paid = _disbursed_by_project(fund_id)
    rows = session.execute(
        select(source.macro_region, destination.macro_region, func.count(Project.id),
               func.sum(paid.c.disbursed))
        .select_from(Project)
        .join(source, source.id == Project.source_region_id)
        .join(destination, destination.id == Project.destination_region_id)
        .outerjoin(paid, paid.c.project_id == Project.id)
        .where(where)
        .group_by(source.macro_region, destination.macro_region)).all()
    flows = [Flow(s, d, n, amount if amount is not None else ZERO) for s, d, n, amount in rows]
    return sorted(flows, key=lambda f: (-f.disbursed, -f.projects, f.source, f.destination))


def flows_in_scope(session: Session, actor: Actor) -> list[Flow]:
    """Every project the actor may read, by (source, destination) macro-region, with the yuan
    disbursed to it by any fund (from the cache when the ledger has not changed since)."""
    return snapshots.scoped_figure(
        session, "flows", LEDGER, snapshots.scope_digest("flows", *_project_scope(actor)),
        lambda: _flows(session, project_filter(actor), None), _dump, _load)


def _project_scope(actor: Actor) -> tuple:
    """What ``project_filter(actor)`` depends on besides the data, as plain values."""
    if actor.sees_everything:
        return ("*",)
    manager = Role.FUND_MANAGER in actor.roles
    return (actor.user_id if manager else None, sorted(actor.fund_ids) if manager else [],
            sorted(actor.read_regions))


def _dump(flows: list[Flow]) -> list:
    return [[f.source, f.destination, f.projects, str(f.disbursed)] for f in flows]


def _load(rows: list) -> list[Flow]:
    return [Flow(s, d, n, Decimal(amount)) for s, d, n, amount in rows]


def fund_flows(session: Session, fund: Fund) -> list[Flow]:
    """The projects one fund invested in, by (source, destination) macro-region, with the yuan
    that fund disbursed to them. ``fund`` was read within the user's scope (``get_fund``, as
    the fund's page does)."""
    held = select(Investment.project_id).where(Investment.fund_id == fund.id)
    return snapshots.scoped_figure(
        session, "flows", LEDGER, snapshots.scope_digest("fund", fund.id),
        lambda: _flows(session, Project.id.in_(held), fund.id), _dump, _load)
