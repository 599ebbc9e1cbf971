"""Who someone is, as the pages name them: a person's name and what they act as (their bureau,
or their role and its scope), read in one query for any number of users."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.codes import Role
from app.models import Fund, Region, RoleGrant, User

ROLE_ORDER = (Role.FINANCE_BUREAU, Role.AUDITOR, Role.ADMIN, Role.FUND_MANAGER)
"""Which of a person's roles names them when they hold several: a bureau first (the sharing
cycle is between bureaus), then auditor, administrator, fund manager."""


@dataclass(frozen=True)
class Person:
    """A user as a page names them: ``role`` is the role they are named by (None without any
    grant); ``regions`` the (name, English name) of that role's regions; ``funds`` its fund
    codes. Both are empty for a role scoped to everything."""

    id: int
    name: str
    email: str
    role: Role | None
    regions: tuple[tuple[str, str | None], ...] = ()
    funds: tuple[str, ...] = ()


def people(session: Session, user_ids) -> dict[int, Person]:
    """Each of ``user_ids`` (unknown ids are left out) with the role that names them; one
    query however many ids."""
    ids = {int(i) for i in user_ids if i is not None}
    if not ids:
        return {}
    rows = session.execute(
        select(User.id, User.name, User.email, RoleGrant.role, Region.name, Region.name_en,
               Fund.code)
        .outerjoin(RoleGrant, RoleGrant.user_id == User.id)
        .outerjoin(Region, Region.id == RoleGrant.region_id)
        .outerjoin(Fund, Fund.id == RoleGrant.fund_id)
        .where(User.id.in_(ids)).order_by(User.id, RoleGrant.id)).all()
    names: dict[int, tuple[str, str]] = {}
    grants: dict[int, list[tuple[Role, str | None, str | None, str | None]]] = {}
    for uid, name, email, role, region, region_en, fund in rows:
        names[uid] = (name, email)
        if role:
            grants.setdefault(uid, []).append((Role(role), region, region_en, fund))
    found = {}
    for uid, (name, email) in names.items():
        held = grants.get(uid, [])
        role = next((r for r in ROLE_ORDER if any(g[0] is r for g in held)), None)
        mine = [g for g in held if g[0] is role]
        found[uid] = Person(
            uid, name, email, role,
            regions=tuple(dict.fromkeys((g[1], g[2]) for g in mine if g[1])),
            funds=tuple(dict.fromkeys(g[3] for g in mine if g[3])))
    return found
