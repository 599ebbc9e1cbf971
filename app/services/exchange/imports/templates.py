"""Downloadable XLSX templates: per kind a sheet with the headers, an example row and drop-down
lists for the coded columns (codes and their Chinese labels, regions, industries, indicators)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import IndicatorDefinition, IndustryDivision, Region
from app.services.exchange.imports.inert import text_cell
from app.services.exchange.imports.layout import KINDS, WORKBOOK, Column

LISTS = "_lists"
"""The hidden sheet holding the drop-down lists (ignored by a workbook import)."""

TEMPLATE_ROWS = 1000  # rows below the header that offer the drop-downs


def _choices(session: Session, column: Column) -> list[str]:
    """The values offered for a column: codes and Chinese labels, or reference codes."""
    if column.choices is not None:
        members = list(column.choices)
        return [m.value for m in members] + [m.label_zh for m in members]
    query = {"regions": select(Region.code).order_by(Region.code),
             "industries": select(IndustryDivision.code).where(
                 IndustryDivision.level != "SECTION").order_by(IndustryDivision.code),
             "indicators": select(IndicatorDefinition.code).order_by(
                 IndicatorDefinition.position)}[column.lookup]
    return list(session.scalars(query))


def _example(column: Column) -> object:
    if column.example in ("", None):
        return None
    value = column.parse(column.example)
    if isinstance(value, Decimal):  # a number in the sheet
        return float(value)
    return value if isinstance(value, int | bool | dt.date) else column.example


def write_template(session: Session, kind: str, out: BinaryIO,
                   layout: dict[str, tuple[Column, ...]] | None = None) -> None:
    """Write the template of ``kind`` (``workbook``: one sheet per kind) to ``out``; ``layout``
    gives the columns of kinds outside :data:`KINDS` (the catalogue's)."""
    layout = layout or KINDS
    kinds = list(layout) if kind == WORKBOOK else [kind]
    book = Workbook()
    book.remove(book.active)
    lists = book.create_sheet(LISTS)
    lists.sheet_state = "hidden"
    list_columns: dict[str, str] = {}
    for kind_ in kinds:
        sheet = book.create_sheet(kind_)
        for index, column in enumerate((c for c in layout[kind_] if not c.computed), start=1):
            letter = get_column_letter(index)
            header = text_cell(sheet.cell(row=1, column=index), column.name)
            header.font = Font(bold=True, italic=not column.required)
            example = sheet.cell(row=2, column=index)
            value = _example(column)
            if isinstance(value, str):
                text_cell(example, value)
            else:
                example.value = value
            if hasattr(example.value, "year"):
                example.number_format = "yyyy-mm-dd"
            sheet.column_dimensions[letter].width = max(12, len(column.name) + 4)
            choices_key = column.choices.__name__ if column.choices else column.lookup
            if not choices_key:
                continue
            if choices_key not in list_columns:
                list_columns[choices_key] = _write_list(lists, len(list_columns) + 1,
                                                        choices_key, _choices(session, column))
            validation = DataValidation(type="list", formula1=list_columns[choices_key],
                                        allow_blank=not column.required,
                                        errorStyle="warning", showErrorMessage=True,
                                        error="Not in the list", errorTitle=column.name)
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
        sheet.freeze_panes = "A2"
    book.move_sheet(LISTS, offset=len(book.sheetnames))
    book.active = 0
    book.save(out)


def _write_list(sheet, column: int, title: str, choices: list[str]) -> str:
    """Write a list in a column of the hidden sheet; the range formula that refers to it."""
    text_cell(sheet.cell(row=1, column=column), title)
    for row, value in enumerate(choices, start=2):
        text_cell(sheet.cell(row=row, column=column), value)
    letter = get_column_letter(column)
    return f"{quote_sheetname(LISTS)}!${letter}$2:${letter}${max(2, len(choices) + 1)}"
