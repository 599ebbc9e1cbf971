"""The web's lists (funds, projects, agreements, observations, audit trail) as keyset pages.

Each list starts from the user's scope filter, so a crafted parameter can only narrow it; every
sort key ends in a unique column, and a page costs a fixed number of queries however many rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session, aliased, contains_eager, selectinload

from app.domain import fund_metrics as fm
from app.domain.codes import AgreementStatus, FundClass, FundStatus, ProjectStatus, Role
from app.domain.messages import N_
from app.domain.quarter import Quarter
from app.models import (
    Agreement,
    AgreementParty,
    AuditEntry,
    CoveredProject,
    Fund,
    Observation,
    Project,
    Region,
)
from app.models.sharing import IndicatorDefinition
from app.services.access import audit
from app.services.access.scopes import (
    Actor,
    fund_filter,
    project_filter,
    require_role,
    within_regions,
)
from app.services.errors import ValidationFailed
from app.services.funds import metrics
from app.services.lists.keyset import (
    DEFAULT_PAGE_SIZE,
    KeysetPage,
    ListSpec,
    SortKey,
    contains,
    paginate,
    where_given,
)
from app.services.reference.lookups import region_by_code
from app.services.sharing.agreements import agreement_filter


def _regions_within(session: Session, code: str | None, field: str) -> Select | None:
    """The ids of the regions within ``code`` (ValidationFailed naming ``field`` if unknown)."""
    if not (code or "").strip():
        return None
    place = aliased(Region)
    region = region_by_code(session, code, field)
    return select(place.id).where(within_regions(place.code, (region.code,)))


def funds_page(session: Session, actor: Actor, *, search: str | None = None,
               sponsor_region: str | None = None, status: FundStatus | None = None,
               fund_class: FundClass | None = None, sort: str | None = None,
               cursor: str | None = None, per_page: int = DEFAULT_PAGE_SIZE) -> KeysetPage:
    """A page of the funds the actor may read; sorts code, name, sponsor (region code)."""
    sponsor = aliased(Region)
    within = _regions_within(session, sponsor_region, "sponsor_region")
    base = select(Fund).join(sponsor, Fund.sponsor_region).options(
        contains_eager(Fund.sponsor_region.of_type(sponsor)))
    query = where_given(
        base.where(fund_filter(actor)),
        Fund.sponsor_region_id.in_(within) if within is not None else None,
        Fund.status == status if status else None,
        Fund.fund_class == fund_class if fund_class else None)
    spec = ListSpec(query, {
        "code": SortKey((Fund.code, Fund.id)),
        "name": SortKey((Fund.name, Fund.id)),
        "sponsor": SortKey((sponsor.code, Fund.code, Fund.id)),
    }, "code", (Fund.code, Fund.name))
    return paginate(session, spec, sort=sort, cursor=cursor, per_page=per_page, search=search)


def fund_figures(session: Session, funds: list[Fund], as_of: dt.date
                 ) -> dict[int, fm.FundMetrics]:
    """The key figures (yuan, exact) of these funds only, as of a date, by fund id."""
    return metrics.metrics_as_of(session, funds, as_of, detail=False)


def projects_page(session: Session, actor: Actor, *, search: str | None = None,
                  source_region: str | None = None, destination_region: str | None = None,
                  status: ProjectStatus | None = None, sort: str | None = None,
                  cursor: str | None = None, per_page: int = DEFAULT_PAGE_SIZE) -> KeysetPage:
    """A page of the projects the actor may read; sorts code, name, destination, source, status.
    Search looks in the code, name and enterprise."""
    source, destination = aliased(Region), aliased(Region)
    sources = _regions_within(session, source_region, "source_region")
    destinations = _regions_within(session, destination_region, "destination_region")
    base = select(Project).join(source, Project.source_region) \
        .join(destination, Project.destination_region) \
        .options(contains_eager(Project.source_region.of_type(source)),
                 contains_eager(Project.destination_region.of_type(destination)))
    query = where_given(
        base.where(project_filter(actor)),
        Project.source_region_id.in_(sources) if sources is not None else None,
        Project.destination_region_id.in_(destinations) if destinations is not None else None,
        Project.status == status if status else None)
    spec = ListSpec(query, {
        "code": SortKey((Project.code, Project.id)),
        "name": SortKey((Project.name, Project.id)),
        "destination": SortKey((destination.code, Project.code, Project.id)),
        "source": SortKey((source.code, Project.code, Project.id)),
        "status": SortKey((Project.status, Project.code, Project.id)),
    }, "code", (Project.code, Project.name, Project.enterprise))
    return paginate(session, spec, sort=sort, cursor=cursor, per_page=per_page, search=search)


def agreements_page(session: Session, actor: Actor, *, search: str | None = None,
                    status: AgreementStatus | None = None, party_region: str | None = None,
                    sort: str | None = None, cursor: str | None = None,
                    per_page: int = DEFAULT_PAGE_SIZE) -> KeysetPage:
    """A page of the agreements the actor may read, with their parties; sorts code, title,
    status. Search looks in the code and title."""
    within = _regions_within(session, party_region, "party_region")
    party = Agreement.id.in_(select(AgreementParty.agreement_id).where(
        AgreementParty.region_id.in_(within))) if within is not None else None
    base = select(Agreement).options(
        selectinload(Agreement.parties).joinedload(AgreementParty.region))
    query = where_given(
        base.where(agreement_filter(actor)),
        Agreement.status == status if status else None, party)
    spec = ListSpec(query, {
        "code": SortKey((Agreement.code, Agreement.id)),
        "title": SortKey((Agreement.title, Agreement.id)),
        "status": SortKey((Agreement.status, Agreement.code, Agreement.id)),
    }, "code", (Agreement.code, Agreement.title))
    return paginate(session, spec, sort=sort, cursor=cursor, per_page=per_page, search=search)


def observations_page(session: Session, actor: Actor, *, project: str | None = None,
                      indicator: str | None = None, region: str | None = None,
                      quarter_from: Quarter | None = None, quarter_to: Quarter | None = None,
                      sort: str | None = None, cursor: str | None = None,
                      per_page: int = DEFAULT_PAGE_SIZE) -> KeysetPage:
    """A page of the observations of the projects the actor may read; ``project`` searches the
    project's code and name, ``region`` is the destination (or within it). Default sort: quarter
    descending, then project code, then indicator."""
    indicator = (indicator or "").strip() or None
    if indicator is not None and session.get(IndicatorDefinition, indicator) is None:
        raise ValidationFailed(indicator=N_('"%(value)s" is not a known indicator',
                                            value=indicator[:40]))
    destinations = _regions_within(session, region, "region")
    destination = aliased(Region)  # joined, not select-in loaded: the rows of a page may come
    base = select(Observation).join(Project, Observation.project) \
        .join(destination, Project.destination_region).options(  # from several group queries
            contains_eager(Observation.project)
            .contains_eager(Project.destination_region.of_type(destination)))
    query = where_given(
        base, _observed_projects(session, actor, project, destinations),
        Observation.indicator_code == indicator if indicator else None,
        Observation.quarter >= quarter_from if quarter_from else None,
        Observation.quarter <= quarter_to if quarter_to else None)
    text = ("", None)
    spec = ListSpec(query, {
        "quarter": SortKey((Observation.quarter, Project.code, Observation.indicator_code,
                            Observation.id), descending=frozenset({0}),
                           bounds=(Quarter(1, 1), Quarter(9999, 4)), grouped=True),
        "project": SortKey((Project.code, Observation.quarter, Observation.indicator_code,
                            Observation.id), descending=frozenset({1}), bounds=text),
        "indicator": SortKey((Observation.indicator_code, Observation.quarter, Project.code,
                              Observation.id), descending=frozenset({1}), bounds=text),
    }, "quarter")
    return paginate(session, spec, sort=sort, cursor=cursor, per_page=per_page)


def _observed_projects(session: Session, actor: Actor, search: str | None,
                       destinations: Select | None) -> ColumnElement | None:
    """SQL on Observation.project_id: in scope, matching the project search and destination
    (None when nothing narrows the projects), so an index on (quarter, project_id) serves it."""
    narrowing = [c for c in (
        None if actor.sees_everything else project_filter(actor),
        contains((Project.code, Project.name), search),
        Project.destination_region_id.in_(destinations) if destinations is not None else None,
    ) if c is not None]
    if not narrowing:
        return None
    return Observation.project_id.in_(select(Project.id).where(*narrowing))


def grid_links(session: Session, actor: Actor, observations: list[Observation]
               ) -> dict[int, list[Agreement]]:
    """For each project of a page, the active agreements the actor may read that cover it (one
    query), whose quarter grid the observation can be entered in."""
    ids = {o.project_id for o in observations}
    links: dict[int, list[Agreement]] = defaultdict(list)
    if not ids:
        return links
    rows = session.execute(
        select(CoveredProject.project_id, Agreement).join(Agreement, CoveredProject.agreement)
        .where(CoveredProject.project_id.in_(ids), agreement_filter(actor),
               Agreement.status != AgreementStatus.DRAFT)
        .order_by(Agreement.code)).all()
    for project_id, agreement in rows:
        links[project_id].append(agreement)
    return links


def audit_page(session: Session, actor: Actor, *, entity: str = "", entity_id: str = "",
               user: str = "", since: dt.date | None = None, until: dt.date | None = None,
               sort: str | None = None, cursor: str | None = None,
               per_page: int = DEFAULT_PAGE_SIZE, whole: bool = False) -> KeysetPage:
    """A page of the audit trail (administrators and auditors), newest first by default; sort
    ``time`` is the chain's sequence, oldest first. Each entry's changes are read as a preview
    (``audit.with_previews``), or whole with ``whole`` (the API hands them out)."""
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
    spec = ListSpec(query, {"time": SortKey((AuditEntry.seq,))}, "-time")
    return paginate(session, spec, sort=sort, cursor=cursor, per_page=per_page)
