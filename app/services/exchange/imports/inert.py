"""Spreadsheet cells that stay text: the defence against formula injection (CSV/XLSX exports).

A spreadsheet program reads a CSV cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula (``=HYPERLINK(…)``, ``+cmd|' /C calc'!A0``), and an XLSX cell
whose value begins with ``=`` is written by openpyxl as a formula unless told otherwise.

* **CSV**: :func:`escape` puts an apostrophe before such a text (the OWASP defence); a text
  that already begins with apostrophes followed by one of those characters gets one more, so
  :func:`unescape` — applied by the import to every CSV cell — gives back exactly the text that
  was written. Numbers the exporter formats itself (amounts such as ``-2.50``, dates, years)
  are not text and are written as they are: digits, one sign and one point cannot be a formula,
  and the import reads them as numbers; a number escaped by another program (``'-2.50``) is
  read as the number too.
* **XLSX**: :func:`text_cell` writes a text as a string cell (never ``<f>``), with Excel's
  "quote prefix" style when it looks like a formula, so that editing the cell does not turn it
  into one either. The value itself is unchanged and is read back as it is.
"""

from __future__ import annotations

import re

TRIGGERS = "=+-@\t\r"
"""The first characters that make a spreadsheet program read a cell as a formula."""

_ESCAPED = re.compile(r"'*[=+\-@\t\r]")


def looks_like_formula(text: str) -> bool:
    """True if a spreadsheet program would read ``text`` as a formula."""
    return bool(text) and text[0] in TRIGGERS


def escape(text: str) -> str:
    """A CSV text cell made inert: ``=1+1`` → ``'=1+1``, ``'=x`` → ``''=x``; others unchanged."""
    return "'" + text if _ESCAPED.match(text) else text


def unescape(text: str) -> str:
    """Undo :func:`escape`: one leading apostrophe removed where :func:`escape` added one."""
    return text[1:] if text[:1] == "'" and _ESCAPED.match(text, 1) else text


def text_cell(cell, text: str):
    """Give an openpyxl cell (normal or write-only) ``text`` as a string, never a formula;
    the cell."""
    cell.value = text
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True
    return cell
