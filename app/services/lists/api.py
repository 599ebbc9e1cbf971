"""The JSON API's collections: each list's definition (definitions.py) in one fixed order, the
first ``limit`` rows after an opaque cursor (BadCursor names ``cursor``).

Each function takes the filters of its definition as keywords (an exact ``code`` where the
list has one) and answers a KeysetPage.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.services.access.scopes import Actor
from app.services.lists import definitions
from app.services.lists.keyset import KeysetPage, ListSpec, paginate


def _page(session: Session, spec: ListSpec, sort: str, cursor: str | None, limit: int
          ) -> KeysetPage:
    return paginate(session, spec, sort=sort, cursor=cursor, per_page=limit)


def list_regions(session: Session, *, cursor: str | None = None, limit: int = 100,
                 **filters) -> KeysetPage:
    """Regions by code, optionally within one or at a level."""
    return _page(session, definitions.regions(session, **filters), "code", cursor, limit)


def list_funds(session: Session, actor: Actor, *, cursor: str | None = None, limit: int = 100,
               **filters) -> KeysetPage:
    """The funds the actor may read, by code, with their sponsor region."""
    return _page(session, definitions.funds(session, actor, **filters), "code", cursor, limit)


def list_projects(session: Session, actor: Actor, *, cursor: str | None = None,
                  limit: int = 100, **filters) -> KeysetPage:
    """The projects the actor may read, by code, with their regions."""
    return _page(session, definitions.projects(session, actor, **filters), "code", cursor,
                 limit)


def list_parks(session: Session, actor: Actor, *, cursor: str | None = None, limit: int = 100,
               **filters) -> KeysetPage:
    """The parks the actor may read, by code, with their host and partner regions."""
    return _page(session, definitions.parks(session, actor, **filters), "code", cursor, limit)


def list_agreements(session: Session, actor: Actor, *, cursor: str | None = None,
                    limit: int = 100, **filters) -> KeysetPage:
    """The agreements the actor may read, by code, with their parties."""
    return _page(session, definitions.agreements(session, actor, **filters), "code", cursor,
                 limit)


def list_movements(session: Session, actor: Actor, fund_id: int, *, cursor: str | None = None,
                   limit: int = 100, **filters) -> KeysetPage:
    """A readable fund's movements in the order they were recorded (NotFound out of scope)."""
    return _page(session, definitions.movements(session, actor, fund_id, **filters), "id",
                 cursor, limit)


def list_investments(session: Session, actor: Actor, fund_id: int, *,
                     cursor: str | None = None, limit: int = 100) -> KeysetPage:
    """A readable fund's investments with their projects, by id (NotFound out of scope)."""
    return _page(session, definitions.investments(session, actor, fund_id), "id", cursor,
                 limit)


def list_observations(session: Session, actor: Actor, *, cursor: str | None = None,
                      limit: int = 100, **filters) -> KeysetPage:
    """Observations of the projects the actor may read, by id (the order they were first
    entered), with their projects; ``project`` is an exact project code."""
    return _page(session, definitions.observations(session, actor, **filters), "id", cursor,
                 limit)
