"""Who is told: active users found through the role grants and scopes of access.md.

A bureau "of" a region is a FINANCE_BUREAU user whose region covers it (the users who may act
for that party: the city's bureau, and a province's bureau above it); an auditor "of" an
agreement is one whose scope covers one of its parties (a national auditor covers all)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.codes import Role
from app.domain.regions import subtree_prefix
from app.models import Region, RoleGrant, User


def _grants(session: Session, role: Role):
    """(user id, region code or None, fund id or None) of every active user's grant of ``role``."""
    return session.execute(
        select(RoleGrant.user_id, Region.code, RoleGrant.fund_id)
        .join(User, User.id == RoleGrant.user_id)
        .outerjoin(Region, Region.id == RoleGrant.region_id)
        .where(RoleGrant.role == role.value, User.is_active.is_(True))).all()


def _covers(grant_region: str | None, region_codes: Iterable[str]) -> bool:
    return grant_region is not None and any(
        code.startswith(subtree_prefix(grant_region)) for code in region_codes)


def bureaus_of(session: Session, region_codes: Iterable[str]) -> set[int]:
    """The active bureau users who act for one of ``region_codes``."""
    codes = list(region_codes)
    return {user_id for user_id, region, _fund in _grants(session, Role.FINANCE_BUREAU)
            if _covers(region, codes)}


def auditors_of(session: Session, region_codes: Iterable[str]) -> set[int]:
    """The active auditors whose scope covers one of ``region_codes`` (national ones included)."""
    codes = list(region_codes)
    return {user_id for user_id, region, _fund in _grants(session, Role.AUDITOR)
            if region is None or _covers(region, codes)}


def fund_managers(session: Session, fund_id: int) -> set[int]:
    """The active managers assigned to a fund."""
    return {user_id for user_id, _region, fund in _grants(session, Role.FUND_MANAGER)
            if fund == fund_id}


def administrators(session: Session) -> set[int]:
    """The active administrators."""
    return {user_id for user_id, _region, _fund in _grants(session, Role.ADMIN)}


def name_of(session: Session, user_id: int | None, fallback: str = "") -> str:
    """How a message names a person: their name (the operator's label for a command)."""
    user = session.get(User, user_id) if user_id is not None else None
    return user.name if user is not None else fallback
