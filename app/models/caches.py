"""Read-through caches of derived figures (fund metrics, statements), kept in the database so
that several app servers share them. Not business data: never audited, written with Core.

Invalidation runs in the writer's own transaction: a session listener notes which funds and
agreements a flush touched, bumps their *generation* and deletes their statements' snapshots
(a fund's outdated metric snapshots stay behind, ignored, for the IRRs they hold). A reader that
misses reads the owner's generation first, then every input afresh, and stores its result under
that generation; a snapshot counts only while its generation is the owner's current one. The
generation (rather than a bare DELETE) closes the race in which a reader that read the inputs
before a writer committed stores its stale result after the writer's DELETE.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import (
    Connection,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    delete,
    event,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session

from app.domain.quarter import Quarter
from app.models.base import Base, QuarterType
from app.models.deadlines import CycleSettings
from app.models.funds import Commitment, Fund, Movement
from app.models.investments import Investment, InvestmentTransaction, Valuation
from app.models.observations import Observation, ObservationCorrection
from app.models.parks import Park, ParkMembership
from app.models.projects import Project
from app.models.reference import Region
from app.models.sharing import (
    Agreement,
    AgreementParty,
    CapOverride,
    CoveredPark,
    CoveredProject,
    IndicatorDefinition,
    RuleCap,
    RuleTier,
    SharingRule,
    TierWeight,
)
from app.models.workflow import AgreementQuarter, Confirmation, FrozenAllocation, Review

FUND, AGREEMENT = "fund", "agreement"
LEDGER, CYCLE = "ledger", "cycle"
"""Whole-database owners (``owner_id`` 0): every project's ledger (the transfer flows) and
every agreement's quarterly cycle (the timeliness figures)."""
WHOLE = 0


class CacheGeneration(Base):
    """The current generation of one owner's (a fund's or an agreement's) cached figures."""

    __tablename__ = "cache_generations"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(default=0)


class FundMetricSnapshot(Base):
    """A fund's metrics as of one date, serialised exactly: the fund's figures (``data``) and
    its investments' (``detail``, read only by the pages that show them)."""

    __tablename__ = "fund_metric_snapshots"

    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id", ondelete="CASCADE"),
                                         primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    generation: Mapped[int] = mapped_column(default=0)
    data: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)


class StatementSnapshot(Base):
    """An agreement's recomputed statement for one quarter, serialised with its fingerprint."""

    __tablename__ = "statement_snapshots"

    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"),
                                              primary_key=True)
    quarter: Mapped[Quarter] = mapped_column(QuarterType, primary_key=True)
    generation: Mapped[int] = mapped_column(default=0)
    fingerprint: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)


