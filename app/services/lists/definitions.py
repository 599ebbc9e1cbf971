"""Every list, defined once: its scope filter, its filters, its sort keys, its search columns and
how its rows' relations are loaded, as a :class:`ListSpec` the web pages and the API's
collections both paginate (``paginate(session, funds(session, actor, ...), sort=...)``).

Each definition starts from the actor's scope, so a crafted parameter can only narrow it; every
sort key ends in a unique column. A filter given as None does not narrow; an exact code filter
(the API's ``code``) given as a blank text matches nothing, a blank region filter is ignored.
Unknown region codes raise ValidationFailed naming the filter.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session, aliased, contains_eager, selectinload

from app.domain.codes import (
    AgreementStatus,
    FundClass,
    FundStatus,
    MovementType,
    ParkType,
    ProjectStatus,
    Role,
    ScreeningFlag,
)
from app.domain.messages import N_
from app.domain.quarter import Quarter
from app.models import (
    Agreement,
    AgreementParty,
    AuditEntry,
    Fund,
    Investment,
    Movement,
    Observation,
    Park,
    ParkMembership,
    ParkPartner,
    Project,
    Region,
)
from app.models.sharing import IndicatorDefinition
from app.services.access import audit
from app.services.access.scopes import (
    Actor,
    fund_filter,
    get_fund,
    project_filter,
    require_role,
    within_regions,
)
from app.services.errors import ValidationFailed
from app.services.lists.keyset import ListSpec, SortKey, contains, where_given
from app.services.parks.register import park_by_code, park_filter
from app.services.reference.lookups import region_by_code
from app.services.screening import flag_filter
from app.services.sharing.agreements import agreement_filter


def _regions_within(session: Session, code: str | None, field: str) -> Select | None:
    """The ids of the regions within ``code`` (ValidationFailed naming ``field`` if unknown);
    None when ``code`` is None or blank."""
    if not (code or "").strip():
        return None
    place = aliased(Region)
    region = region_by_code(session, code, field)
    return select(place.id).where(within_regions(place.code, (region.code,)))


def _in(column, ids: Select | None) -> ColumnElement | None:
    return column.in_(ids) if ids is not None else None


def _equal(column, value) -> ColumnElement | None:
    """``column == value`` unless value is None (a blank text still narrows: to nothing)."""
    return column == value if value is not None else None


def regions(session: Session, *, within: str | None = None, level: str | None = None
            ) -> ListSpec:
    """Regions (reference data every user reads), optionally within one or at a level; sort
    ``code``."""
    query = where_given(
        select(Region).options(selectinload(Region.parent)),
        within_regions(Region.code, (region_by_code(session, within, "within").code,))
        if within is not None else None,
        Region.level == level if level else None)
    return ListSpec(query, {"code": SortKey((Region.code,))}, "code")


def funds(session: Session, actor: Actor, *, code: str | None = None,
          sponsor_region: str | None = None, status: FundStatus | None = None,
          fund_class: FundClass | None = None) -> ListSpec:
    """The funds the actor may read, with their sponsor region; sorts code, name, sponsor
    (region code). Search looks in the code and name."""
    sponsor = aliased(Region)
    within = _regions_within(session, sponsor_region, "sponsor_region")
    base = select(Fund).join(sponsor, Fund.sponsor_region).options(
        contains_eager(Fund.sponsor_region.of_type(sponsor)))
    query = where_given(
        base.where(fund_filter(actor)),
        _equal(Fund.code, code),
        _in(Fund.sponsor_region_id, within),
        Fund.status == status if status else None,
        Fund.fund_class == fund_class if fund_class else None)
    return ListSpec(query, {
        "code": SortKey((Fund.code, Fund.id)),
        "name": SortKey((Fund.name, Fund.id)),
        "sponsor": SortKey((sponsor.code, Fund.code, Fund.id)),
    }, "code", (Fund.code, Fund.name))


def projects(session: Session, actor: Actor, *, code: str | None = None,
             source_region: str | None = None, destination_region: str | None = None,
             status: ProjectStatus | None = None, catalogue: ScreeningFlag | None = None,
             park: str | None = None) -> ListSpec:
    """The projects the actor may read, with their regions; sorts code, name, destination,
    source, status. Search looks in the code, name and enterprise. ``catalogue`` keeps the
    projects with that flag under the current catalogue edition. ``park`` is a park's code
    (one the actor sees; ValidationFailed naming ``park`` otherwise): its members, past and
    present."""
    members = None
    if (park or "").strip():
        members = Project.id.in_(select(ParkMembership.project_id).where(
            ParkMembership.park_id == park_by_code(session, actor, park).id))
    source, destination = aliased(Region), aliased(Region)
    sources = _regions_within(session, source_region, "source_region")
    destinations = _regions_within(session, destination_region, "destination_region")
    base = select(Project).join(source, Project.source_region) \
        .join(destination, Project.destination_region) \
        .options(contains_eager(Project.source_region.of_type(source)),
                 contains_eager(Project.destination_region.of_type(destination)))
    query = where_given(
        base.where(project_filter(actor)),
        _equal(Project.code, code),
        _in(Project.source_region_id, sources),
        _in(Project.destination_region_id, destinations),
        Project.status == status if status else None,
        flag_filter(Project.id, catalogue) if catalogue else None, members)
    return ListSpec(query, {
        "code": SortKey((Project.code, Project.id)),
        "name": SortKey((Project.name, Project.id)),
        "destination": SortKey((destination.code, Project.code, Project.id)),
        "source": SortKey((source.code, Project.code, Project.id)),
        "status": SortKey((Project.status, Project.code, Project.id)),
    }, "code", (Project.code, Project.name, Project.enterprise))


def parks(session: Session, actor: Actor, *, code: str | None = None,
          park_type: ParkType | None = None, region: str | None = None) -> ListSpec:
    """The parks the actor may read, with their host regions; ``region`` narrows to parks
    hosted in or partnered with a region within it. Sorts code, name, type, host (region
    code). Search looks in the code and name."""
    host = aliased(Region)
    within = _regions_within(session, region, "region")
    touching = or_(Park.host_region_id.in_(within), Park.id.in_(
        select(ParkPartner.park_id).where(ParkPartner.region_id.in_(within)))) \
        if within is not None else None
    base = select(Park).join(host, Park.host_region).options(
        contains_eager(Park.host_region.of_type(host)),
        selectinload(Park.partners).joinedload(ParkPartner.region))
    query = where_given(
        base.where(park_filter(actor)),
        _equal(Park.code, code),
        Park.park_type == park_type if park_type else None, touching)
    return ListSpec(query, {
        "code": SortKey((Park.code, Park.id)),
        "name": SortKey((Park.name, Park.id)),
        "type": SortKey((Park.park_type, Park.code, Park.id)),
        "host": SortKey((host.code, Park.code, Park.id)),
    }, "code", (Park.code, Park.name))


def agreements(session: Session, actor: Actor, *, code: str | None = None,
               status: AgreementStatus | None = None, party_region: str | None = None
               ) -> ListSpec:
    """The agreements the actor may read, with their parties; sorts code, title, status.
    Search looks in the code and title."""
    within = _regions_within(session, party_region, "party_region")
    party = Agreement.id.in_(select(AgreementParty.agreement_id).where(
        AgreementParty.region_id.in_(within))) if within is not None else None
    base = select(Agreement).options(
        selectinload(Agreement.parties).joinedload(AgreementParty.region))
    query = where_given(
        base.where(agreement_filter(actor)),
        _equal(Agreement.code, code),
        Agreement.status == status if status else None, party)
    return ListSpec(query, {
        "code": SortKey((Agreement.code, Agreement.id)),
        "title": SortKey((Agreement.title, Agreement.id)),
        "status": SortKey((Agreement.status, Agreement.code, Agreement.id)),
    }, "code", (Agreement.code, Agreement.title))


def movements(session: Session, actor: Actor, fund_id: int, *,
              type: MovementType | None = None, since: dt.date | None = None,
              until: dt.date | None = None) -> ListSpec:
    """A readable fund's movements (NotFound out of scope); sort ``id``, the order they were
    recorded."""
    fund = get_fund(session, actor, fund_id)
    query = where_given(select(Movement).where(Movement.fund_id == fund.id),
                        Movement.type == type if type else None,
                        Movement.moved_on >= since if since else None,
                        Movement.moved_on <= until if until else None)
    return ListSpec(query, {"id": SortKey((Movement.id,))}, "id")


def investments(session: Session, actor: Actor, fund_id: int) -> ListSpec:
    """A readable fund's investments with their projects (NotFound out of scope); sort ``id``."""
    fund = get_fund(session, actor, fund_id)
    query = select(Investment).where(Investment.fund_id == fund.id).options(
        selectinload(Investment.project))
    return ListSpec(query, {"id": SortKey((Investment.id,))}, "id")


