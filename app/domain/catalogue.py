"""Screening a project against a transfer guidance catalogue edition: pure rules, no database.

A catalogue entry belongs to a region (a prefecture, or a province for province-wide entries),
one of three lists, and maps to GB/T 4754-2017 code prefixes: a division (2 digits), a group (3)
or a class (4). A project has a destination region and an industry code of any of those levels.

**The order, precisely** (:func:`screen`):

1. Regions, nearest first: the destination's prefecture (the destination itself when it is a
   prefecture, its parent prefecture when it is a county), then its province. The first region
   with any entry that bears on the project's industry (steps 2 and 3) decides; the province is
   read only when the prefecture has no such entry. A prefecture's own lists thus always beat a
   province-wide entry, however specific the latter's code.
2. Within that region, an entry *matches* when one of its codes is a prefix of the project's
   industry code (entry 32 or 321 or 3216 matches project 3216). The longest matching prefix wins:
   class (4) over group (3) over division (2). All entries matching at that length count (the
   same code may stand in different lists of one region, never twice in one list).
3. When no entry matches but an entry's code lies *under* the project's code (the project is
   classified only as division 32, the entry names class 3216), the catalogue may apply: REVIEW.
4. The flag: one counted entry (or several in one list), none of them with exceptions text nor
   marked for review → that list (PRIORITY, ADJUST_EXIT, NO_LONGER). Entries in different lists,
   or any counted entry with exceptions text or ``needs_review`` → REVIEW: a person decides,
   recording one of the three lists with a reason. Nothing counted in either region → NONE.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.domain.codes import CatalogueList, ScreeningFlag


@dataclass(frozen=True)
class Entry:
    """An entry as screening sees it: its id, region code, list, codes, and whether a person
    must decide (exceptions text or needs_review)."""

    id: int
    region: str
    list_code: CatalogueList
    codes: tuple[str, ...]
    needs_person: bool = False


@dataclass(frozen=True)
class Outcome:
    """The flag and the entries that decided it (by position in the edition), the first being
    the one shown; ``entries`` is empty for NONE."""

    flag: ScreeningFlag
    entries: tuple[int, ...] = ()

    @property
    def entry(self) -> int | None:
        """The entry shown with the flag (None: nothing matched)."""
        return self.entries[0] if self.entries else None


def regions_of(destination: str, prefecture: str | None, province: str) -> list[str]:
    """The region codes read, nearest first: the prefecture (when the destination has one; a
    county gives its parent) and the province. Codes are GB/T 2260, six digits."""
    found = [prefecture] if prefecture and prefecture != province else []
    return [*found, province] if province not in found else found


def screen(industry: str, regions: Sequence[str], entries: Iterable[Entry]) -> Outcome:
    """The flag of a project of ``industry`` whose destination reads ``regions`` (nearest first,
    :func:`regions_of`), against ``entries`` (the edition's, in edition order). See the module's
    description for the order."""
    by_region: dict[str, list[Entry]] = {}
    for entry in entries:
        by_region.setdefault(entry.region, []).append(entry)
    for region in regions:
        found = by_region.get(region, [])
        best = 0
        matched: list[Entry] = []
        for entry in found:
            length = max((len(c) for c in entry.codes if industry.startswith(c)), default=0)
            if length > best:
                best, matched = length, [entry]
            elif length and length == best:
                matched.append(entry)
        if matched:
            return _flag(matched)
        under = [e for e in found if any(c.startswith(industry) for c in e.codes)]
        if under:
            return Outcome(ScreeningFlag.REVIEW, tuple(e.id for e in under))
    return Outcome(ScreeningFlag.NONE)


def _flag(matched: list[Entry]) -> Outcome:
    ids = tuple(e.id for e in matched)
    lists = {e.list_code for e in matched}
    if len(lists) > 1 or any(e.needs_person for e in matched):
        return Outcome(ScreeningFlag.REVIEW, ids)
    return Outcome(ScreeningFlag(next(iter(lists)).value), ids)


COLOURS = {
    ScreeningFlag.PRIORITY: "green", ScreeningFlag.ADJUST_EXIT: "amber",
    ScreeningFlag.NO_LONGER: "red", ScreeningFlag.REVIEW: "review", ScreeningFlag.NONE: "grey",
}
"""The colour each flag is shown in (always beside its label, never alone)."""
