"""XLSX sheets as rows of cell values, streamed with openpyxl (read-only, cached values only).

Formulas are never evaluated: a formula cell gives the value Excel saved with it; one saved
without a value (written by a program, never opened in Excel) is reported, not guessed. Merged
cells are read as Excel shows them: a range merged down one column gives its value to every row
it covers; a range merged across columns is reported, since one value cannot fill two fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from zipfile import BadZipFile, ZipFile

from openpyxl import DEFUSEDXML, load_workbook
from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.xml.functions import iterparse

from app.domain.messages import N_
from app.services.exchange.imports.cells import Problem, is_blank
from app.services.limits import Budget, UnreadableFile, check_archive

if not DEFUSEDXML:  # entities would reach expat: external ones read, billion laughs expanded
    raise ImportError("openpyxl must parse XML with defusedxml: install it (a dependency) and "
                      "leave OPENPYXL_DEFUSEDXML unset")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')
_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                     "#GETTING_DATA", "#SPILL!", "#CALC!"})
UNCACHED = Problem(N_("the cell holds a formula saved without its value: open the file in "
                      "Excel (or another spreadsheet program), let it calculate, and save it "
                      "again"))


@dataclass
class SheetFacts:
    """What the cell values alone do not say: merged ranges and uncalculated formula cells."""

    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # col, row, col, row
    uncached: set[tuple[int, int]] = field(default_factory=set)  # (row, column)


def _scan(archive: ZipFile, member: str, budget: Budget) -> SheetFacts:
    """Find merged ranges and formulas with one cheap pass over the raw XML; only a sheet with
    formulas is parsed a second time to find the cells whose value was never saved."""
    facts, has_formula, tail = SheetFacts(), False, b""
    with archive.open(member) as raw:
        while chunk := raw.read(1 << 20):
            budget.clock()
            data = tail + chunk
            has_formula = has_formula or _FORMULA.search(data) is not None
            facts.merged.extend(range_boundaries(m[1].decode()) for m in _MERGE.finditer(data)
                                if m.end() > len(tail))
            tail = data[-200:]
    if has_formula:
        with archive.open(member) as raw:
            for _event, element in iterparse(raw):
                if element.tag == _MAIN + "c":
                    if element.find(_MAIN + "f") is not None and _uncached(element):
                        facts.uncached.add(coordinate_to_tuple(element.get("r")))
                    element.clear()
                elif element.tag == _MAIN + "row":
                    element.clear()
    return facts


def _uncached(cell) -> bool:
    """A formula cell without a saved value: no ``<v>``, or an empty one that is not text."""
    value = cell.find(_MAIN + "v")
    return value is None or (not value.text and cell.get("t") != "str")


def workbook_sheets(stream, budget: Budget | None = None
                    ) -> list[tuple[str, bool, Iterator[tuple[int, tuple]]]]:
    """(name, visible, rows) of every worksheet; rows are (row number, cell values) from row 1.
    The archive is checked against the budget's limits first."""
    budget = budget or Budget()
    check_archive(stream, budget)
    try:
        book = load_workbook(stream, read_only=True, data_only=True, keep_links=False)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError, SyntaxError) as exc:
        raise UnreadableFile(N_("the file is not a readable XLSX workbook (%(error)s)",
                                error=str(exc))) from None
    sheets = []
    for sheet in book.worksheets:
        facts = _scan(book._archive, sheet._worksheet_path, budget)  # openpyxl names no public path
        sheet.reset_dimensions()  # some programs write a wrong size; read every row there is
        sheets.append((sheet.title, sheet.sheet_state == "visible", _rows(sheet, facts)))
    return sheets


def _rows(sheet, facts: SheetFacts) -> Iterator[tuple[int, tuple]]:
    pending = sorted(facts.merged, key=lambda r: r[1])
    active: list[tuple[int, int, int, int]] = []
    anchors: dict[tuple[int, int, int, int], object] = {}
    uncached: dict[int, list[int]] = {}
    for row, column in facts.uncached:
        uncached.setdefault(row, []).append(column)
    for number, values in enumerate(_guarded(sheet.iter_rows(min_row=1, values_only=True)),
                                    start=1):
        cells = [_value(v) for v in values]
        for column in uncached.get(number, ()):
            _put(cells, column, UNCACHED)
        if pending or active:
            while pending and pending[0][1] <= number:
                active.append(pending.pop(0))
            active = [r for r in active if r[3] >= number]
            for merged in active:
                _fill(cells, number, merged, anchors)
        yield number, tuple(cells)


def _guarded(rows: Iterator[tuple]) -> Iterator[tuple]:
    """Rows as openpyxl reads them; a malformed sheet becomes UnreadableFile, naming the row."""
    number = 0
    try:
        for number, row in enumerate(rows, start=1):  # noqa: B007 - reported below
            yield row
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, SyntaxError) as exc:
        raise UnreadableFile(N_("row %(row)s: the workbook cannot be read there (%(error)s)",
                                row=number + 1, error=str(exc))) from None


def _value(value: object) -> object:
    if value.__class__ is str and value in _ERRORS:
        return Problem(N_('"%(value)s" is an error of a formula in the spreadsheet; correct it',
                          value=value))
    return value


def _put(cells: list, column: int, value: object) -> None:
    while len(cells) < column:
        cells.append(None)
    cells[column - 1] = value


def _fill(cells: list, number: int, merged: tuple[int, int, int, int], anchors: dict) -> None:
    min_col, min_row, max_col, max_row = merged
    if number == min_row:
        anchors[merged] = cells[min_col - 1] if len(cells) >= min_col else None
    anchor = anchors.get(merged)
    where = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}"
    for column in range(min_col, max_col + 1):
        if column == min_col:
            if number != min_row:
                _put(cells, column, anchor)
        elif not is_blank(anchor):
            _put(cells, column, Problem(N_(
                "the cell is merged with its neighbour (%(cells)s); one value cannot fill two "
                "columns: unmerge the cells", cells=where)))
