"""Entering quarterly observations: exact multiples of the indicator's quantum, negatives
allowed; a change to a closed quarter is a correction with a reason; any change returns the
affected submitted quarters to OPEN and clears their confirmations.

Lost updates: an entry may carry the value its author saw (``expected``); it is compared with
the stored value inside the write transaction, after the projects' rows are locked, so of two
concurrent saves of one cell the second sees the first's value and is refused as a conflict
naming both values (:class:`ObservationConflict`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.domain.amounts import LARGEST
from app.domain.codes import AgreementStatus, QuarterState, Role
from app.domain.messages import N_
from app.domain.money import AmountError, to_minor_units
from app.domain.quarter import Quarter
from app.domain.regions import subtree_prefix
from app.models import (
    Agreement,
    AgreementQuarter,
    CoveredProject,
    IndicatorDefinition,
    Observation,
    ObservationCorrection,
    Project,
    SharingRule,
)
from app.services.access.scopes import Actor
from app.services.errors import Conflict, NotFound, ValidationFailed, require
from app.services.sharing.coverage import covers
from app.services.sharing.deadlines import entry_refusals


class _Unchecked:
    """The type of :data:`UNCHECKED`."""

    def __repr__(self) -> str:
        return "UNCHECKED"


UNCHECKED = _Unchecked()
"""An entry's ``expected`` when its author did not say what it replaces: written regardless."""


@dataclass(frozen=True)
class ObservationEntry:
    """One cell of the grid: a value in the indicator's unit (None: leave it blank), and the
    value its author saw and means to replace (None: no value yet; UNCHECKED: whatever is
    there)."""

    project_code: str
    indicator: str
    value: Decimal | None
    reason: str = ""
    expected: Decimal | _Unchecked | None = UNCHECKED


@dataclass(frozen=True)
class CellConflict:
    """A cell someone else changed since its author read it: the value stored now (theirs),
    the value the author saw, and the author's value (yours); None: no value."""

    project_code: str
    indicator: str
    current: Decimal | None
    expected: Decimal | None
    value: Decimal | None


class ObservationConflict(Conflict):
    """Cells changed by someone else since they were read (``cells`` by ``<project>.<indicator>``,
    ``errors`` the other cells' problems, if any); nothing was written."""

    def __init__(self, cells: dict[str, CellConflict], errors: dict[str, list[str]]):
        self.cells, self.errors = cells, errors
        super().__init__(N_("%(cells)s: changed by someone else since you read it; nothing was "
                            "saved", cells=", ".join(
                                f"{k} (now {_text(c.current)}, you read {_text(c.expected)}, "
                                f"yours {_text(c.value)})" for k, c in cells.items())))


def _text(value: Decimal | None) -> str:
    return "none" if value is None else f"{value:f}"


def conflict_message(conflict: CellConflict):
    """The message of a conflicting cell, beside it: both values (theirs now, yours)."""
    return N_("someone else changed this value meanwhile: it is now %(theirs)s; yours is "
              "%(yours)s. Save again to replace theirs with yours",
              theirs="—" if conflict.current is None else conflict.current,
              yours="—" if conflict.value is None else conflict.value)


def may_enter_for(actor: Actor, project: Project) -> bool:
    """Bureaus enter figures for projects whose destination lies in their region."""
    return may_enter_in(actor, project.destination_region.code)


def may_enter_in(actor: Actor, destination_code: str) -> bool:
    """Whether the actor may enter figures of a project arriving in ``destination_code``."""
    if actor.is_admin:
        return True
    return any(destination_code.startswith(subtree_prefix(r)) for r in actor.bureau_regions)


def _closed(project_ids, quarters):
    return (
        select(CoveredProject.project_id, SharingRule.indicator_code, AgreementQuarter.quarter)
        .join(CoveredProject, CoveredProject.agreement_id == AgreementQuarter.agreement_id)
        .join(SharingRule, SharingRule.agreement_id == AgreementQuarter.agreement_id)
        .where(CoveredProject.project_id.in_(project_ids), AgreementQuarter.quarter.in_(quarters),
               AgreementQuarter.state == QuarterState.CLOSED))


def closed_under(session: Session, project_id: int, indicator: str, quarter: Quarter) -> bool:
    """Whether an agreement covering the project (with a rule for it) closed ``quarter``."""
    return session.execute(_closed([project_id], [quarter])
                           .where(SharingRule.indicator_code == indicator).limit(1)).first() \
        is not None


def closed_keys(session: Session, project_ids, quarters) -> set[tuple[int, str, Quarter]]:
    """(project id, indicator, quarter) of these projects and quarters that an agreement with
    a rule for the indicator has closed: a value entered there is a correction."""
    return {tuple(row) for row in session.execute(_closed(list(project_ids), list(quarters)))}


