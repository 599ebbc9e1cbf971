"""A list as the user sees it (its columns, its filtered rows), as CSV or XLSX: every text cell
made inert (inert.py), numbers and dates written as values."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from enum import Enum
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from app.services.exchange.imports.inert import escape, text_cell

FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool | int | Decimal | dt.date):
        return value
    return str(value)


def write_table(headers: Sequence[str], rows: Iterable[Sequence], fmt: str, out: BinaryIO) -> None:
    """Write ``headers`` and ``rows`` to ``out`` as ``fmt`` ("csv" with a BOM, or "xlsx")."""
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
        writer = csv.writer(text)
        writer.writerow([escape(h) for h in headers])
        for row in rows:
            writer.writerow([escape(v) if isinstance(v, str) else
                             (v.isoformat() if isinstance(v, dt.date) else v)
                             for v in map(_plain, row)])
        text.detach()
        return
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    bold = Font(bold=True)

    def cell(value, header=False):
        made = WriteOnlyCell(sheet)
        if isinstance(value, str):
            text_cell(made, value)
        else:
            made.value = value
            if isinstance(value, dt.date):
                made.number_format = "yyyy-mm-dd"
        if header:
            made.font = bold
        return made
    sheet.append([cell(h, True) for h in headers])
    for row in rows:
        sheet.append([cell(v) for v in map(_plain, row)])
    book.save(out)
