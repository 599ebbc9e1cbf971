"""Keyset-paginated, filtered lists of what an actor may read (the JSON API's collections)."""

# Every list is ordered by a unique key and continues after an opaque cursor (keyset.py, as the
# web's lists), so a page costs the same however deep it lies. Scope filters are the web's.

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from app.domain.codes import (
    AgreementStatus,
    FundClass,
    FundStatus,
    MovementType,
    ProjectStatus,
)
from app.domain.quarter import Quarter
from app.models import (
    Agreement,
    AgreementParty,
    Fund,
    Investment,
    Movement,
    Observation,
    Project,
    Region,
)
from app.services.access.scopes import Actor, fund_filter, get_fund, project_filter, within_regions
from app.services.lists.keyset import KeysetPage, ListSpec, SortKey, paginate, where_given
from app.services.reference.lookups import region_by_code
from app.services.sharing.agreements import agreement_filter


def _page(session: Session, query: Select, key, cursor: str | None, limit: int
          ) -> KeysetPage:
    """``limit`` rows of ``query`` in the order of its unique ``key`` column, after ``cursor``:
    the web lists' keyset pagination with one fixed sort, so its cursors are as opaque and as
    strictly checked (BadCursor names ``cursor``)."""
    return paginate(session, ListSpec(query, {"key": SortKey((key,))}, "key"), cursor=cursor,
                    per_page=limit)


def _within(session: Session, column, code: str | None, field: str):
    """SQL: ``column`` (a region code) lies within the region ``code``; None when no filter."""
    if code is None:
        return None
    return within_regions(column, (region_by_code(session, code, field).code,))


def list_regions(session: Session, *, within: str | None = None, level: str | None = None,
                 cursor: str | None = None, limit: int = 100) -> KeysetPage:
    """Regions by code (reference data every user reads), optionally within one or at a level."""
    query = where_given(select(Region).options(selectinload(Region.parent)),
                   _within(session, Region.code, within, "within"),
                   Region.level == level if level else None)
    return _page(session, query, Region.code, cursor, limit)


def list_funds(session: Session, actor: Actor, *, code: str | None = None,
               sponsor_region: str | None = None, status: FundStatus | None = None,
               fund_class: FundClass | None = None, cursor: str | None = None,
               limit: int = 100) -> KeysetPage:
    """The funds the actor may read, by code, with their sponsor region."""
    sponsor = select(Region.id).where(_within(session, Region.code, sponsor_region,
                                              "sponsor_region")) if sponsor_region else None
    query = where_given(select(Fund).where(fund_filter(actor))
                   .options(selectinload(Fund.sponsor_region)),
                   Fund.code == code if code is not None else None,
                   Fund.sponsor_region_id.in_(sponsor) if sponsor is not None else None,
                   Fund.status == status if status else None,
                   Fund.fund_class == fund_class if fund_class else None)
    return _page(session, query, Fund.code, cursor, limit)


def list_projects(session: Session, actor: Actor, *, code: str | None = None,
                  source_region: str | None = None, destination_region: str | None = None,
                  status: ProjectStatus | None = None, cursor: str | None = None,
                  limit: int = 100) -> KeysetPage:
    """The projects the actor may read, by code, with their regions."""
    clauses = [Project.status == status if status else None,
               Project.code == code if code is not None else None]
    for column, code, field in ((Project.source_region_id, source_region, "source_region"),
                                (Project.destination_region_id, destination_region,
                                 "destination_region")):
        if code is not None:
            clauses.append(column.in_(select(Region.id).where(
                _within(session, Region.code, code, field))))
    query = where_given(select(Project).where(project_filter(actor)).options(
        selectinload(Project.source_region), selectinload(Project.destination_region)), *clauses)
    return _page(session, query, Project.code, cursor, limit)


def list_agreements(session: Session, actor: Actor, *, code: str | None = None,
                    status: AgreementStatus | None = None, party_region: str | None = None,
                    cursor: str | None = None, limit: int = 100) -> KeysetPage:
    """The agreements the actor may read, by code, with their parties."""
    party = None
    if party_region is not None:
        party = Agreement.id.in_(select(AgreementParty.agreement_id).join(Region).where(
            _within(session, Region.code, party_region, "party_region")))
    query = where_given(select(Agreement).where(agreement_filter(actor)).options(
        selectinload(Agreement.parties).selectinload(AgreementParty.region)),
        Agreement.status == status if status else None,
        Agreement.code == code if code is not None else None, party)
    return _page(session, query, Agreement.code, cursor, limit)


def list_movements(session: Session, actor: Actor, fund_id: int, *,
                   type: MovementType | None = None, since: dt.date | None = None,
                   until: dt.date | None = None, cursor: str | None = None,
                   limit: int = 100) -> KeysetPage:
    """A readable fund's movements in the order they were recorded (NotFound out of scope)."""
    fund = get_fund(session, actor, fund_id)
    query = where_given(select(Movement).where(Movement.fund_id == fund.id),
                   Movement.type == type if type else None,
                   Movement.moved_on >= since if since else None,
                   Movement.moved_on <= until if until else None)
    return _page(session, query, Movement.id, cursor, limit)


def list_investments(session: Session, actor: Actor, fund_id: int, *, cursor: str | None = None,
                     limit: int = 100) -> KeysetPage:
    """A readable fund's investments with their projects, by id (NotFound out of scope)."""
    fund = get_fund(session, actor, fund_id)
    query = select(Investment).where(Investment.fund_id == fund.id).options(
        selectinload(Investment.project))
    return _page(session, query, Investment.id, cursor, limit)


def list_observations(session: Session, actor: Actor, *, project: str | None = None,
                      indicator: str | None = None, quarter: Quarter | None = None,
                      since: Quarter | None = None, until: Quarter | None = None,
                      cursor: str | None = None, limit: int = 100) -> KeysetPage:
    """Observations of the projects the actor may read, by id, with their projects."""
    query = where_given(
        select(Observation).join(Project).where(project_filter(actor))
        .options(selectinload(Observation.project)),
        Project.code == project if project is not None else None,
        Observation.indicator_code == indicator if indicator is not None else None,
        Observation.quarter == quarter if quarter else None,
        Observation.quarter >= since if since else None,
        Observation.quarter <= until if until else None)
    return _page(session, query, Observation.id, cursor, limit)
