"""The sharing to-dos of the home page: agreement quarters waiting for a bureau's data or its
confirmation, open auditor queries, and statements no auditor has reviewed yet.

Each function runs a fixed number of queries however many agreements, quarters or observations
there are, and returns at most ``limit`` rows with the total count.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy import and_, exists, false, func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from app.domain import deadlines as cycle
from app.domain.codes import AgreementStatus, PartyRole, QuarterState, ReviewKind
from app.domain.quarter import Quarter
from app.models import (
    Agreement,
    AgreementParty,
    AgreementQuarter,
    CoveredProject,
    Observation,
    Region,
    Review,
    RuleTier,
    SharingRule,
    User,
)
from app.services.access.scopes import Actor, within_regions
from app.services.sharing import deadlines
from app.services.sharing.agreements import acts_for_region, agreement_filter
from app.services.sharing.workflow import barred_by_four_eyes

T = TypeVar("T")


@dataclass(frozen=True)
class Bounded(Generic[T]):
    """The first rows of a to-do list and how many there are in all."""

    rows: list[T]
    total: int

    @property
    def more(self) -> int:
        """How many rows are not shown."""
        return self.total - len(self.rows)


def bounded(rows: list[T], limit: int) -> Bounded[T]:
    """The first ``limit`` of ``rows`` with their total."""
    return Bounded(rows[:limit], len(rows))


@dataclass(frozen=True)
class QuarterTodo:
    """An agreement quarter someone must act on: enter data, submit or confirm."""

    agreement_id: int
    code: str
    title: str
    quarter: Quarter
    state: QuarterState
    missing: int = 0
    expected: int = 0
    parties: tuple[str, ...] = field(default=())
    """The names of the parties still to confirm (for a submitted quarter)."""
    submitted_by_id: int | None = None
    """Who submitted it (for a submitted quarter)."""
    standing: cycle.Standing | None = None
    """Its deadlines today (for a quarter waiting for data)."""


@dataclass(frozen=True)
class QueryTodo:
    """An auditor's query nobody has answered yet."""

    review_id: int
    agreement_id: int
    code: str
    quarter: Quarter
    comment: str
    auditor: str
    raised_at: dt.datetime
    auditor_id: int | None = None


@dataclass(frozen=True)
class ReviewTodo:
    """A submitted or closed statement no auditor has reviewed yet."""

    agreement_id: int
    code: str
    title: str
    quarter: Quarter
    state: QuarterState


@dataclass(frozen=True)
class SharingTodos:
    """Quarters waiting for data (or ready to submit) and quarters waiting for confirmation."""

    data: Bounded[QuarterTodo]
    confirm: Bounded[QuarterTodo]


@dataclass
class _Party:
    id: int
    role: PartyRole
    code: str
    name: str


def _acting_filter(actor: Actor):
    """Agreements the actor acts on: a bureau's own (a party in its region); all for an admin."""
    if actor.is_admin:
        return true()
    if not actor.bureau_regions:
        return false()
    mine = select(AgreementParty.agreement_id).join(Region, Region.id == AgreementParty.region_id) \
        .where(within_regions(Region.code, actor.bureau_regions))
    return Agreement.id.in_(mine)


