"""Use cases of the project register: transferred projects and their attributes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select, true
from sqlalchemy.orm import Session, selectinload

from app.domain.amounts import amount_errors
from app.domain.codes import (
    CooperationMode,
    Intensity,
    ProjectStatus,
    Role,
    TransactionType,
    status_shown,
)
from app.domain.messages import N_
from app.domain.uscc import UsccError, validate_uscc
from app.models import Investment, InvestmentTransaction, Project
from app.services.access.scopes import Actor, get_project, project_filter
from app.services.errors import Conflict, NotFound, ValidationFailed, require
from app.services.reference.lookups import industry_by_code, region_by_code
from app.services.screening import screen_project

MAX_JOBS = 10_000_000
"""More planned jobs than any single project has: a larger number is a typing error."""


@dataclass(frozen=True)
class ProjectData:
    """A project as entered. Money in yuan, land in 亩, regions as GB/T 2260 codes."""

    code: str
    name: str
    enterprise: str
    industry: str
    intensity: Intensity
    source_region: str
    destination_region: str
    cooperation_mode: CooperationMode
    status: ProjectStatus
    uscc: str = ""
    park: str = ""
    planned_investment: Decimal | None = None
    planned_jobs: int | None = None
    land_area: Decimal | None = None
    production_start_on: dt.date | None = None
    is_two_high: bool = False
    capacity_replacement_ref: str = ""


def _check(data: ProjectData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field in ("code", "name", "enterprise"):
        if not getattr(data, field).strip():
            errors[field] = [N_("is required")]
    if data.uscc.strip():
        try:
            validate_uscc(data.uscc)
        except UsccError as exc:
            errors["uscc"] = [str(exc)]
    if data.source_region.strip() and data.source_region.strip() == data.destination_region.strip():
        errors["destination_region"] = [N_("must differ from the source region")]
    for field in ("planned_investment", "land_area"):
        if problems := amount_errors(getattr(data, field), required=False):
            errors[field] = problems
    if data.planned_jobs is not None and not 0 <= data.planned_jobs <= MAX_JOBS:
        errors["planned_jobs"] = [N_("%(value)s is not between 0 and %(max)s",
                                     value=data.planned_jobs, max=f"{MAX_JOBS:,}")]
    if data.is_two_high and not data.capacity_replacement_ref.strip():
        errors["capacity_replacement_ref"] = [
            "a two-high project needs its capacity-replacement reference"
        ]
    return errors


def create_project(session: Session, actor: Actor, data: ProjectData) -> Project:
    """Register a project (fund managers and administrators)."""
    if not (actor.is_admin or actor.has(Role.FUND_MANAGER)):
        raise NotFound("page")
    errors = _check(data)
    if session.scalar(select(Project.id).where(Project.code == data.code.strip())):
        errors.setdefault("code", []).append(
            f'a project with the code "{data.code}" exists already')
    require(errors)
    project = Project(code=data.code.strip(), created_by_id=actor.user_id)
    _apply(session, project, data)
    session.add(project)
    session.flush()
    screen_project(session, project)
    return project


def update_project(session: Session, actor: Actor, project_id: int, version: int,
                   data: ProjectData) -> Project:
    """Change a project's attributes; Conflict if it changed since ``version`` was read."""
    project = get_project(session, actor, project_id, for_edit=True)
    if project.version != version:
        raise Conflict(N_(
            "This project was changed by someone else while you were editing. "
            "Your changes were not saved: reload to see theirs, then apply yours again."
        ))
    errors = _check(data)
    if data.code.strip() != project.code:
        errors.setdefault("code", []).append("the code of a project cannot change")
    require(errors)
    placed = (project.destination_region_id, project.industry_code)
    _apply(session, project, data)
    session.flush()
    if (project.destination_region_id, project.industry_code) != placed:
        screen_project(session, project)  # the catalogue flag follows the project
    return project