def known_indicator(session: Session, indicator: str | None) -> str | None:
    """A filter's indicator code, stripped (None when blank); ValidationFailed naming
    ``indicator`` when no indicator has that code."""
    indicator = (indicator or "").strip() or None
    if indicator is not None and session.get(IndicatorDefinition, indicator) is None:
        raise ValidationFailed(indicator=N_('"%(value)s" is not a known indicator',
                                            value=indicator[:40]))
    return indicator


def observations(session: Session, actor: Actor, *, project: str | None = None,
                 project_search: str | None = None, indicator: str | None = None,
                 region: str | None = None, quarter: Quarter | None = None,
                 since: Quarter | None = None, until: Quarter | None = None) -> ListSpec:
    """The observations of the projects the actor may read, with their projects and their
    destinations. ``project`` is a project's exact code, ``project_search`` looks in the
    projects' codes and names, ``region`` is the destination (or within it). Sorts quarter
    (the default: quarter descending, then project code, then indicator), project, indicator,
    and ``id`` (the order they were first entered)."""
    destinations = _regions_within(session, region, "region")
    destination = aliased(Region)  # joined, not select-in loaded: the rows of a page may come
    base = select(Observation).join(Project, Observation.project) \
        .join(destination, Project.destination_region).options(  # from several group queries
            contains_eager(Observation.project)
            .contains_eager(Project.destination_region.of_type(destination)))
    query = where_given(
        base, _observed_projects(actor, project, project_search, destinations),
        _equal(Observation.indicator_code, indicator),
        Observation.quarter == quarter if quarter else None,
        Observation.quarter >= since if since else None,
        Observation.quarter <= until if until else None)
    text = ("", None)
    return ListSpec(query, {
        "quarter": SortKey((Observation.quarter, Project.code, Observation.indicator_code,
                            Observation.id), descending=frozenset({0}),
                           bounds=(Quarter(1, 1), Quarter(9999, 4)), grouped=True),
        "project": SortKey((Project.code, Observation.quarter, Observation.indicator_code,
                            Observation.id), descending=frozenset({1}), bounds=text),
        "indicator": SortKey((Observation.indicator_code, Observation.quarter, Project.code,
                              Observation.id), descending=frozenset({1}), bounds=text),
        "id": SortKey((Observation.id,)),
    }, "quarter")


