"""Entering quarterly observations: exact multiples of the indicator's quantum, negatives
allowed; a change to a closed quarter is a correction with a reason; any change returns the
affected submitted quarters to OPEN and clears their confirmations."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.domain.codes import AgreementStatus, QuarterState, Role
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
from app.services.access import Actor
from app.services.errors import NotFound, ValidationFailed, require


@dataclass(frozen=True)
class ObservationEntry:
    """One cell of the grid: a value in the indicator's unit (None: leave it blank)."""

    project_code: str
    indicator: str
    value: Decimal | None
    reason: str = ""


def may_enter_for(actor: Actor, project: Project) -> bool:
    """Bureaus enter figures for projects whose destination lies in their region."""
    if actor.is_admin:
        return True
    code = project.destination_region.code
    return any(code.startswith(subtree_prefix(r)) for r in actor.bureau_regions)


def closed_under(session: Session, project_id: int, indicator: str, quarter: Quarter) -> bool:
    """Whether an agreement covering the project (with a rule for it) closed ``quarter``."""
    return session.scalar(
        select(AgreementQuarter.id)
        .join(CoveredProject, CoveredProject.agreement_id == AgreementQuarter.agreement_id)
        .join(SharingRule, SharingRule.agreement_id == AgreementQuarter.agreement_id)
        .where(CoveredProject.project_id == project_id, SharingRule.indicator_code == indicator,
               AgreementQuarter.quarter == quarter,
               AgreementQuarter.state == QuarterState.CLOSED).limit(1)) is not None


def enter_observations(session: Session, actor: Actor, quarter: Quarter,
                       entries: list[ObservationEntry]) -> int:
    """Store a grid of values for one quarter; return how many changed. All or nothing: every
    bad cell is reported (field ``<project>.<indicator>``) and nothing is written."""
    if not (actor.is_admin or actor.has(Role.FINANCE_BUREAU)):
        raise NotFound("page")
    codes = {e.project_code for e in entries}
    projects = {p.code: p for p in session.scalars(
        select(Project).where(Project.code.in_(codes))
        .options(selectinload(Project.destination_region)))}
    indicators = {i.code: i for i in session.scalars(select(IndicatorDefinition))}
    _lock_quarters(session, [p.id for p in projects.values()], quarter)
    existing = {(o.project_id, o.indicator_code): o for o in session.scalars(
        select(Observation).where(Observation.quarter == quarter,
                                  Observation.project_id.in_([p.id for p in projects.values()])))}
    errors: dict[str, list[str]] = {}
    plan = []
    for entry in entries:
        key = f"{entry.project_code}.{entry.indicator}"
        project = projects.get(entry.project_code)
        if project is None or not may_enter_for(actor, project):
            raise NotFound(f"project {entry.project_code}")
        indicator = indicators.get(entry.indicator)
        if indicator is None:
            errors[key] = [f'"{entry.indicator}" is not an indicator']
            continue
        current = existing.get((project.id, indicator.code))
        if entry.value is not None:
            try:
                to_minor_units(entry.value, indicator.quantum_decimal)
            except AmountError:
                errors[key] = [f"{entry.value} is not a whole multiple of {indicator.quantum} "
                               f"{indicator.unit}"]
                continue
        if (current.value if current else None) == entry.value:
            continue
        is_correction = closed_under(session, project.id, indicator.code, quarter)
        if is_correction and entry.value is None:
            errors[key] = ["a closed quarter's value cannot be removed; enter 0 with a reason"]
        elif is_correction and not entry.reason.strip():
            errors[key] = ["this quarter is closed: say why the value is corrected"]
        else:
            plan.append((project, indicator, current, entry, is_correction))
    require(errors)
    for project, indicator, current, entry, is_correction in plan:
        if current is None:
            session.add(Observation(project_id=project.id, indicator_code=indicator.code,
                                    quarter=quarter, value=entry.value,
                                    updated_by_id=actor.user_id))
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
    _reopen_affected(session, quarter, {(p.id, i.code) for p, i, *_ in plan})
    return len(plan)


def _lock_quarters(session: Session, project_ids: list[int], quarter: Quarter) -> None:
    """Lock the quarter's workflow rows of every agreement covering these projects (PostgreSQL),
    so a confirmation or closing cannot slip in between reading the state and writing."""
    session.execute(
        select(AgreementQuarter.id)
        .join(CoveredProject, CoveredProject.agreement_id == AgreementQuarter.agreement_id)
        .where(CoveredProject.project_id.in_(project_ids), AgreementQuarter.quarter == quarter)
        .with_for_update(of=AgreementQuarter)).all()


def _reopen_affected(session: Session, quarter: Quarter, changed: set[tuple[int, str]]) -> None:
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
        raise ValidationFailed(status="observations are entered for signed agreements")
    indicators = sorted((r.indicator for r in agreement.rules), key=lambda i: (i.position, i.code))
    previous = [quarter - k for k in range(history, 0, -1)]
    project_ids = [c.project_id for c in agreement.covered]
    values: dict[tuple[int, str, Quarter], Decimal] = {
        (o.project_id, o.indicator_code, o.quarter): o.value
        for o in session.scalars(select(Observation).where(
            Observation.project_id.in_(project_ids),
            Observation.quarter >= previous[0] if previous else quarter,
            Observation.quarter <= quarter))}
    rows = []
    for covered in agreement.covered:
        project = covered.project
        rows.append(GridRow(
            project=project,
            values={i.code: values.get((project.id, i.code, quarter)) for i in indicators},
            history={i.code: [values.get((project.id, i.code, q)) for q in previous]
                     for i in indicators}))
    return indicators, previous, rows