class RegionLineSnapshot(Base):
    """What one region received and ceded under one agreement in one quarter, per indicator
    (the region page's lines, derived from the agreement's statement), serialised."""

    __tablename__ = "region_line_snapshots"

    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"),
                                              primary_key=True)
    quarter: Mapped[Quarter] = mapped_column(QuarterType, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    generation: Mapped[int] = mapped_column(default=0)
    data: Mapped[str] = mapped_column(Text)


class ScopedSnapshot(Base):
    """A figure over the whole database seen through one scope (an actor's, a year, a day…),
    serialised: the transfer flows (``name`` "flows", owner LEDGER) and the timeliness figures
    (``name`` "timeliness", owner CYCLE). ``scope`` is a digest of everything the figure
    depends on besides the owner's data."""

    __tablename__ = "scoped_snapshots"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    generation: Mapped[int] = mapped_column(default=0)
    data: Mapped[str] = mapped_column(Text)


# --- invalidation ---------------------------------------------------------------------------
# What a changed row says about the owners to invalidate: (bucket, attribute) pairs. Buckets are
# resolved to fund and agreement ids with a few queries after the flush.
_TOUCHES: dict[type, tuple[tuple[str, str], ...]] = {
    Fund: (("fund", "id"),),
    Commitment: (("fund_since", "fund_id"),),
    Movement: (("fund_since", "fund_id"),),
    Investment: (("fund", "fund_id"),),
    InvestmentTransaction: (("fund_since", "fund_id"),),
    Valuation: (("investment_since", "investment_id"),),
    Project: (("project", "id"),),
    Observation: (("project", "project_id"),),
    ObservationCorrection: (("observation", "observation_id"),),
    Agreement: (("agreement", "id"),),
    AgreementParty: (("agreement", "agreement_id"),),
    CoveredProject: (("agreement", "agreement_id"),),
    CoveredPark: (("agreement", "agreement_id"),),
    Park: (("park", "id"),),  # a park's name appears on the statements that cover it
    ParkMembership: (("park", "park_id"),),
    SharingRule: (("agreement", "agreement_id"),),
    RuleTier: (("rule", "rule_id"),),
    TierWeight: (("tier", "tier_id"),),
    RuleCap: (("rule", "rule_id"),),
    CapOverride: (("covered", "covered_id"),),
    AgreementQuarter: (("agreement", "agreement_id"),),
    FrozenAllocation: (("agreement", "agreement_id"),),
    Confirmation: (("quarter", "agreement_quarter_id"),),
    Review: (("quarter", "agreement_quarter_id"),),
    Region: (("everything", "id"),),  # names and codes appear in statements and metric inputs
    IndicatorDefinition: (("everything", "code"),),
}


# Rows whose change alters a whole-database figure: the owner (LEDGER, CYCLE) to invalidate.
# Flows: projects (regions, scope), investments, their transactions, region names/macro-regions.
# Timeliness: agreements, parties, rules' first quarters, quarter states, the cycle's settings.
_WHOLE: dict[type, tuple[str, ...]] = {
    Project: (LEDGER,),
    Investment: (LEDGER,),
    InvestmentTransaction: (LEDGER,),
    Region: (LEDGER, CYCLE),
    Agreement: (CYCLE,),
    AgreementParty: (CYCLE,),
    SharingRule: (CYCLE,),
    RuleTier: (CYCLE,),
    AgreementQuarter: (CYCLE,),
    CycleSettings: (CYCLE,),
}
_SCOPED_NAMES = {LEDGER: "flows", CYCLE: "timeliness"}


# A dated ledger row changes a fund's metrics as of its date and later only (the metrics as of a
# day count what is dated on or before it): "…_since" buckets keep the earliest date touched.
_DATED = {Commitment: "committed_on", Movement: "moved_on", InvestmentTransaction: "occurred_on",
          Valuation: "as_of_on"}


def _note_update(mapper, connection, obj) -> None:
    state = inspect(obj)
    if any(state.attrs[a.key].history.has_changes() for a in mapper.column_attrs):
        _note(mapper, connection, obj)  # not when "dirty" through a collection only


def _note(_mapper, _connection, obj) -> None:
    touches = _TOUCHES.get(type(obj))
    whole = _WHOLE.get(type(obj))
    if not touches and not whole:
        return
    session = object_session(obj)
    if session is None:
        return
    pending = session.info.setdefault("cache_touched", {})
    if whole:
        pending.setdefault("whole", set()).update(whole)
    if not touches:
        return
    for bucket, attribute in touches:
        value = getattr(obj, attribute, None)
        if value is None:
            continue
        if bucket.endswith("_since"):
            date_attr = _DATED[type(obj)]
            dates = [getattr(obj, date_attr), *inspect(obj).attrs[date_attr].history.deleted]
            since = min(d for d in dates if d is not None)
            known = pending.setdefault(bucket, {})
            known[value] = min(since, known.get(value, since))
        else:
            pending.setdefault(bucket, set()).add(value)


event.listen(Base, "after_insert", _note, propagate=True)
event.listen(Base, "after_update", _note_update, propagate=True)
event.listen(Base, "after_delete", _note, propagate=True)


@event.listens_for(Session, "after_flush")
def _invalidate_after_flush(session: Session, _context) -> None:
    session.info["business_flushed"] = True
    touched = session.info.pop("cache_touched", None)
    if touched:
        funds, agreements = resolve_owners(session.connection(), touched)
        invalidate(session.connection(), funds, agreements, touched.get("whole", ()))


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:
        for key in ("business_flushed", "cache_touched", "cache_written"):
            session.info.pop(key, None)


def invalidate_rows(session: Session, table_name: str, records: list[dict]) -> None:
    """Invalidate what rows written with Core (imports' executemany, no mapper events) touch:
    ``records`` are their column values, as inserted."""
    model = next((m for m in (*_TOUCHES, *_WHOLE) if m.__tablename__ == table_name), None)
    if model is None or not records:
        return
    touched: dict[str, set] = {}
    if model in _WHOLE:
        touched["whole"] = set(_WHOLE[model])
    for bucket, attribute in _TOUCHES.get(model, ()):
        values = {r.get(attribute) for r in records} - {None}
        if values:  # every date of the owners (raw rows: dates are not compared here)
            touched.setdefault(bucket.removesuffix("_since"), set()).update(values)
    connection = session.connection()
    invalidate(connection, *resolve_owners(connection, touched), touched.get("whole", ()))


def resolve_owners(connection: Connection, touched: dict[str, set | dict]
                   ) -> tuple[dict[int, dt.date | None], set[int]]:
    """The funds whose cached metrics depend on the touched rows (each with the earliest date
    whose metrics changed, None for all), and the agreements whose statements do."""
    agreements = set(touched.get("agreement", ()))
    if touched.get("everything"):
        return ({i: None for i in connection.scalars(select(Fund.id))},
                set(connection.scalars(select(Agreement.id))))
    dated = dict(touched.get("fund_since", {}))
    by_investment = touched.get("investment_since", {})
    if by_investment:
        for investment_id, fund_id in connection.execute(
                select(Investment.id, Investment.fund_id)
                .where(Investment.id.in_(sorted(by_investment)))):
            since = by_investment[investment_id]
            dated[fund_id] = min(since, dated.get(fund_id, since))
    funds = set(touched.get("fund", ()))

    def ids(query, keys: Iterable) -> set[int]:
        keys = sorted(set(keys))
        return set(connection.scalars(query(keys))) if keys else set()

    projects = set(touched.get("project", ()))
    projects |= ids(lambda k: select(Observation.project_id).where(Observation.id.in_(k)),
                    touched.get("observation", ()))
    funds |= ids(lambda k: select(Investment.fund_id).where(Investment.id.in_(k)),
                 touched.get("investment", ()))
    funds |= ids(lambda k: select(Investment.fund_id).where(Investment.project_id.in_(k)),
                 projects)
    agreements |= ids(lambda k: select(CoveredProject.agreement_id)
                      .where(CoveredProject.project_id.in_(k)), projects)
    agreements |= ids(lambda k: select(CoveredProject.agreement_id)
                      .where(CoveredProject.id.in_(k)), touched.get("covered", ()))
    parks = set(touched.get("park", ()))
    parks |= ids(lambda k: select(ParkMembership.park_id)
                 .where(ParkMembership.project_id.in_(k)), projects)
    agreements |= ids(lambda k: select(CoveredPark.agreement_id)
                      .where(CoveredPark.park_id.in_(k)), parks)
    agreements |= ids(lambda k: select(AgreementQuarter.agreement_id)
                      .where(AgreementQuarter.id.in_(k)), touched.get("quarter", ()))
    rules = set(touched.get("rule", ()))
    rules |= ids(lambda k: select(RuleTier.rule_id).where(RuleTier.id.in_(k)),
                 touched.get("tier", ()))
    agreements |= ids(lambda k: select(SharingRule.agreement_id).where(SharingRule.id.in_(k)),
                      rules)
    return {**dated, **dict.fromkeys(funds)}, agreements


def invalidate(connection: Connection, funds: Iterable[int] | dict[int, dt.date | None],
               agreement_ids: Iterable[int], whole: Iterable[str] = ()) -> None:
    """Bump the generation of these funds and agreements, making their snapshots outdated, on the
    writer's connection (so it commits or rolls back with the write). ``funds`` may map a fund
    to the earliest date whose metrics changed: its snapshots as of earlier days stay valid
    and move to the new generation (only those of the generation just superseded). A fund's
    outdated snapshots are not deleted but left behind under their old generation, which every
    reader ignores: the next computation reuses the IRRs stored in them
    (services/funds/irr_memo.py) and then replaces them (one row per fund and date). ``whole``
    names the whole-database owners (LEDGER, CYCLE) whose scoped snapshots to drop: bumped
    last, after the funds and agreements, so concurrent writers lock rows in one order."""
    dated = funds if isinstance(funds, dict) else dict.fromkeys(funds)
    fund_ids = sorted(dated)  # a fixed order: concurrent writers lock rows alike
    if fund_ids:
        _bump(connection, FUND, fund_ids)
        table = FundMetricSnapshot.__table__
        generation = CacheGeneration.__table__
        current = select(generation.c.generation).where(
            generation.c.kind == FUND, generation.c.owner_id == table.c.fund_id
        ).scalar_subquery()
        groups: dict[dt.date, list[int]] = {}
        for fund_id in fund_ids:
            if dated[fund_id] is not None:
                groups.setdefault(dated[fund_id], []).append(fund_id)
        for since, ids in groups.items():  # still valid before that date: moved to the new one
            connection.execute(update(table).where(
                table.c.fund_id.in_(ids), table.c.as_of < since,
                table.c.generation + 1 == current).values(generation=current))
    ids = sorted(set(agreement_ids))
    if ids:
        _bump(connection, AGREEMENT, ids)
        for table in (StatementSnapshot.__table__, RegionLineSnapshot.__table__):
            connection.execute(delete(table).where(table.c.agreement_id.in_(ids)))
    for kind in sorted(set(whole)):
        _bump(connection, kind, [WHOLE])
        table = ScopedSnapshot.__table__
        connection.execute(delete(table).where(table.c.name == _SCOPED_NAMES[kind]))


def _bump(connection: Connection, kind: str, ids: list[int]) -> None:
    table = CacheGeneration.__table__
    insert = dialect_insert(connection)
    stmt = insert(table).values([{"kind": kind, "owner_id": i, "generation": 1} for i in ids])
    connection.execute(stmt.on_conflict_do_update(
        index_elements=[table.c.kind, table.c.owner_id],
        set_={"generation": table.c.generation + 1}))


def dialect_insert(connection: Connection):
    """The dialect's INSERT that knows ON CONFLICT (SQLite and PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert
