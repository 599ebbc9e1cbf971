"""Reference data: GB/T 2260 region codes, the four macro-regions and GB/T 4754-2017 divisions.

A region code has six digits ``PPCCXX``: ``PP0000`` is a province-level division, ``PPCC00`` a
prefecture-level one and anything else a county-level one. The parent of a region follows from its
code, but the nearest ancestor that exists as a row may lie higher up: the districts of a
municipality (``110105``) sit under ``110100``, which is not a region of its own, and counties
administered directly by a province (``429004``) sit under ``429000``, which does not exist either.
:func:`ancestor_codes` lists the candidates so that a caller can pick the nearest that exists.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

PROVINCE = "PROVINCE"
PREFECTURE = "PREFECTURE"
COUNTY = "COUNTY"
LEVELS = (PROVINCE, PREFECTURE, COUNTY)

MACRO_REGIONS = ("EAST", "CENTRAL", "WEST", "NORTHEAST")

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

_CODE = re.compile(r"[0-9]{6}")
_COLUMNS = ("code", "name", "name_en")
_REQUIRED_COLUMNS = ("code", "name")


class RegionCodeError(ValueError):
    """A text that is not a GB/T 2260 six-digit region code."""


@dataclass(frozen=True, slots=True)
class RegionRow:
    """One parsed row of a region import: the code, names, level and the parent by the code."""

    code: str
    name: str
    name_en: str | None
    level: str
    parent_code: str | None


@dataclass(frozen=True, slots=True)
class Province:
    """A provincial-level division of mainland China and its macro-region."""

    code: str
    name: str
    name_en: str
    macro_region: str


@dataclass(frozen=True, slots=True)
class IndustryDivision:
    """A two-digit division of GB/T 4754-2017 and the section (门类) it belongs to."""

    section: str
    section_name: str
    section_name_en: str
    division: str
    name: str
    name_en: str


# --- codes -------------------------------------------------------------------------------------


def normalize_code(text: str | int) -> str:
    """Return the six-digit code in ``text`` (surrounding space and full-width digits tolerated)."""
    if isinstance(text, bool) or not isinstance(text, str | int):
        raise RegionCodeError(f'"{text}" is not a six-digit region code')
    raw = str(text)
    # NFKC turns full-width digits (４４０３００), typed with a Chinese input method, into ASCII.
    code = unicodedata.normalize("NFKC", raw).strip()
    if not _CODE.fullmatch(code):
        raise RegionCodeError(f'"{raw.strip()}" is not a six-digit region code')
    if code[:2] == "00":
        raise RegionCodeError(f'"{code}" is not a region code: no province is numbered 00')
    if code[2:4] == "00" and code[4:] != "00":
        raise RegionCodeError(f'"{code}" is not a region code: a county needs a prefecture part')
    return code


def level(code: str) -> str:
    """The level of a region: ``PROVINCE`` (XX0000), ``PREFECTURE`` (XXYY00) or ``COUNTY``."""
    code = normalize_code(code)
    if code[2:] == "0000":
        return PROVINCE
    if code[4:] == "00":
        return PREFECTURE
    return COUNTY


def parent_code(code: str) -> str | None:
    """The parent by the code: county → XXYY00, prefecture → XX0000, province → None."""
    ancestors = ancestor_codes(code)
    return ancestors[0] if ancestors else None


def ancestor_codes(code: str) -> list[str]:
    """The codes of the possible ancestors, nearest first (pick the nearest that exists)."""
    code = normalize_code(code)
    kind = level(code)
    if kind == PROVINCE:
        return []
    if kind == PREFECTURE:
        return [code[:2] + "0000"]
    return [code[:4] + "00", code[:2] + "0000"]


def province_code(code: str) -> str:
    """The code of the province a region lies in (a province's own code for a province)."""
    return normalize_code(code)[:2] + "0000"


def subtree_prefix(code: str) -> str:
    """The code prefix shared by a region and everything below it (``440300`` → ``4403``)."""
    code = normalize_code(code)
    kind = level(code)
    if kind == PROVINCE:
        return code[:2]
    if kind == PREFECTURE:
        return code[:4]
    return code


def is_within(code: str, ancestor: str) -> bool:
    """Whether region ``code`` is ``ancestor`` itself or lies below it."""
    return normalize_code(code).startswith(subtree_prefix(ancestor))


# --- import ------------------------------------------------------------------------------------


def parse_region_rows(lines: Iterable[str] | str) -> tuple[list[RegionRow], list[str]]:
    """Parse CSV text ``code,name[,name_en]`` into rows and row-numbered error messages."""
    rows: list[RegionRow] = []
    errors: list[str] = []
    first_seen: dict[str, int] = {}
    columns: dict[str, int] | None = None  # column name → index, once a header is seen
    started = False
    if isinstance(lines, str):
        lines = lines.splitlines(keepends=True)
    reader = csv.reader(_without_bom(lines))
    # Records are counted blank ones included: that is the row number a spreadsheet shows.
    number = 0
    while True:
        number += 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(f"row {number}: not readable as CSV ({exc})")
            continue
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue
        if not started:
            started = True
            if _looks_like_header(cells):
                columns, header_errors = _read_header(cells)
                errors.extend(f"row {number}: {message}" for message in header_errors)
                if header_errors:
                    return [], errors
                continue
        values, shape_error = _values(cells, columns)
        if shape_error:
            errors.append(f"row {number}: {shape_error}")
            continue
        row_errors: list[str] = []
        try:
            code = normalize_code(values["code"])
        except RegionCodeError as exc:
            code = None
            row_errors.append(f"row {number}, code: {exc}")
        name = values["name"]
        if not name:
            row_errors.append(f"row {number}, name: must not be empty")
        if code is not None:
            if code in first_seen:
                row_errors.append(
                    f'row {number}, code: "{code}" is already on row {first_seen[code]}'
                )
            else:
                first_seen[code] = number
        if row_errors or code is None:
            errors.extend(row_errors)
            continue
        rows.append(
            RegionRow(
                code=code,
                name=name,
                name_en=values["name_en"] or None,
                level=level(code),
                parent_code=parent_code(code),
            )
        )
    return rows, errors


def _without_bom(lines: Iterable[str]) -> Iterator[str]:
    """The lines with a UTF-8 byte-order mark removed from the first one."""
    first = True
    for line in lines:
        if first:
            line = line.removeprefix("\ufeff")
            first = False
        yield line


def _looks_like_header(cells: list[str]) -> bool:
    """Whether the first non-blank row is a header (it names a ``code`` column)."""
    return any(cell.lower() == "code" for cell in cells)


def _read_header(cells: list[str]) -> tuple[dict[str, int], list[str]]:
    """Map column names to their positions; report unknown, repeated and missing columns."""
    columns: dict[str, int] = {}
    errors: list[str] = []
    for index, cell in enumerate(cells):
        key = cell.lower()
        if not key:
            continue
        if key not in _COLUMNS:
            errors.append(f'unknown column "{cell}" (expected code, name, name_en)')
        elif key in columns:
            errors.append(f'column "{key}" appears twice')
        else:
            columns[key] = index
    errors.extend(f'missing column "{name}"' for name in _REQUIRED_COLUMNS if name not in columns)
    return columns, errors


def _values(cells: list[str], columns: dict[str, int] | None) -> tuple[dict[str, str], str | None]:
    """The cells of a data row by column name, or a message when a cell has no column."""
    if columns is None:
        used = len(cells)
        while used and not cells[used - 1]:
            used -= 1  # spreadsheets often leave trailing empty cells
        if used > len(_COLUMNS):
            return {}, f"expected code,name[,name_en] but found {used} columns"
        columns = {name: index for index, name in enumerate(_COLUMNS)}
    else:
        known = set(columns.values())
        extra = [index for index, cell in enumerate(cells) if cell and index not in known]
        if extra:
            return {}, f"column {extra[0] + 1} has a value but no header"
    values = {name: cells[index] if index < len(cells) else "" for name, index in columns.items()}
    return {name: values.get(name, "") for name in _COLUMNS}, None


# --- packaged reference data -------------------------------------------------------------------


def load_provinces() -> list[Province]:
    """The 31 provincial-level divisions of mainland China, from ``app/data/provinces.csv``."""
    return list(_provinces())


def load_industry_divisions() -> list[IndustryDivision]:
    """The 97 divisions of GB/T 4754-2017, from ``app/data/industry_divisions.csv``."""
    return list(_industry_divisions())


def macro_region(code: str) -> str:
    """The macro-region (EAST, CENTRAL, WEST, NORTHEAST) of the province a region lies in."""
    wanted = province_code(code)
    for province in _provinces():
        if province.code == wanted:
            return province.macro_region
    raise RegionCodeError(f'"{normalize_code(code)}" lies in no province of mainland China')


@functools.cache
def _provinces() -> tuple[Province, ...]:
    return tuple(Province(**record) for record in _read_csv("provinces.csv"))


@functools.cache
def _industry_divisions() -> tuple[IndustryDivision, ...]:
    return tuple(IndustryDivision(**record) for record in _read_csv("industry_divisions.csv"))


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))
