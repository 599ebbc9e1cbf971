"""Which projects belong to a park, and since when.

A project belongs to one park at most, from the day it joined to the day it left (still in it
while no leaving day is set). A project may join only a park whose host regions it is going to:
its destination lies within the park's host region or a partner region with the HOST role.
Who may set a project's park: administrators, and whoever may change the project (its fund
managers); the park must be one they can see, or a park of the project's destination.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.domain.messages import N_
from app.domain.regions import subtree_prefix
from app.models import Park, ParkMembership, Project
from app.services.access.scopes import Actor, can_edit_project, get_project, project_filter
from app.services.errors import Conflict, NotFound, ValidationFailed, require
from app.services.parks.register import PARK_IN_FULL, host_codes, park_by_code, park_filter
from app.services.sharing.coverage import sync_park


def membership_of(session: Session, actor: Actor, project_id: int) -> ParkMembership | None:
    """The project's park membership, when the actor can see that park."""
    return session.scalars(
        select(ParkMembership).join(ParkMembership.park)
        .where(ParkMembership.project_id == project_id, park_filter(actor))
        .options(selectinload(ParkMembership.park))).first()


def members(session: Session, park_id: int, readable_by: Actor | None = None
            ) -> list[ParkMembership]:
    """The park's memberships (past and present) with their projects, by project code; only
    those of projects ``readable_by`` may read, when given (the API)."""
    query = select(ParkMembership).join(ParkMembership.project) \
        .where(ParkMembership.park_id == park_id)
    if readable_by is not None:
        query = query.where(project_filter(readable_by))
    return list(session.scalars(
        query.order_by(Project.code)
        .options(selectinload(ParkMembership.project).selectinload(Project.source_region),
                 selectinload(ParkMembership.project).selectinload(Project.destination_region))))


def can_set_park(session: Session, actor: Actor, project: Project) -> bool:
    """Whether the actor may put the project in a park or take it out."""
    return can_edit_project(session, actor, project)


def set_membership(session: Session, actor: Actor, project_id: int, park_code: str,
                   joined_on: dt.date | None, left_on: dt.date | None = None,
                   version: int | None = None) -> ParkMembership | None:
    """Put the project in the park ``park_code`` from ``joined_on`` (to ``left_on``), or, with
    a blank ``park_code``, take it out of its park altogether (the record is deleted: use a
    leaving day to keep the history). ``version`` is the membership's version as read (None:
    there was none); Conflict if it changed since."""
    project = get_project(session, actor, project_id)
    if not can_set_park(session, actor, project):
        raise NotFound(f"project {project_id}")
    existing = session.scalars(
        select(ParkMembership).where(ParkMembership.project_id == project.id)).first()
    if (existing.version if existing else None) != version:
        raise Conflict(N_("This project's park was changed by someone else; reload and try "
                          "again."))
    previous_park = existing.park_id if existing else None
    if not (park_code or "").strip():
        if existing is not None:
            session.delete(existing)
            session.flush()
            sync_park(session, previous_park)
        return None
    park = _park_to_join(session, actor, project, park_code)
    errors: dict[str, list] = {}
    if not _goes_to(project, park):
        errors["park"] = [N_(
            'the project goes to %(destination)s, outside the park %(park)s (hosted in '
            '%(host)s): a project joins only a park of its destination',
            destination=str(project.destination_region), park=str(park),
            host=", ".join(host_codes(park)))]
    if joined_on is None:
        errors["joined_on"] = [N_("is required")]
    elif left_on is not None and left_on < joined_on:
        errors["left_on"] = [N_("the project cannot leave before it joined (%(date)s)",
                                date=joined_on.isoformat())]
    require(errors)
    if existing is None:
        existing = ParkMembership(project=project)
        session.add(existing)
    existing.park = park
    existing.joined_on = joined_on
    existing.left_on = left_on
    session.flush()
    for park_id in dict.fromkeys(p for p in (previous_park, park.id) if p is not None):
        sync_park(session, park_id)
    return existing


def _park_to_join(session: Session, actor: Actor, project: Project, park_code: str) -> Park:
    """The park named, if the actor may see it, or if it is a park of the project's
    destination (a fund manager, who sees no park by region, names the park their project goes
    to); otherwise ValidationFailed on ``park``, exactly as for an unknown code, so a park out
    of scope reveals nothing."""
    try:
        return park_by_code(session, actor, park_code)
    except ValidationFailed:
        park = session.scalars(select(Park).where(Park.code == park_code.strip())
                               .options(*PARK_IN_FULL)).first()
        if park is None or not _goes_to(project, park):
            raise
        return park


def parks_to_choose(session: Session, actor: Actor, project: Project) -> list[Park]:
    """The parks offered for the project, by code: those the actor sees and the parks of the
    project's destination (parks are few: read whole)."""
    visible = set(session.scalars(select(Park.id).where(park_filter(actor))))
    return [p for p in session.scalars(select(Park).order_by(Park.code).options(*PARK_IN_FULL))
            if p.id in visible or _goes_to(project, p)]


def _goes_to(project: Project, park: Park) -> bool:
    destination = project.destination_region.code
    return any(destination.startswith(subtree_prefix(code)) for code in host_codes(park))


def set_membership_by_code(session: Session, actor: Actor, project_code: str, park_code: str,
                           joined_on: dt.date | None, left_on: dt.date | None = None
                           ) -> ParkMembership | None:
    """:func:`set_membership` for a project named by code (the API and imports), whatever the
    version of its membership."""
    project_id = session.scalar(select(Project.id).where(Project.code == project_code.strip()))
    if project_id is None:
        raise ValidationFailed(project=N_('"%(value)s" is not a known project code',
                                          value=project_code[:40]))
    current = session.scalar(select(ParkMembership.version)
                             .where(ParkMembership.project_id == project_id))
    return set_membership(session, actor, project_id, park_code, joined_on, left_on, current)