def _apply(session: Session, project: Project, data: ProjectData) -> None:
    errors: dict[str, list[str]] = {}
    lookups = {}
    for field, finder in (("source_region", region_by_code), ("destination_region", region_by_code),
                          ("industry", industry_by_code)):
        try:
            lookups[field] = finder(session, getattr(data, field), field)
        except ValidationFailed as exc:  # report every unknown code, not just the first
            errors.update(exc.errors)
    require(errors)
    project.name = data.name.strip()
    project.enterprise = data.enterprise.strip()
    project.uscc = validate_uscc(data.uscc) if data.uscc.strip() else None
    project.industry = lookups["industry"]
    project.intensity = data.intensity
    project.source_region = lookups["source_region"]
    project.destination_region = lookups["destination_region"]
    project.cooperation_mode = data.cooperation_mode
    project.park = data.park.strip() or None
    project.status = data.status
    project.planned_investment = data.planned_investment
    project.planned_jobs = data.planned_jobs
    project.land_area = data.land_area
    project.production_start_on = data.production_start_on
    project.is_two_high = data.is_two_high
    project.capacity_replacement_ref = (
        data.capacity_replacement_ref.strip() or None if data.is_two_high else None
    )


def list_projects(session: Session, actor: Actor) -> list[Project]:
    """The projects the actor may read, by code, with their regions and industry loaded."""
    return list(session.scalars(
        select(Project).where(project_filter(actor)).order_by(Project.code)
        .options(selectinload(Project.source_region), selectinload(Project.destination_region),
                 selectinload(Project.industry))
    ))


def disbursed_projects(session: Session, project_ids: Iterable[int]) -> set[int]:
    """Which of ``project_ids`` have money out: a fund's disbursements to the project, net of
    reversals, above zero (today, every fund together). One query, however many ids."""
    ids = set(project_ids)
    if not ids:
        return set()
    row = InvestmentTransaction
    net = func.sum(case((row.reverses_id.is_(None), row.amount), else_=-row.amount))
    return set(session.scalars(
        select(Investment.project_id).join(row, row.investment_id == Investment.id)
        .where(Investment.project_id.in_(ids), row.type == TransactionType.DISBURSEMENT)
        .group_by(Investment.project_id).having(net > 0)
    ))


def shown_statuses(session: Session, projects: Iterable[Project]) -> dict[int, ProjectStatus]:
    """Each project's displayed status by id (``status_shown``: PIPELINE with a disbursement is
    shown as IMPLEMENTATION; the recorded status is never changed). One query for them all."""
    listed = list(projects)
    disbursed = disbursed_projects(session, (p.id for p in listed))
    return {p.id: status_shown(p.status, p.id in disbursed) for p in listed}


def money_by_project(session: Session, project_ids: Iterable[int], *,
                     since: dt.date | None = None, until: dt.date | None = None
                     ) -> dict[int, tuple[Decimal, Decimal]]:
    """(committed, disbursed) in yuan, exact to the fen, by project id: every fund's
    ``COMMITMENT`` and ``DISBURSEMENT`` transactions to the project (dated from ``since``
    through ``until``, both optional), a reversing entry counting negative (the sums behind a
    fund's committed and disbursed). Projects without any are absent. One query, however many
    ids."""
    ids = sorted(set(project_ids))
    if not ids:
        return {}
    row = InvestmentTransaction
    signed = case((row.reverses_id.is_(None), row.amount), else_=-row.amount)
    committed = func.sum(case((row.type == TransactionType.COMMITMENT, signed), else_=0))
    disbursed = func.sum(case((row.type == TransactionType.DISBURSEMENT, signed), else_=0))
    found = session.execute(
        select(Investment.project_id, committed, disbursed)
        .join(row, row.investment_id == Investment.id)
        .where(Investment.project_id.in_(ids),
               row.occurred_on >= since if since else true(),
               row.occurred_on <= until if until else true())
        .group_by(Investment.project_id)).all()
    cent = Decimal("0.01")
    return {pid: (Decimal(c or 0).quantize(cent), Decimal(d or 0).quantize(cent))
            for pid, c, d in found}