def _observed_projects(actor: Actor, code: str | None, search: str | None,
                       destinations: Select | None) -> ColumnElement | None:
    """SQL on Observation.project_id: in scope, with this code, matching the search and the
    destination (None when nothing narrows the projects), so an index on (quarter,
    project_id) serves it."""
    narrowing = [c for c in (
        None if actor.sees_everything else project_filter(actor),
        _equal(Project.code, code),
        contains((Project.code, Project.name), search),
        _in(Project.destination_region_id, destinations),
    ) if c is not None]
    if not narrowing:
        return None
    return Observation.project_id.in_(select(Project.id).where(*narrowing))


def audit_trail(session: Session, actor: Actor, *, entity: str = "", entity_id: str = "",
                user: str = "", since: dt.date | None = None, until: dt.date | None = None,
                whole: bool = False) -> ListSpec:
    """The audit trail (administrators and auditors); sort ``time`` is the chain's sequence,
    oldest first (the default ``-time``: newest first). Each entry's changes are read as a
    preview (``audit.with_previews``), or whole with ``whole`` (the API hands them out)."""
    require_role(actor, Role.ADMIN, Role.AUDITOR)
    query = where_given(
        select(AuditEntry) if whole else audit.with_previews(select(AuditEntry)),
        AuditEntry.entity == entity if entity else None,
        AuditEntry.entity_id == entity_id if entity_id else None,
        AuditEntry.actor == user.strip().lower() if user.strip() else None,
        AuditEntry.at >= dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC) if since else None,
        AuditEntry.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time(),
                                            tzinfo=dt.UTC)
        if until and until < dt.date.max else None)
    return ListSpec(query, {"time": SortKey((AuditEntry.seq,))}, "-time")
