"""Opening a file as sheets of raw rows: CSV or XLSX, checked by extension and by content.

CSV is read as UTF-8 (with or without the BOM Excel writes). A CSV that is not UTF-8 but is valid
GB18030 — the superset of GBK that Excel on a Chinese Windows writes as "CSV (逗号分隔)" — is
decoded as such and the result says so; anything else is refused with a clear message. Files are
streamed: memory does not grow with their length.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

from app.domain.messages import N_
from app.services.exchange.imports.inert import unescape
from app.services.exchange.imports.limits import Budget, LimitExceeded
from app.services.exchange.imports.xlsx import UnreadableFile, workbook_sheets

SNIFF_BYTES = 64 * 1024
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and other Office 97 files)
GB18030 = "gb18030"

__all__ = ["Sheet", "UnreadableFile", "digest", "file_type", "open_sheets"]


@dataclass
class Sheet:
    """One table of a file: its name (a workbook's sheet; "" for CSV), its rows from row 1,
    how far reading has got (``position`` out of ``total``) and, for CSV, the encoding read."""

    name: str
    rows: Iterator[tuple[int, tuple]]
    position: Callable[[], int]
    total: int
    encoding: str = ""
    visible: bool = True


def file_type(filename: str, head: bytes) -> str:
    """``csv`` or ``xlsx`` from the extension, confirmed by the first bytes; UnreadableFile if
    the two disagree or the type is not accepted."""
    suffix = PurePath(filename or "").suffix.lower()
    if head.startswith(_OLE) or suffix == ".xls":
        raise UnreadableFile(N_("this is an old-format Excel file (.xls): save it as .xlsx "
                                "(Excel workbook) or as CSV UTF-8, then upload it again"))
    if suffix in (".xlsm", ".xltm", ".xlsb"):
        raise UnreadableFile(N_("%(suffix)s files are not accepted: save the workbook as .xlsx",
                                suffix=suffix))
    if suffix == ".xlsx":
        if not head.startswith(_ZIP):
            raise UnreadableFile(N_("the file is named .xlsx but is not an Excel workbook"))
        return "xlsx"
    if suffix in (".csv", ".txt"):
        if head.startswith(_ZIP):
            raise UnreadableFile(N_("the file is named .csv but is an Excel workbook: "
                                    "name it .xlsx"))
        return "csv"
    raise UnreadableFile(N_('"%(name)s" is neither a .csv nor an .xlsx file',
                            name=PurePath(filename or "").name))


def digest(stream: BinaryIO) -> str:
    """The SHA-256 of a seekable stream's bytes (read in blocks), the stream rewound after."""
    sha = hashlib.sha256()
    stream.seek(0)
    while block := stream.read(1 << 20):
        sha.update(block)
    stream.seek(0)
    return sha.hexdigest()


def open_sheets(stream: BinaryIO, filename: str, budget: Budget | None = None) -> list[Sheet]:
    """The sheets of a seekable binary stream: one for a CSV, every worksheet of an XLSX. Their
    rows count against ``budget`` (rows, time; CSV line length; XLSX archive sizes)."""
    budget = budget or Budget()
    stream.seek(0, io.SEEK_END)
    total = stream.tell()
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    if file_type(filename, head) == "xlsx":
        sheets = []
        for name, visible, rows in workbook_sheets(stream, budget):
            counter = _Counter(_counted(rows, budget))
            sheets.append(Sheet(name, counter, counter.count, 0, visible=visible))
        return sheets
    encoding = csv_encoding(head)
    return [Sheet("", _counted(_csv_rows(stream, encoding, budget.limits.max_line), budget),
                  stream.tell, total, encoding)]


def _counted(rows: Iterator[tuple[int, tuple]], budget: Budget) -> Iterator[tuple[int, tuple]]:
    for row in rows:
        budget.row()
        yield row


def csv_encoding(head: bytes) -> str:
    """The encoding of a CSV from its first bytes: ``utf-8-sig`` or ``gb18030``, else refused."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile(N_('the file is UTF-16 text (Excel\'s "Unicode text"): save it as '
                                '"CSV UTF-8" instead'))
    if b"\x00" in head:
        raise UnreadableFile(N_("the file is not text: upload a CSV or an XLSX file"))
    for encoding in ("utf-8-sig", GB18030):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    raise UnreadableFile(N_('the file is neither UTF-8 nor GBK/GB18030 text: save it as '
                            '"CSV UTF-8 (逗号分隔)" and upload it again'))


_BAD_BYTES = threading.local()
_SURROGATE = re.compile("[\udc80-\udcff]")


def _mark_bad_bytes(error: UnicodeDecodeError):
    """Decode undecodable bytes as surrogates (as ``surrogateescape``) and note it happened, so
    the row holding them — not the block read ahead — is the one reported."""
    _BAD_BYTES.seen = True
    return codecs.lookup_error("surrogateescape")(error)


codecs.register_error("imports-mark-bad-bytes", _mark_bad_bytes)


def _lines(text: io.TextIOWrapper, max_line: int, done: Callable[[], int]) -> Iterator[str]:
    """The text's lines, each read with a bound (a file of one endless line costs no more than
    ``max_line`` characters); a NUL character is refused (PostgreSQL stores none)."""
    while line := text.readline(max_line + 1):
        if len(line) > max_line:
            raise LimitExceeded(N_("row %(row)s: a line is longer than %(n)s characters: is "
                                   "this a CSV file?", row=done() + 1, n=max_line))
        if "\x00" in line:
            raise UnreadableFile(N_("row %(row)s: the text holds a NUL character (byte 0): "
                                    "is this a CSV file?", row=done() + 1))
        yield line


def _csv_rows(stream: BinaryIO, encoding: str, max_line: int = 1 << 20
              ) -> Iterator[tuple[int, tuple]]:
    text = io.TextIOWrapper(stream, encoding=encoding, newline="",
                            errors="imports-mark-bad-bytes")
    _BAD_BYTES.seen = False
    number = 0
    read = [0]  # rows read so far, for the line reader's messages
    try:
        for number, cells in enumerate(csv.reader(_lines(text, max_line, lambda: read[0])),
                                       start=1):
            read[0] = number
            if _BAD_BYTES.seen and _SURROGATE.search("".join(cells)):
                shown = "UTF-8" if encoding.startswith("utf") else "GBK/GB18030"
                raise UnreadableFile(N_('row %(row)s: the text is not valid %(encoding)s from '
                                        'here on: save the file as "CSV UTF-8" and upload it '
                                        "again", row=number, encoding=shown))
            # Only a cell starting with an apostrophe can be escaped: most rows have none.
            yield number, [unescape(cell) for cell in cells] if "'" in "".join(cells) \
                else cells
    except csv.Error as exc:
        raise UnreadableFile(N_("row %(row)s: %(error)s", row=number + 1,
                                error=str(exc))) from None
    finally:
        if not stream.closed:  # leave the caller's stream open
            text.detach()


class _Counter:
    """An iterator of rows that remembers how many it has given (an XLSX's progress)."""

    def __init__(self, rows: Iterator):
        self._rows = rows
        self.done = 0

    def __iter__(self):
        return self

    def __next__(self):
        item = next(self._rows)
        self.done += 1
        return item

    def count(self) -> int:
        """Rows read so far."""
        return self.done
