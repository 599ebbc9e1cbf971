"""Hostile spreadsheets built on the fly (never committed): zip bombs, XML bombs, external
entities, and CSV files that are too long, too wide or not text."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         b"<sheetData>")
_TAIL = b"</sheetData></worksheet>"


def _skeleton(title: str, header: list[str]) -> dict[str, bytes]:
    """The members of a small, valid workbook with one sheet named ``title``."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(header)
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(out) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zip_bomb(out, unpacked: int, *, title: str = "funds", header=("code", "name"),
             row: bytes = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>') -> None:
    """Write to ``out`` an XLSX whose sheet repeats ``row`` until it is ``unpacked`` bytes long
    once unpacked (it packs about 1000:1). Streamed: memory stays small whatever the size."""
    members = _skeleton(title, list(header))
    first = members.pop(SHEET)
    header_row = first[first.index(b"<row"):first.index(b"</sheetData>")]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        with archive.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(_HEAD + header_row)
            block = row * max(1, (1 << 20) // len(row))
            written = len(_HEAD) + len(header_row)
            while written < unpacked:
                sheet.write(block)
                written += len(block)
            sheet.write(_TAIL)


def with_member(xlsx: bytes, name: str, data: bytes) -> bytes:
    """``xlsx`` with the member ``name`` replaced by (or added as) ``data``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item.filename))
        target.writestr(name, data)
    return out.getvalue()


def small_xlsx(title: str = "funds", header=("code", "name")) -> bytes:
    """A valid one-sheet workbook with only a header row."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in _skeleton(title, list(header)).items():
            archive.writestr(name, data)
    return out.getvalue()


def billion_laughs() -> bytes:
    """A worksheet whose DTD expands one entity to 10⁹ "lol"s."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    return (f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
            "</sheetData></worksheet>").encode()


def external_entity(path: str = "/etc/passwd") -> bytes:
    """A worksheet that pulls a local file in through an external entity."""
    return (f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{path}">]>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
            "</sheetData></worksheet>").encode()
