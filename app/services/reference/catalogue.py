"""Editions of the transfer guidance catalogue (catalogue.md): created whole from checked rows,
kept side by side, one of them current.

An edition is written all or nothing: every row is checked first (the region exists and is a
prefecture or a province; each code is a GB/T 4754-2017 division, group or class; no code is
mapped twice in one list of one region) and any error raises ValidationFailed naming its row,
so nothing is written. Only administrators create editions and choose the current one (their
callers, above this package, check the role). Making an
edition current re-screens every project: that is :func:`app.services.screening.activate`, the
one caller of :func:`set_current` outside the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.domain import regions
from app.domain.codes import CatalogueList
from app.domain.messages import N_
from app.models import CatalogueCode, CatalogueEdition, CatalogueEntry, IndustryDivision, Region
from app.models.base import utcnow
from app.services.errors import NotFound, ValidationFailed
from app.services.reference.lookups import INDUSTRY_LEVELS


@dataclass(frozen=True)
class EntryData:
    """One row of an edition as read: ``row`` is its spreadsheet row (the header is row 1)."""

    row: int
    region: str
    list_code: CatalogueList
    heading: str
    text: str
    codes: tuple[str, ...]
    exceptions: str = ""
    needs_review: bool = False


@dataclass(frozen=True)
class EditionData:
    """An edition's own fields."""

    name: str
    published_on: date | None = None
    source_note: str = ""
    is_sample: bool = False
    entries: Sequence[EntryData] = field(default_factory=tuple)


def split_codes(text: str) -> tuple[str, ...]:
    """The codes of a cell: separated by ``;``, ``,``, ``、`` or spaces (``"3216; 3217"``)."""
    for separator in (",", "，", "、", "；", " "):
        text = text.replace(separator, ";")
    return tuple(code.strip() for code in text.split(";") if code.strip())


def check_edition(session: Session, data: EditionData) -> list[str]:
    """Every problem of ``data``, each naming its row and column (an empty list: it can be
    written). Reads the regions and industries the rows name in two queries."""
    errors: list[str] = []
    name = data.name.strip()
    if not name or len(name) > 100:
        errors.append(N_("name: give a name of 1 to 100 characters"))
    elif session.scalar(select(CatalogueEdition.id).where(CatalogueEdition.name == name)):
        errors.append(N_('name: an edition named "%(name)s" exists already', name=name))
    if not data.entries:
        errors.append(N_("row %(row)s: the file lists no entry", row=2))
    places = _regions(session, {e.region for e in data.entries})
    known = set(session.scalars(select(IndustryDivision.code).where(
        IndustryDivision.code.in_({c for e in data.entries for c in e.codes}),
        IndustryDivision.level.in_(INDUSTRY_LEVELS))))
    seen: dict[tuple[str, CatalogueList, str], int] = {}
    for entry in data.entries:
        place = places.get(entry.region)
        if place is None:
            errors.append(N_('row %(row)s, region: "%(value)s" is not a known region code',
                             row=entry.row, value=entry.region))
        elif place.level == regions.COUNTY:
            errors.append(N_('row %(row)s, region: "%(value)s" is a county: give its '
                             "prefecture, or the province for a province-wide entry",
                             row=entry.row, value=entry.region))
        if not entry.codes:
            errors.append(N_("row %(row)s, codes: give at least one GB/T 4754 code",
                             row=entry.row))
        for code in entry.codes:
            if code not in known:
                errors.append(N_('row %(row)s, codes: "%(value)s" is not a GB/T 4754-2017 '
                                 "industry code (a division, group or class)", row=entry.row,
                                 value=code))
                continue
            key = (entry.region, entry.list_code, code)
            if key in seen:
                errors.append(N_('row %(row)s, codes: "%(value)s" is mapped twice in the '
                                 "%(list)s list of %(region)s (also on row %(other)s)",
                                 row=entry.row, value=code, list=entry.list_code,
                                 region=entry.region, other=seen[key]))
            seen.setdefault(key, entry.row)
    return errors