def quarter_todos(session: Session, actor: Actor, current: Quarter, limit: int = 20
                  ) -> SharingTodos:
    """The open quarter of every active agreement the actor acts on (seven queries).

    For a bureau: quarters that ended before ``current`` and wait for its data (it is a
    destination party; ``missing`` counts covered project × indicator without an observation)
    or for its submission, and submitted quarters its party has not confirmed, unless four eyes
    bar this user (they submitted and would be the only confirmer). For an administrator: the
    same lists over every agreement, for information (the parties still to confirm).
    """
    where = _acting_filter(actor)
    rows = session.execute(
        select(Agreement, AgreementParty.id, AgreementParty.role, Region.code, Region.name)
        .join(AgreementParty, AgreementParty.agreement_id == Agreement.id)
        .join(Region, Region.id == AgreementParty.region_id)
        .where(Agreement.status == AgreementStatus.ACTIVE, where)
        .order_by(Agreement.code, AgreementParty.priority)).all()
    agreements: dict[int, tuple[str, str]] = {}
    loaded: dict[int, Agreement] = {}
    parties: dict[int, list[_Party]] = defaultdict(list)
    for agreement, pid, role, region_code, region_name in rows:
        aid = agreement.id
        agreements[aid] = (agreement.code, agreement.title)
        loaded[aid] = agreement
        parties[aid].append(_Party(pid, role, region_code, region_name))
    if not agreements:
        return SharingTodos(Bounded([], 0), Bounded([], 0))
    ids = list(agreements)
    firsts = dict(session.execute(
        select(SharingRule.agreement_id, func.min(RuleTier.first_quarter))
        .join(RuleTier, RuleTier.rule_id == SharingRule.id)
        .where(SharingRule.agreement_id.in_(ids)).group_by(SharingRule.agreement_id)).all())
    closed = dict(session.execute(
        select(AgreementQuarter.agreement_id, func.max(AgreementQuarter.quarter))
        .where(AgreementQuarter.agreement_id.in_(ids),
               AgreementQuarter.state == QuarterState.CLOSED)
        .group_by(AgreementQuarter.agreement_id)).all())
    submitted = {aq.agreement_id: aq for aq in session.scalars(
        select(AgreementQuarter).where(AgreementQuarter.agreement_id.in_(ids),
                                       AgreementQuarter.state == QuarterState.SUBMITTED)
        .options(selectinload(AgreementQuarter.confirmations)))}

    data, confirm, due = [], [], {}
    for aid, (code, title) in agreements.items():
        if aid in submitted:
            aq = submitted[aid]
            waiting = _to_confirm(actor, parties[aid], aq)
            if waiting:
                confirm.append(QuarterTodo(aid, code, title, aq.quarter, aq.state,
                                           parties=tuple(p.name for p in waiting),
                                           submitted_by_id=aq.submitted_by_id))
            continue
        first = firsts.get(aid)
        if first is None:
            continue
        open_quarter = closed[aid] + 1 if aid in closed else first
        is_destination = actor.is_admin or any(
            p.role is PartyRole.DESTINATION and acts_for_region(actor, p.code)
            for p in parties[aid])
        if open_quarter < current and is_destination:
            due[aid] = open_quarter
    # Oldest quarter first; observations are counted for the rows shown only (bounded work).
    shown = sorted(due, key=lambda aid: (due[aid], agreements[aid][0]))[:limit]
    counts = _observation_counts(session, {aid: due[aid] for aid in shown})
    found = deadlines.exceptions_in_force(session, shown) if shown else {}
    today = deadlines.local_today(session)
    for aid in shown:
        code, title = agreements[aid]
        expected, observed = counts.get(aid, (0, 0))
        standing = deadlines.standing(session, loaded[aid], due[aid], None, today,
                                      found.get((aid, due[aid]), []))
        data.append(QuarterTodo(aid, code, title, due[aid], QuarterState.OPEN,
                                missing=expected - observed, expected=expected,
                                standing=standing))
    confirm.sort(key=lambda t: (t.quarter, t.code))
    return SharingTodos(Bounded(data, len(due)), bounded(confirm, limit))


def _to_confirm(actor: Actor, parties: list[_Party], aq: AgreementQuarter) -> list[_Party]:
    """The parties of a submitted quarter the actor should confirm now (an administrator: every
    party not yet confirmed)."""
    done = {c.party_id for c in aq.confirmations}
    left = [p for p in parties if p.id not in done]
    if actor.is_admin and not actor.bureau_regions:
        return left
    if barred_by_four_eyes(aq, actor.user_id, len(parties)):
        return []
    return [p for p in left if acts_for_region(actor, p.code)]


