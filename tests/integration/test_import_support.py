"""Helpers of the import tests — files built as users' programs build them — and checks of the
helpers themselves."""

from __future__ import annotations

import csv
import io
import re
import zipfile

from openpyxl import Workbook, load_workbook

from app.services.exchange.imports import import_file

TX_HEADER = ["reference", "fund_code", "project_code", "instrument", "type", "date", "amount",
             "reverses", "note"]
MOVEMENT_HEADER = ["reference", "fund_code", "type", "date", "amount", "investor", "reverses",
                   "note"]
FUND_HEADER = ["code", "name", "sponsor_region", "manager", "class", "vintage", "target_size",
               "term_start", "term_end"]
OBS_HEADER = ["project_code", "indicator_code", "quarter", "value", "note"]


def csv_bytes(header, rows, encoding: str = "utf-8") -> bytes:
    """A CSV file's bytes (``utf-8-sig`` for Excel's "CSV UTF-8", ``gbk`` for "CSV (逗号分隔)")."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(header, rows, *, title: str = "Sheet", merge=(), sheets=None) -> bytes:
    """An XLSX file's bytes written by openpyxl; ``merge`` ranges such as "B2:B4"; ``sheets``
    maps more sheet names to (header, rows)."""
    book = Workbook()
    book.remove(book.active)
    for name, (head, body) in {title: (header, rows), **(sheets or {})}.items():
        sheet = book.create_sheet(name)
        sheet.append(list(head))
        for row in body:
            sheet.append(list(row))
        if name == title:
            for cells in merge:
                sheet.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_cached_value(xlsx: bytes, coordinate: str, value: str, cell_type: str = "") -> bytes:
    """The workbook with the formula in ``coordinate`` given the value Excel saves with it (as
    if it had been opened and saved in Excel: openpyxl itself saves formulas without values);
    ``cell_type`` "e" marks the value as a formula error."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rf'(<c r="{coordinate}")([^>]*>\s*<f>[^<]*</f>)\s*<v\s*/>'.encode(),
                              rb"\1" + (f' t="{cell_type}"'.encode() if cell_type else b"")
                              + rb"\2<v>" + value.encode() + b"</v>", data)
            target.writestr(item, data)
    return out.getvalue()


def run(db, actor, kind: str, data: bytes, filename: str = "file.csv", *, dry_run=False):
    """Import ``data`` as a user would, committing what a real run wrote."""
    result = import_file(db, actor, kind, io.BytesIO(data), filename, dry_run=dry_run)
    db.commit()
    return result


def test_cached_value_helper_gives_the_formula_a_value_openpyxl_reads_back():
    xlsx = xlsx_bytes(["a", "b"], [["x", "=1+1"]])
    cached = with_cached_value(xlsx, "B2", "2")
    sheet = load_workbook(io.BytesIO(cached), data_only=True).active
    assert sheet["B2"].value == 2
    assert load_workbook(io.BytesIO(xlsx), data_only=True).active["B2"].value is None


def test_csv_helper_writes_gbk_that_is_not_utf8():
    data = csv_bytes(["a"], [["深圳市财政局"]], "gbk")
    assert "深圳".encode("gbk") in data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:  # pragma: no cover
        raise AssertionError("GBK text that happens to be UTF-8")
