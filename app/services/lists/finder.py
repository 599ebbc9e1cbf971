"""The header's search: funds, projects, agreements, regions and (for administrators) users
whose code or name contains what was typed, each kind within the user's scope (the lists'
own definitions), at most ``LIMIT`` of each, in code order. One query per kind."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.messages import N_, Message
from app.models import Agreement, Fund, Project, Region, User
from app.services.access.scopes import Actor
from app.services.lists import definitions
from app.services.lists.keyset import contains

LIMIT = 10
MAX_CHARS = 100
"""A longer query is refused (nothing is searched)."""


@dataclass
class Found:
    """What a search found, by kind: (id or code for the link, code, name) rows."""

    query: str
    problem: Message | None = None
    funds: list[tuple[object, str, str]] = field(default_factory=list)
    projects: list[tuple[object, str, str]] = field(default_factory=list)
    agreements: list[tuple[object, str, str]] = field(default_factory=list)
    regions: list[tuple[object, str, str]] = field(default_factory=list)
    users: list[tuple[object, str, str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many rows were found in all."""
        return sum(len(rows) for rows in (self.funds, self.projects, self.agreements,
                                          self.regions, self.users))


def find(session: Session, actor: Actor, text: str | None, limit: int = LIMIT) -> Found:
    """Search every kind the actor may read for ``text`` in codes and names."""
    query = (text or "").strip()
    if not query:
        return Found(query, N_("Type part of a code or a name to search."))
    if len(query) > MAX_CHARS:
        return Found(query[:MAX_CHARS] + "…",
                     N_("Type at most %(count)s characters to search.", count=MAX_CHARS))
    found = Found(query)
    fund_list = definitions.funds(session, actor)
    found.funds = [(f.id, f.code, f.name) for f in session.scalars(
        fund_list.query.where(contains(fund_list.search_columns, query))
        .order_by(Fund.code).limit(limit)).unique()]
    project_list = definitions.projects(session, actor)
    found.projects = [(p.id, p.code, p.name) for p in session.scalars(
        project_list.query.where(contains(project_list.search_columns, query))
        .order_by(Project.code).limit(limit)).unique()]
    agreement_list = definitions.agreements(session, actor)
    found.agreements = [(a.id, a.code, a.title) for a in session.scalars(
        agreement_list.query.where(contains(agreement_list.search_columns, query))
        .order_by(Agreement.code).limit(limit)).unique()]
    found.regions = [(code, code, name) for code, name in session.execute(
        select(Region.code, Region.name)
        .where(contains((Region.code, Region.name, Region.name_en), query))
        .order_by(Region.code).limit(limit))]
    if actor.is_admin:
        found.users = [(uid, email, name) for uid, email, name in session.execute(
            select(User.id, User.email, User.name)
            .where(contains((User.email, User.name), query))
            .order_by(User.email).limit(limit))]
    return found
