"""Use cases of the parks register: who sees which park, and creating and changing parks.

A park is in a user's scope when its host region or one of its partner regions lies within one
of the user's bureau or auditor regions (administrators and national auditors see them all), and
for a fund manager when one of their projects belongs or belonged to it.
Administrators create and change parks; nobody else does (parks are reference data that several
regions share, like the regions themselves).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session, aliased, selectinload

from app.domain.amounts import amount_errors
from app.domain.codes import ParkType, PartnerRole, Role
from app.domain.messages import N_
from app.models import Park, ParkIndustry, ParkMembership, ParkPartner, Project, Region
from app.services.access.scopes import Actor, project_filter, require_role, within_regions
from app.services.errors import Conflict, NotFound, ValidationFailed, require
from app.services.reference.lookups import industry_by_code, region_by_code

PARK_IN_FULL = (
    selectinload(Park.host_region),
    selectinload(Park.partners).selectinload(ParkPartner.region),
    selectinload(Park.industries).selectinload(ParkIndustry.industry),
)
"""Eager loads of what a park page shows of the park itself."""


def park_filter(actor: Actor) -> ColumnElement[bool]:
    """SQL: the parks the actor may read: those hosted in or partnered with a region within
    their bureau or auditor regions, and for a fund manager the parks their projects (those
    they may read) belong or belonged to."""
    if actor.sees_everything:
        return true()
    clauses = []
    if actor.read_regions:
        place = aliased(Region)
        in_scope = select(place.id).where(within_regions(place.code, actor.read_regions))
        clauses += [Park.host_region_id.in_(in_scope), Park.id.in_(
            select(ParkPartner.park_id).where(ParkPartner.region_id.in_(in_scope)))]
    if Role.FUND_MANAGER in actor.roles:
        clauses.append(Park.id.in_(
            select(ParkMembership.park_id).join(Project, ParkMembership.project_id == Project.id)
            .where(project_filter(actor))))
    return or_(*clauses) if clauses else false()


def get_park(session: Session, actor: Actor, park_id: int, *, for_edit: bool = False) -> Park:
    """The park with its regions and industries if the actor may read it (edit it: an
    administrator); else NotFound."""
    if for_edit and not actor.is_admin:
        raise NotFound(f"park {park_id}")
    park = session.scalars(select(Park).where(Park.id == park_id, park_filter(actor))
                           .options(*PARK_IN_FULL)).first()
    if park is None:
        raise NotFound(f"park {park_id}")
    return park


def park_by_code(session: Session, actor: Actor, code: str, field_name: str = "park") -> Park:
    """The park with ``code`` in the actor's scope; ValidationFailed naming ``field_name``."""
    code = (code or "").strip()
    park = session.scalars(select(Park).where(Park.code == code, park_filter(actor))
                           .options(*PARK_IN_FULL)).first() if code else None
    if park is None:
        raise ValidationFailed({field_name: [N_('"%(value)s" is not a park you can see',
                                                value=code[:40])]})
    return park


def can_edit_parks(actor: Actor) -> bool:
    """Only administrators create and change parks."""
    return actor.is_admin


@dataclass(frozen=True)
class PartnerData:
    """A partner region as entered: its GB/T 2260 code and role."""

    region: str
    role: PartnerRole


@dataclass(frozen=True)
class ParkData:
    """A park as entered. Dates are calendar days, the planned area is in 亩 (0.01 exact),
    industries are GB/T 4754-2017 division, group or class codes."""

    code: str
    name: str
    park_type: ParkType
    host_region: str
    cycle_start: dt.date | None
    cycle_end: dt.date | None = None
    partners: list[PartnerData] = field(default_factory=list)
    approving_document: str = ""
    approved_on: dt.date | None = None
    planned_area: Decimal | None = None
    industries: list[str] = field(default_factory=list)