def value_errors(indicator: IndicatorDefinition, value: Decimal) -> list[str]:
    """Messages if ``value`` is not a whole multiple of the indicator's quantum (its unit)."""
    try:
        to_minor_units(value, indicator.quantum_decimal)
    except AmountError:
        return [N_("%(value)s is not a whole multiple of %(quantum)s %(unit)s", value=value,
                   quantum=indicator.quantum, unit=indicator.unit)]
    if abs(value) >= LARGEST:
        return [N_("%(value)s is too large (at most 14 digits before the point)", value=value)]
    return []


def correction_errors(is_correction: bool, value: Decimal | None, reason: str) -> list[str]:
    """Messages if a change to a closed quarter removes its value or gives no reason."""
    if is_correction and value is None:
        return [N_("a closed quarter's value cannot be removed; enter 0 with a reason")]
    if is_correction and not reason.strip():
        return [N_("this quarter is closed: say why the value is corrected")]
    return []


def enter_observations(session: Session, actor: Actor, quarter: Quarter,
                       entries: list[ObservationEntry], today: dt.date | None = None) -> int:
    """Store a grid of values for one quarter; return how many changed. All or nothing: every
    bad cell is reported (field ``<project>.<indicator>``) and nothing is written; a cell whose
    ``expected`` value is no longer the stored one (and whose new value is not already stored)
    raises :class:`ObservationConflict` naming every such cell, and nothing is written. A bureau's
    change in a quarter locked under an agreement covering the project is refused (field
    ``<project>.<indicator>``; ``today`` is the local date, today unless given)."""
    if not (actor.is_admin or actor.has(Role.FINANCE_BUREAU)):
        raise NotFound("page")
    codes = {e.project_code for e in entries}
    projects = {p.code: p for p in session.scalars(
        select(Project).where(Project.code.in_(codes))
        .options(selectinload(Project.destination_region)))}
    indicators = {i.code: i for i in session.scalars(select(IndicatorDefinition))}
    project_ids = sorted(p.id for p in projects.values())
    lock_quarters(session, project_ids, [quarter])
    # The projects' rows are locked (in id order, so two saves cannot deadlock) before the
    # values are read: a concurrent save of the same projects waits here until the first
    # commits, then reads its values (READ COMMITTED) and sees any conflict. NO KEY UPDATE
    # leaves other writers' inserts of rows referring to the projects alone.
    session.execute(select(Project.id).where(Project.id.in_(project_ids))
                    .order_by(Project.id).with_for_update(key_share=True)).all()
    existing = {(o.project_id, o.indicator_code): o for o in session.scalars(
        select(Observation).where(Observation.quarter == quarter,
                                  Observation.project_id.in_(project_ids))
        .execution_options(populate_existing=True))}
    refused = entry_refusals(session, actor, project_ids, [quarter], today)
    errors: dict[str, list[str]] = {}
    conflicts: dict[str, CellConflict] = {}
    plan = []
    seen: set[str] = set()
    for entry in entries:
        key = f"{entry.project_code}.{entry.indicator}"
        if key in seen:
            errors[key] = [N_("is given twice")]
            continue
        seen.add(key)
        project = projects.get(entry.project_code)
        if project is None or not may_enter_for(actor, project):
            raise NotFound(f"project {entry.project_code}")
        indicator = indicators.get(entry.indicator)
        if indicator is None:
            errors[key] = [N_('"%(code)s" is not an indicator', code=entry.indicator)]
            continue
        current = existing.get((project.id, indicator.code))
        if entry.value is not None and (problems := value_errors(indicator, entry.value)):
            errors[key] = problems
            continue
        now = current.value if current else None
        if now == entry.value:
            continue
        if (locked := refused.get((project.id, indicator.code, quarter))) is not None:
            errors[key] = [locked]
            continue
        if entry.expected is not UNCHECKED and entry.expected != now:
            quantum = indicator.quantum_decimal
            conflicts[key] = CellConflict(
                project.code, indicator.code, _at(now, quantum),
                _at(entry.expected, quantum), _at(entry.value, quantum))
            continue
        is_correction = closed_under(session, project.id, indicator.code, quarter)
        if problems := correction_errors(is_correction, entry.value, entry.reason):
            errors[key] = problems
        else:
            plan.append((project, indicator, current, entry, is_correction))
    if conflicts:
        raise ObservationConflict(conflicts, {k: v for k, v in errors.items() if v})
    require(errors)
    for project, indicator, current, entry, is_correction in plan:
        if current is None:
            current = Observation(project_id=project.id, indicator_code=indicator.code,
                                  quarter=quarter, value=entry.value, updated_by_id=actor.user_id)
            session.add(current)
            if is_correction:  # missing when the quarter closed, so counted as zero then
                session.add(ObservationCorrection(
                    observation=current, old_value=Decimal(0), new_value=entry.value,
                    reason=entry.reason.strip(), corrected_by_id=actor.user_id))
        elif entry.value is None:
            session.delete(current)
        else:
            if is_correction:
                session.add(ObservationCorrection(
                    observation=current, old_value=current.value, new_value=entry.value,
                    reason=entry.reason.strip(), corrected_by_id=actor.user_id))
            current.value = entry.value
            current.updated_by_id = actor.user_id
    session.flush()
    reopen_affected(session, quarter, {(p.id, i.code) for p, i, *_ in plan})
    return len(plan)