def _observation_counts(session: Session, due: dict[int, Quarter]
                        ) -> dict[int, tuple[int, int]]:
    """Per agreement: covered projects × ruled indicators, and how many of them have an
    observation in that agreement's quarter (two queries, whatever the number of agreements)."""
    if not due:
        return {}
    ids = list(due)
    expected = dict(session.execute(
        select(CoveredProject.agreement_id,
               func.count(CoveredProject.id) * select(func.count(SharingRule.id))
               .where(SharingRule.agreement_id == CoveredProject.agreement_id)
               .scalar_subquery())
        .where(CoveredProject.agreement_id.in_(ids))
        .group_by(CoveredProject.agreement_id)).all())
    by_quarter: dict[Quarter, list[int]] = defaultdict(list)
    for aid, quarter in due.items():
        by_quarter[quarter].append(aid)
    def observed_in(quarter: Quarter):
        # EXISTS probes the unique (project, indicator, quarter) index from the covered rows:
        # the work follows the agreements asked about, not the quarter's observations.
        return exists().where(Observation.project_id == CoveredProject.project_id,
                              Observation.indicator_code == SharingRule.indicator_code,
                              Observation.quarter == quarter)

    observed = dict(session.execute(
        select(CoveredProject.agreement_id, func.count())
        .join(SharingRule, SharingRule.agreement_id == CoveredProject.agreement_id)
        .where(or_(*(and_(CoveredProject.agreement_id.in_(aids), observed_in(q))
                     for q, aids in by_quarter.items())))
        .group_by(CoveredProject.agreement_id)).all())
    return {aid: (expected.get(aid, 0), observed.get(aid, 0)) for aid in ids}


def open_queries(session: Session, actor: Actor, limit: int = 20) -> Bounded[QueryTodo]:
    """Auditor queries not yet answered on the agreements the actor acts on, newest first
    (two queries)."""
    where = and_(Review.kind == ReviewKind.QUERY, Review.answer.is_(None), _acting_filter(actor))
    base = (select(Review.id, Agreement.id, Agreement.code, AgreementQuarter.quarter,
                   Review.comment, User.name, Review.created_at, Review.auditor_id)
            .join(AgreementQuarter, AgreementQuarter.id == Review.agreement_quarter_id)
            .join(Agreement, Agreement.id == AgreementQuarter.agreement_id)
            .join(User, User.id == Review.auditor_id)
            .where(where))
    rows = session.execute(base.order_by(Review.created_at.desc(), Review.id.desc())
                           .limit(limit)).all()
    total = session.scalar(
        select(func.count(Review.id))
        .join(AgreementQuarter, AgreementQuarter.id == Review.agreement_quarter_id)
        .join(Agreement, Agreement.id == AgreementQuarter.agreement_id).where(where))
    return Bounded([QueryTodo(*row) for row in rows], total or 0)


def statements_to_review(session: Session, actor: Actor, limit: int = 20
                         ) -> Bounded[ReviewTodo]:
    """Submitted or closed quarters in the actor's read scope that no auditor has reviewed yet,
    newest quarter first (two queries)."""
    where = and_(AgreementQuarter.state.in_([QuarterState.SUBMITTED, QuarterState.CLOSED]),
                 agreement_filter(actor),
                 ~exists().where(Review.agreement_quarter_id == AgreementQuarter.id))
    rows = session.execute(
        select(Agreement.id, Agreement.code, Agreement.title, AgreementQuarter.quarter,
               AgreementQuarter.state)
        .join(Agreement, Agreement.id == AgreementQuarter.agreement_id).where(where)
        .order_by(AgreementQuarter.quarter.desc(), Agreement.code).limit(limit)).all()
    total = session.scalar(
        select(func.count(AgreementQuarter.id))
        .join(Agreement, Agreement.id == AgreementQuarter.agreement_id).where(where))
    return Bounded([ReviewTodo(*row) for row in rows], total or 0)
