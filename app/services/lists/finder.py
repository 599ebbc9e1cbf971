"""The header's search: funds, projects, agreements, regions and (for administrators) users
whose code or name contains what was typed, each kind within the user's scope (the lists'
own definitions), at most ``LIMIT`` of each, in code order. One query per kind. Also the fund
picker's search (a fund by code or name, within the user's scope)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from app.domain.messages import N_, Message
from app.models import Agreement, Fund, Project, Region, User
from app.services.access.scopes import Actor
from app.services.lists import definitions
from app.services.lists.keyset import contains
from app.services.reference.search import Match

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


def search_funds(session: Session, actor: Actor, text: str | None,
                 limit: int = 20) -> list[Match]:
    """The funds the actor may read whose code contains ``text`` or whose name does, for the
    fund picker: the code itself first, then codes starting with it, then the rest, by code;
    the sponsor region tells like-named funds apart."""
    query = " ".join((text or "").split())[:MAX_CHARS]
    if not query:
        return []
    fund_list = definitions.funds(session, actor)
    rank = case((Fund.code == query, 0),
                (Fund.code.startswith(query, autoescape=True), 1), else_=2)
    rows = session.scalars(fund_list.query.where(contains(fund_list.search_columns, query))
                           .order_by(rank, Fund.code).limit(limit)).unique()
    return [Match(f.code, f.name, f.sponsor_region.name) for f in rows]


def fund_code_for(session: Session, actor: Actor, text: str | None) -> str:
    """What a fund picker's plain input means without the script: a fund's code, its code
    followed by anything (``HF-01 某基金``), or an exact name that one fund only bears; anything
    else comes back unchanged for the use case to refuse by name."""
    text = " ".join((text or "").split())
    if not text:
        return ""
    readable = definitions.funds(session, actor).query
    first = text.split(" ")[0]
    if session.scalars(readable.where(Fund.code == first)).first() is not None:
        return first
    codes = [f.code for f in session.scalars(readable.where(Fund.name == text).limit(2))
             .unique()]
    return codes[0] if len(codes) == 1 else text


def fund_name(session: Session, actor: Actor, code: str | None) -> str:
    """The name of the fund ``code`` if the actor may read it; blank otherwise."""
    if not code:
        return ""
    fund = session.scalars(definitions.funds(session, actor).query
                           .where(Fund.code == code)).first()
    return fund.name if fund is not None else ""
