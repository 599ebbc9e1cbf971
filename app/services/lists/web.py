"""The web's lists (funds, projects, agreements, observations, audit trail) as keyset pages of
the lists' definitions (definitions.py), with the free-text search and any sort they offer, and
the figures and links a page shows beside its rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import fund_metrics as fm
from app.domain.codes import AgreementStatus
from app.domain.quarter import Quarter
from app.models import Agreement, CoveredProject, Fund, Observation
from app.services.access.scopes import Actor
from app.services.funds import metrics
from app.services.lists import definitions
from app.services.lists.keyset import DEFAULT_PAGE_SIZE, KeysetPage, paginate
from app.services.sharing.agreements import agreement_filter


def funds_page(session: Session, actor: Actor, *, search: str | None = None,
               sort: str | None = None, cursor: str | None = None,
               per_page: int = DEFAULT_PAGE_SIZE, **filters) -> KeysetPage:
    """A page of ``definitions.funds`` (filters sponsor_region, status, fund_class)."""
    return paginate(session, definitions.funds(session, actor, **filters), sort=sort,
                    cursor=cursor, per_page=per_page, search=search)


def fund_figures(session: Session, funds: list[Fund], as_of: dt.date
                 ) -> dict[int, fm.FundMetrics]:
    """The key figures (yuan, exact) of these funds only, as of a date, by fund id."""
    return metrics.metrics_as_of(session, funds, as_of, detail=False)


def projects_page(session: Session, actor: Actor, *, search: str | None = None,
                  sort: str | None = None, cursor: str | None = None,
                  per_page: int = DEFAULT_PAGE_SIZE, **filters) -> KeysetPage:
    """A page of ``definitions.projects`` (filters source_region, destination_region,
    status, park)."""
    return paginate(session, definitions.projects(session, actor, **filters), sort=sort,
                    cursor=cursor, per_page=per_page, search=search)


def parks_page(session: Session, actor: Actor, *, search: str | None = None,
               sort: str | None = None, cursor: str | None = None,
               per_page: int = DEFAULT_PAGE_SIZE, **filters) -> KeysetPage:
    """A page of ``definitions.parks`` (filters park_type, region)."""
    return paginate(session, definitions.parks(session, actor, **filters), sort=sort,
                    cursor=cursor, per_page=per_page, search=search)


def agreements_page(session: Session, actor: Actor, *, search: str | None = None,
                    sort: str | None = None, cursor: str | None = None,
                    per_page: int = DEFAULT_PAGE_SIZE, **filters) -> KeysetPage:
    """A page of ``definitions.agreements`` (filters status, party_region)."""
    return paginate(session, definitions.agreements(session, actor, **filters), sort=sort,
                    cursor=cursor, per_page=per_page, search=search)


def observations_page(session: Session, actor: Actor, *, project: str | None = None,
                      indicator: str | None = None, region: str | None = None,
                      quarter_from: Quarter | None = None, quarter_to: Quarter | None = None,
                      sort: str | None = None, cursor: str | None = None,
                      per_page: int = DEFAULT_PAGE_SIZE) -> KeysetPage:
    """A page of ``definitions.observations``: ``project`` searches the projects' codes and
    names, an ``indicator`` must be a known one (ValidationFailed naming it)."""
    spec = definitions.observations(
        session, actor, project_search=project,
        indicator=definitions.known_indicator(session, indicator), region=region,
        since=quarter_from, until=quarter_to)
    return paginate(session, spec, sort=sort, cursor=cursor, per_page=per_page)


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


def audit_page(session: Session, actor: Actor, *, sort: str | None = None,
               cursor: str | None = None, per_page: int = DEFAULT_PAGE_SIZE, **filters
               ) -> KeysetPage:
    """A page of ``definitions.audit_trail`` (filters entity, entity_id, user, since, until,
    whole), newest first by default."""
    return paginate(session, definitions.audit_trail(session, actor, **filters), sort=sort,
                    cursor=cursor, per_page=per_page)
