"""A newer edition of GB/T 2260 imported over the regions table (``flask regions
import-edition``): codes it adds are inserted, renamed codes take the new name, and codes it no
longer lists are retired (``valid_until``), never deleted, with their successor when a successors
file names one (a merger: ``old_code,new_code``). A retired code that an edition lists again is
restored.

The edition file has the shipped file's columns ``code,name,level,parent_code[,name_en]`` and
must be complete (every parent is a row of the file). All or nothing: any bad row raises
ValidationFailed naming the row and the field, and nothing is written.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain import regions
from app.domain.romanize import english_name
from app.models import Region, RegionEdition
from app.services.errors import ValidationFailed

_COLUMNS = ("code", "name", "level", "parent_code")


@dataclass(frozen=True)
class EditionRow:
    """One row of an edition file."""

    code: str
    name: str
    level: str
    parent_code: str | None
    name_en: str | None


@dataclass(frozen=True)
class EditionResult:
    """What an edition import did (counts of codes)."""

    edition: str
    added: int
    renamed: int
    retired: int
    restored: int
    unchanged: int


def parse_edition(lines: list[str]) -> tuple[list[EditionRow], list[str]]:
    """The rows of an edition file and the errors, each naming its row (as a spreadsheet counts,
    the header being row 1) and field."""
    reader = csv.reader(line.removeprefix("\ufeff") if i == 0 else line
                        for i, line in enumerate(lines))
    header = [cell.strip().lower() for cell in next(reader, [])]
    missing = [c for c in _COLUMNS if c not in header]
    if missing:
        return [], [f'row 1: missing column "{c}" (expected code,name,level,parent_code'
                    f'[,name_en])' for c in missing]
    at = {name: header.index(name) for name in (*_COLUMNS, "name_en") if name in header}
    rows: list[EditionRow] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for number, record in enumerate(reader, start=2):
        cells = {name: (record[i].strip() if i < len(record) else "") for name, i in at.items()}
        if not any(cells.values()):
            continue
        try:
            code = regions.normalize_code(cells["code"])
        except regions.RegionCodeError as exc:
            errors.append(f"row {number}, code: {exc}")
            continue
        if code in seen:
            errors.append(f'row {number}, code: "{code}" is already on row {seen[code]}')
            continue
        seen[code] = number
        if not cells["name"]:
            errors.append(f"row {number}, name: must not be empty")
        if cells["level"] != regions.level(code):
            errors.append(f'row {number}, level: "{cells["level"]}" does not fit code {code} '
                          f'(a {regions.level(code)} code)')
        if regions.level(code) == regions.PROVINCE:
            if cells["parent_code"]:
                errors.append(f"row {number}, parent_code: a province has no parent")
            try:
                regions.macro_region(code)
            except regions.RegionCodeError as exc:
                errors.append(f"row {number}, code: {exc}")
        elif not is_ancestor(cells["parent_code"], code):
            errors.append(f'row {number}, parent_code: "{cells["parent_code"]}" is not a '
                          f"region above {code}")
        rows.append(EditionRow(code, cells["name"], cells["level"], cells["parent_code"] or None,
                               cells.get("name_en") or None))
    for row in rows:
        if row.parent_code and row.parent_code not in seen:
            errors.append(f'row {seen[row.code]}, parent_code: "{row.parent_code}" is not a '
                          "row of the file")
    if not rows and not errors:
        errors.append("row 2: the file lists no region")
    return rows, errors


def is_ancestor(parent: str, code: str) -> bool:
    """Whether ``parent`` is a well-formed code of a region above ``code``."""
    try:
        return parent != code and regions.is_within(code, parent) \
            and regions.LEVELS.index(regions.level(parent)) < regions.LEVELS.index(
                regions.level(code))
    except regions.RegionCodeError:
        return False


def parse_successors(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """``old_code,new_code`` rows (a header is optional) and the errors by row and field."""
    found: dict[str, str] = {}
    errors: list[str] = []
    for number, record in enumerate(csv.reader(lines), start=1):
        cells = [cell.strip().removeprefix("\ufeff") for cell in record]
        if not any(cells) or (number == 1 and cells[0].lower() == "old_code"):
            continue
        if len(cells) != 2:
            errors.append(f"row {number}: expected old_code,new_code")
            continue
        pair = []
        for field, text in zip(("old_code", "new_code"), cells, strict=True):
            try:
                pair.append(regions.normalize_code(text))
            except regions.RegionCodeError as exc:
                errors.append(f"row {number}, {field}: {exc}")
        if len(pair) == 2:
            if pair[0] in found:
                errors.append(f'row {number}, old_code: "{pair[0]}" is named twice')
            found[pair[0]] = pair[1]
    return found, errors


def import_edition(session: Session, lines: list[str], edition: str, valid_until: date,
                   successor_lines: list[str] | None = None) -> EditionResult:
    """Bring the regions table to ``edition`` (see the module's description)."""
    edition = edition.strip()
    rows, errors = parse_edition(lines)
    successors, successor_errors = parse_successors(successor_lines or [])
    errors += [f"successors {e}" for e in successor_errors]
    if not edition or len(edition) > 20:
        errors.insert(0, "edition: give a name of 1 to 20 characters (e.g. 2023)")
    existing = {r.code: r for r in session.scalars(select(Region))}
    listed = {row.code for row in rows}
    leaving = {code for code, region in existing.items() if code not in listed}
    for number, (old, new) in enumerate(successors.items(), start=1):
        if old not in leaving:
            errors.append(f'successors row {number}, old_code: "{old}" is not a code the '
                          "edition retires")
        if new not in listed:
            errors.append(f'successors row {number}, new_code: "{new}" is not in the edition')
    if errors:
        raise ValidationFailed({"file": errors})
    counts = {"added": 0, "renamed": 0, "retired": 0, "restored": 0, "unchanged": 0}
    official = {p.code: p.name_en for p in regions.load_provinces()}
    for level in regions.LEVELS:
        for row in (r for r in rows if r.level == level):
            _apply(session, existing, row, official, counts)
    session.flush()
    stamp = [row.code for row in rows]
    for start in range(0, len(stamp), 500):
        session.execute(update(Region).where(Region.code.in_(stamp[start:start + 500]))
                        .values(edition=edition).execution_options(synchronize_session=False))
    for code in sorted(leaving):
        region = existing[code]
        successor = existing.get(successors.get(code, ""))
        if region.valid_until is None:
            region.valid_until = valid_until
            counts["retired"] += 1
        if successor is not None and region.successor_id != successor.id:
            region.successor = successor
    record = session.get(RegionEdition, edition) or RegionEdition(edition=edition)
    record.loaded_at, record.codes, record.source = datetime.now(UTC), len(rows), "import-edition"
    session.add(record)
    session.flush()
    session.expire_all()
    return EditionResult(edition, **counts)


def _apply(session: Session, existing: dict[str, Region], row: EditionRow,
           official: dict[str, str], counts: dict[str, int]) -> None:
    """Insert, rename or restore one listed code (parents come first)."""
    region = existing.get(row.code)
    parent = existing[row.parent_code] if row.parent_code else None
    if region is None:
        region = Region(code=row.code, name=row.name, level=row.level, parent=parent,
                        name_en=row.name_en or official.get(row.code) or english_name(row.name),
                        macro_region=regions.macro_region(row.code))
        session.add(region)
        existing[row.code] = region
        counts["added"] += 1
        return
    changed = False
    if region.valid_until is not None:
        region.valid_until, region.successor = None, None
        counts["restored"] += 1
        changed = True
    if region.name != row.name:
        region.name = row.name
        region.name_en = row.name_en or official.get(row.code) or english_name(row.name)
        counts["renamed"] += 1
        changed = True
    elif row.name_en and region.name_en != row.name_en:
        region.name_en = row.name_en
    if parent is not None and region.parent_id != parent.id:
        region.parent = parent
    if not changed:
        counts["unchanged"] += 1


def current_edition(session: Session) -> str | None:
    """The newest edition loaded (by name: editions are years), or None."""
    return session.scalar(select(RegionEdition.edition).order_by(
        RegionEdition.edition.desc()).limit(1))
