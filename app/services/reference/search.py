"""Search of the reference tables for the pickers: regions and industries by code or name.

Every form field that takes a region or an industry code offers these as the user types. Matches
are ranked: the code itself first, then codes that start with the query, then names that contain
it (Chinese or English, case-insensitive), each group by code. At most ``limit`` rows come back.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.models import IndustryDivision, Region
from app.services.reference.lookups import INDUSTRY_LEVELS

LIMIT = 20
"""The most matches one search returns."""

MAX_QUERY = 40
"""Longer queries are cut to this many characters (no code or name is longer)."""


@dataclass(frozen=True)
class Match:
    """One row offered by a picker: the code that is submitted, its name, and a line that tells
    like-named rows apart (the parent regions; the industry's section)."""

    code: str
    name: str
    detail: str

    def as_json(self) -> dict:
        return {"code": self.code, "name": self.name, "detail": self.detail}


def _ranked(code_column, name_columns, query: str):
    """(where clause, order-by rank) for code-prefix-then-name-contains matching."""
    lowered = query.lower()
    names = [func.lower(column).contains(lowered, autoescape=True) for column in name_columns]
    where = or_(code_column.startswith(query, autoescape=True), *names)
    rank = case((code_column == query, 0),
                (code_column.startswith(query, autoescape=True), 1), else_=2)
    return where, rank


def _clean(query: str | None) -> str:
    return " ".join((query or "").split())[:MAX_QUERY]


def search_regions(session: Session, query: str | None, limit: int = LIMIT) -> list[Match]:
    """Regions whose GB/T 2260 code starts with ``query`` or whose name contains it."""
    query = _clean(query)
    if not query:
        return []
    where, rank = _ranked(Region.code, [Region.name, Region.name_en], query)
    rows = session.scalars(select(Region).where(where).order_by(rank, Region.code).limit(limit)
                           .options(selectinload(Region.parent).selectinload(Region.parent)))
    return [Match(r.code, r.name, _ancestry(r)) for r in rows]


def _ancestry(region: Region) -> str:
    """The region's parents, province first (``广东省 · 河源市``); blank for a province."""
    names, parent = [], region.parent
    while parent is not None and len(names) < 3:
        names.append(parent.name)
        parent = parent.parent
    return " · ".join(reversed(names))


def search_industries(session: Session, query: str | None, limit: int = LIMIT) -> list[Match]:
    """Industry codes a project may take (divisions, groups and classes; no sections) that start
    with ``query`` or whose name contains it."""
    query = _clean(query)
    if not query:
        return []
    where, rank = _ranked(IndustryDivision.code,
                          [IndustryDivision.name, IndustryDivision.name_en], query)
    rows = session.scalars(select(IndustryDivision)
                           .where(where, IndustryDivision.level.in_(INDUSTRY_LEVELS))
                           .order_by(rank, IndustryDivision.code).limit(limit))
    return [Match(d.code, d.name, f"{d.section} {d.section_name}") for d in rows]


def name_of(session: Session, kind: str, code: str | None) -> str:
    """The name of region or industry ``code`` (kind "regions" or "industries"); blank if none."""
    code = (code or "").strip()
    if not code:
        return ""
    if kind == "regions":
        return session.scalar(select(Region.name).where(Region.code == code)) or ""
    return session.scalar(select(IndustryDivision.name)
                          .where(IndustryDivision.code == code)) or ""


def code_for(session: Session, kind: str, text: str | None) -> str:
    """What a picker's plain input means when typed without the script: ``441600``,
    ``441600 河源市`` (the code, then anything) or an exact name that only one row bears give
    that code; anything else comes back unchanged for the use case to refuse by name."""
    text = " ".join((text or "").split())
    if not text:
        return ""
    first = text.split(" ")[0]
    if first.isdigit():
        return first
    model = Region if kind == "regions" else IndustryDivision
    codes = list(session.scalars(select(model.code).where(model.name == text).limit(2)))
    return codes[0] if len(codes) == 1 else text
