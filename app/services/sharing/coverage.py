"""Agreements that cover a park: every project of the park, each for the quarters it belongs.

An agreement may cover parks besides (or instead of) a named list of projects. A member of a
covered park is covered from the later of the quarter it joined the park and the agreement's
first quarter (the first quarter any rule has a tier for), through the quarter it left the park
(open-ended while it stays). A project the agreement names is covered by name, over the
agreement's whole life, and never also via a park.

The coverage via parks is kept as covered-project rows (``CoveredProject.via_park_id``) so that
everything that reads the covered projects (statements, the observation grid, corrections,
closing) reads these too. The rows follow the park's membership: :func:`sync_park` runs after
every change of membership, also for signed agreements (the park, not a list, was signed).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.domain.messages import N_
from app.domain.quarter import Quarter
from app.domain.regions import subtree_prefix
from app.models import (
    Agreement,
    CoveredPark,
    CoveredProject,
    FrozenAllocation,
    Park,
    ParkMembership,
    ParkPartner,
)
from app.services.access.scopes import Actor
from app.services.errors import ValidationFailed
from app.services.sharing.agreements import _draft

HOST_ROLE = "HOST"


def agreement_start(agreement: Agreement) -> Quarter | None:
    """The first quarter any rule of the agreement has a tier for (None: no tier yet)."""
    firsts = [t.first_quarter for r in agreement.rules for t in r.tiers]
    return min(firsts) if firsts else None


def covers(row: CoveredProject, quarter: Quarter) -> bool:
    """Whether the covered project belongs to the agreement in ``quarter`` (named ones always;
    via a park, between its first and last quarter)."""
    return ((row.first_quarter is None or row.first_quarter <= quarter)
            and (row.last_quarter is None or quarter <= row.last_quarter))


def in_window(row: CoveredProject, index: int) -> bool:
    """:func:`covers` for a ``Quarter.index``."""
    return ((row.first_quarter is None or row.first_quarter.index <= index)
            and (row.last_quarter is None or index <= row.last_quarter.index))


def set_covered_parks(session: Session, actor: Actor, agreement_id: int,
                      park_codes: list[str]) -> Agreement:
    """Replace the parks a draft agreement covers (codes). A park must be hosted within one of
    the agreement's parties' regions. ValidationFailed naming ``parks`` otherwise."""
    agreement = _draft(session, actor, agreement_id)
    codes = list(dict.fromkeys(c.strip() for c in park_codes if c.strip()))
    found = {p.code: p for p in session.scalars(
        select(Park).where(Park.code.in_(codes))
        .options(selectinload(Park.host_region),
                 selectinload(Park.partners).selectinload(ParkPartner.region)))}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationFailed(parks=N_("unknown park codes: %(codes)s",
                                        codes=", ".join(c[:40] for c in unknown)))
    parties = [p.region.code for p in agreement.parties]
    outside = [code for code in codes if not any(
        host.startswith(subtree_prefix(party)) for party in parties
        for host in _hosts(found[code]))]
    if outside:
        raise ValidationFailed(parks=N_(
            "the park %(parks)s is not hosted in the region of any party", parks=", ".join(
                str(found[c]) for c in outside)))
    keep = {c.park.code: c for c in agreement.covered_parks}
    agreement.covered_parks = [keep.get(code) or CoveredPark(park=found[code]) for code in codes]
    session.flush()
    sync_agreement(session, agreement)
    return agreement


def _hosts(park: Park) -> list[str]:
    return [park.host_region.code,
            *(p.region.code for p in park.partners if p.role.value == HOST_ROLE)]


def sync_park(session: Session, park_id: int) -> None:
    """Bring the covered-project rows of every agreement covering the park in line with the
    park's membership (after a project joined, left or moved)."""
    for agreement in session.scalars(
            select(Agreement).join(CoveredPark).where(CoveredPark.park_id == park_id)
            .options(selectinload(Agreement.covered), selectinload(Agreement.covered_parks),
                     selectinload(Agreement.rules))):
        sync_agreement(session, agreement)


def sync_agreement(session: Session, agreement: Agreement) -> None:
    """Make the agreement's covered-project rows via parks match the members of its parks:
    add the new members, move the windows of the others, drop the rows of projects no longer
    members (never those a closed quarter has frozen: ValidationFailed naming ``park``)."""
    named = {c.project_id for c in agreement.covered if c.via_park_id is None}
    start = agreement_start(agreement)
    wanted: dict[int, tuple[int, Quarter, Quarter | None]] = {}
    park_ids = [c.park_id for c in agreement.covered_parks]
    memberships = session.scalars(
        select(ParkMembership).where(ParkMembership.park_id.in_(park_ids))
        .order_by(ParkMembership.park_id, ParkMembership.project_id)) if park_ids else []
    for membership in memberships:
        if membership.project_id in named or membership.project_id in wanted:
            continue
        first = Quarter.containing(membership.joined_on)
        if start is not None and start > first:
            first = start
        last = Quarter.containing(membership.left_on) if membership.left_on else None
        if last is not None and last < first:
            continue  # left the park before the agreement began
        wanted[membership.project_id] = (membership.park_id, first, last)
    rows = {c.project_id: c for c in agreement.covered if c.via_park_id is not None}
    gone = [c for pid, c in rows.items() if pid not in wanted]
    if gone and session.scalar(select(FrozenAllocation.id).where(
            FrozenAllocation.agreement_id == agreement.id,
            FrozenAllocation.project_id.in_([c.project_id for c in gone])).limit(1)):
        raise ValidationFailed(park=N_(
            "agreement %(code)s has closed quarters with this project: give it a leaving date "
            "instead of taking it out of the park", code=agreement.code))
    for row in gone:
        agreement.covered.remove(row)
    for project_id, (park_id, first, last) in wanted.items():
        row = rows.get(project_id)
        if row is None:
            row = CoveredProject(project_id=project_id)
            agreement.covered.append(row)
        row.via_park_id, row.first_quarter, row.last_quarter = park_id, first, last
    session.flush()