def _regions(session: Session, codes: set[str]) -> dict[str, Region]:
    found: dict[str, Region] = {}
    items = sorted(codes)
    for start in range(0, len(items), 500):
        found.update((r.code, r) for r in session.scalars(
            select(Region).where(Region.code.in_(items[start:start + 500]))))
    return found


def create_edition(session: Session, data: EditionData, created_by_id: int | None = None
                   ) -> CatalogueEdition:
    """Write a new edition and its entries, not current; ValidationFailed with every row's
    errors under ``file`` when any row is wrong, and nothing is written. The importer makes the
    first edition of a database current at once, so that exactly one edition is current once
    there is any (:func:`app.services.screening.activate`)."""
    errors = check_edition(session, data)
    if errors:
        raise ValidationFailed({"file": errors})
    places = _regions(session, {e.region for e in data.entries})
    edition = CatalogueEdition(
        name=data.name.strip(), published_on=data.published_on,
        source_note=data.source_note.strip()[:500], is_sample=data.is_sample, is_current=False,
        created_by_id=created_by_id)
    session.add(edition)
    session.flush()
    for entry in data.entries:
        place = places[entry.region]
        record = CatalogueEntry(
            edition_id=edition.id, position=entry.row, region_id=place.id,
            list_code=entry.list_code, heading=entry.heading.strip(), text=entry.text.strip(),
            exceptions=entry.exceptions.strip() or None, needs_review=entry.needs_review)
        record.codes = [CatalogueCode(edition_id=edition.id, region_id=place.id,
                                      list_code=entry.list_code, industry_code=code)
                        for code in dict.fromkeys(entry.codes)]
        session.add(record)
    session.flush()
    return edition


def set_current(session: Session, edition_id: int) -> CatalogueEdition | None:
    """Make an edition the current one; return the one it replaces (None when
    it was current already or none was). Projects are re-screened by the caller
    (:func:`app.services.screening.activate`)."""
    edition = get_edition(session, edition_id)
    if edition.is_current:
        return None
    previous = current_edition(session)
    if previous is not None:
        previous.is_current = False
        session.flush()  # first: the partial unique index allows one current edition
    edition.is_current = True
    edition.replaced_id = previous.id if previous else None
    edition.made_current_at = utcnow()
    session.flush()
    return previous


def current_edition(session: Session) -> CatalogueEdition | None:
    """The current edition, or None before any edition was imported."""
    return session.scalar(select(CatalogueEdition).where(CatalogueEdition.is_current))


def get_edition(session: Session, edition_id: int) -> CatalogueEdition:
    """An edition by id; NotFound otherwise. Editions are public reference data: every signed-in
    user may read them."""
    edition = session.get(CatalogueEdition, edition_id)
    if edition is None:
        raise NotFound(f"catalogue edition {edition_id}")
    return edition


def edition_by_name(session: Session, name: str) -> CatalogueEdition:
    """An edition by its name (the command line's handle); NotFound otherwise."""
    edition = session.scalar(select(CatalogueEdition).where(CatalogueEdition.name == name))
    if edition is None:
        raise NotFound(f"catalogue edition {name}")
    return edition


def list_editions(session: Session) -> list[tuple[CatalogueEdition, int]]:
    """Every edition with its number of entries, the newest first."""
    counts = dict(session.execute(select(CatalogueEntry.edition_id, func.count())
                                  .group_by(CatalogueEntry.edition_id)).all())
    editions = session.scalars(select(CatalogueEdition).order_by(CatalogueEdition.id.desc()))
    return [(e, counts.get(e.id, 0)) for e in editions]


def entries_of(session: Session, edition_id: int) -> list[CatalogueEntry]:
    """An edition's entries in edition order, with their regions and codes loaded."""
    return list(session.scalars(
        select(CatalogueEntry).where(CatalogueEntry.edition_id == edition_id)
        .order_by(CatalogueEntry.position, CatalogueEntry.id)
        .options(selectinload(CatalogueEntry.region), selectinload(CatalogueEntry.codes))))