def _check(data: ParkData) -> dict[str, list]:
    errors: dict[str, list] = {}
    for name in ("code", "name"):
        if not getattr(data, name).strip():
            errors[name] = [N_("is required")]
    if data.cycle_start is None:
        errors["cycle_start"] = [N_("is required")]
    elif data.cycle_end is not None and data.cycle_end <= data.cycle_start:
        errors["cycle_end"] = [N_("the cycle must end after it starts (%(start)s)",
                                  start=data.cycle_start.isoformat())]
    if problems := amount_errors(data.planned_area, required=False):
        errors["planned_area"] = problems
    return errors


def create_park(session: Session, actor: Actor, data: ParkData) -> Park:
    """Register a park (administrators)."""
    require_role(actor, Role.ADMIN)
    errors = _check(data)
    if data.code.strip() and session.scalar(select(Park.id).where(Park.code == data.code.strip())):
        errors.setdefault("code", []).append(
            N_('a park with the code "%(code)s" exists already', code=data.code.strip()))
    require(errors)
    park = Park(code=data.code.strip(), created_by_id=actor.user_id)
    _apply(session, park, data)
    session.add(park)
    session.flush()
    return park


def update_park(session: Session, actor: Actor, park_id: int, version: int, data: ParkData
                ) -> Park:
    """Change a park (administrators); Conflict if it changed since ``version`` was read. The
    code of a park never changes."""
    park = get_park(session, actor, park_id, for_edit=True)
    if park.version != version:
        raise Conflict(N_("This park was changed by someone else while you were editing. "
                          "Your changes were not saved: reload to see theirs, then apply "
                          "yours again."))
    errors = _check(data)
    if data.code.strip() != park.code:
        errors.setdefault("code", []).append(N_("the code of a park cannot change"))
    require(errors)
    _apply(session, park, data)
    session.flush()
    return park


def _apply(session: Session, park: Park, data: ParkData) -> None:
    errors: dict[str, list] = {}
    host = partners = None
    try:
        host = region_by_code(session, data.host_region, "host_region")
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        partners = [(region_by_code(session, p.region, "partners"), p.role)
                    for p in data.partners if p.region.strip()]
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if partners is not None:
        codes = [r.code for r, _role in partners]
        if len(set(codes)) != len(codes):
            errors["partners"] = [N_("a region is listed twice")]
        elif host is not None and host.code in codes:
            errors["partners"] = [N_("the host region is not also a partner")]
    industries = []
    for code in data.industries:
        if not code.strip():
            continue
        try:
            industries.append(industry_by_code(session, code, "industries"))
        except ValidationFailed as exc:
            errors.setdefault("industries", []).extend(exc.errors["industries"])
    if len({i.code for i in industries}) != len(industries):
        errors.setdefault("industries", []).append(N_("an industry is listed twice"))
    require(errors)
    park.name = data.name.strip()
    park.park_type = data.park_type
    park.host_region = host
    park.approving_document = data.approving_document.strip() or None
    park.approved_on = data.approved_on
    park.cycle_start = data.cycle_start
    park.cycle_end = data.cycle_end
    park.planned_area = data.planned_area
    kept = {p.region.code: p for p in park.partners}
    park.partners = [_partner(kept.get(region.code), region, role) for region, role in partners]
    kept_industries = {i.industry_code: i for i in park.industries}
    park.industries = [kept_industries.get(i.code) or ParkIndustry(industry=i)
                       for i in industries]


def _partner(existing: ParkPartner | None, region: Region, role: PartnerRole) -> ParkPartner:
    if existing is None:
        return ParkPartner(region=region, role=role)
    existing.role = role
    return existing


def host_codes(park: Park) -> tuple[str, ...]:
    """The regions a project of the park may be going to: the host and the partners whose
    role is HOST (a zone spanning several cities names the others as host partners)."""
    return (park.host_region.code,
            *(p.region.code for p in park.partners if p.role is PartnerRole.HOST))