def _at(value, quantum: Decimal):
    """``value`` shown at the indicator's quantum when that is exact (100.0000 → 100.00)."""
    try:
        fixed = None if value is None else value.quantize(quantum)
    except ArithmeticError:  # more digits than the context holds: shown as it is
        return value
    return fixed if fixed == value else value


def lock_quarters(session: Session, project_ids: list[int], quarters: list[Quarter]) -> None:
    """Lock these quarters' workflow rows of every agreement covering these projects
    (PostgreSQL), so a confirmation or closing cannot slip in between reading the state and
    writing."""
    session.execute(
        select(AgreementQuarter.id)
        .join(CoveredProject, CoveredProject.agreement_id == AgreementQuarter.agreement_id)
        .where(CoveredProject.project_id.in_(project_ids), AgreementQuarter.quarter.in_(quarters))
        .with_for_update(of=AgreementQuarter)).all()


def reopen_affected(session: Session, quarter: Quarter, changed: set[tuple[int, str]]) -> None:
    """Return every submitted quarter at or after ``quarter`` of the agreements the changes
    touch to OPEN, clearing its confirmations (both are written to the audit trail)."""
    if not changed:
        return
    project_ids = {p for p, _ in changed}
    agreements = session.scalars(
        select(Agreement).join(CoveredProject).where(CoveredProject.project_id.in_(project_ids))
        .options(selectinload(Agreement.covered), selectinload(Agreement.rules)).distinct())
    touched = []
    for agreement in agreements:
        pairs = {(c.project_id, r.indicator_code) for c in agreement.covered
                 for r in agreement.rules}
        if pairs & changed:
            touched.append(agreement.id)
    if not touched:
        return
    for aq in session.scalars(select(AgreementQuarter).where(
            AgreementQuarter.agreement_id.in_(touched), AgreementQuarter.quarter >= quarter,
            AgreementQuarter.state == QuarterState.SUBMITTED)
            .with_for_update().execution_options(populate_existing=True)):
        aq.state = QuarterState.OPEN
        aq.fingerprint = None
        aq.confirmations.clear()
    session.flush()


@dataclass(frozen=True)
class GridRow:
    """A project in the grid: its value per indicator this quarter and in earlier quarters."""

    project: Project
    values: dict[str, Decimal | None]
    history: dict[str, list[Decimal | None]]


def observation_grid(session: Session, actor: Actor, agreement: Agreement, quarter: Quarter,
                     history: int = 3) -> tuple[list[IndicatorDefinition], list[Quarter],
                                                list[GridRow]]:
    """The covered projects × ruled indicators of an agreement for one quarter, with the
    ``history`` previous quarters alongside (None where nothing was entered: missing)."""
    if agreement.status is AgreementStatus.DRAFT:
        raise ValidationFailed(status=N_("observations are entered for signed agreements"))
    indicators = sorted((r.indicator for r in agreement.rules), key=lambda i: (i.position, i.code))
    previous = [quarter - k for k in range(history, 0, -1)]
    covered_now = [c for c in agreement.covered if covers(c, quarter)]
    project_ids = [c.project_id for c in covered_now]
    values: dict[tuple[int, str, Quarter], Decimal] = {
        (o.project_id, o.indicator_code, o.quarter): o.value
        for o in session.scalars(select(Observation).where(
            Observation.project_id.in_(project_ids),
            Observation.quarter >= previous[0] if previous else quarter,
            Observation.quarter <= quarter))}
    rows = []
    for covered in covered_now:
        project = covered.project
        rows.append(GridRow(
            project=project,
            values={i.code: values.get((project.id, i.code, quarter)) for i in indicators},
            history={i.code: [values.get((project.id, i.code, q)) for q in previous]
                     for i in indicators}))
    return indicators, previous, rows
