"""Table cells: plain strings when they fit one line (fast), paragraphs when they must wrap."""

from __future__ import annotations

import re
from functools import cache

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph
from reportlab.platypus.paraparser import ParaFrag
from reportlab.platypus.tables import CellStyle

from reports.fonts import max_advance, register_fonts
from reports.scripts import covered
from reports.styles import CELL_LEADING, CELL_PAD_X, CELL_PAD_Y, CELL_SIZE, INK, markup, style

Cell = str | Flowable
_PLAIN = re.compile(r"[^\s]*(?:[ \n][^\s]*)*")  # no white space but spaces and newlines


class BoldText(Flowable):
    """One line drawn fill-and-stroke: a bold look for a font that has no bold face."""

    def __init__(self, text: str, size: float = CELL_SIZE) -> None:
        """Keep the text and its size."""
        super().__init__()
        self.text, self.size = text, size

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """The width of the string and one line's leading."""
        self.width = stringWidth(self.text, register_fonts(), self.size) + 0.3
        self.height = self.size * CELL_LEADING / CELL_SIZE
        return self.width, self.height

    def draw(self) -> None:
        """Draw the text with text render mode 2 (fill, then stroke the outline)."""
        canv = self.canv
        canv.setFillColor(INK)
        canv.setStrokeColor(INK)
        canv.setLineWidth(self.size * 0.04)
        text = canv.beginText(0.15, self.height - self.size * 0.98)
        text.setFont(register_fonts(), self.size, self.height)
        text.setTextRenderMode(2)
        text.textOut(self.text)
        canv.drawText(text)


def fits(text: str, room: float) -> bool:
    """Whether `text` fits on one line `room` points wide (a cheap bound first); text that
    needs the fallback font never does (it is set as a paragraph with font runs)."""
    if "\n" in text or not covered(text):
        return False
    if len(text) * max_advance(text) * CELL_SIZE <= room:
        return True
    return stringWidth(text, register_fonts(), CELL_SIZE) <= room


def body_cell(text: str, room: float, align: str) -> Cell:
    """A body cell: the string itself if it fits, else its lines as the paragraph below would
    break them (see :func:`broken`), else a paragraph that wraps."""
    if fits(text, room):
        return text
    lines = broken(text, room, align)
    if lines is not None:
        return lines
    # Wrap at spaces and split over-long runs, Chinese ones included: CJK-style wrapping would
    # cut Latin words ("TAX_LOCA|L") in narrow columns.
    return Paragraph(markup(text), _cell_style(align))


def _cell_style(align: str):
    """The paragraph style of a wrapping body cell."""
    return style(CELL_SIZE, CELL_LEADING, align, cjk=False)


@cache
def _frag(align: str) -> ParaFrag:
    """The fragment ReportLab's parser makes of a plain text in a body cell's style."""
    return Paragraph("x", _cell_style(align)).frags[0]


def broken(text: str, room: float, align: str) -> str | None:
    """`text` broken into lines `room` points wide exactly as a body cell's paragraph breaks
    each of its lines (ReportLab's own line breaking: at spaces, over-long runs split), joined
    by newlines, or None where the fast path does not apply (text in the fallback font, other
    white space than spaces, an empty line).

    A table draws such a string line by line at the same places as the paragraph (first
    baseline the font size below the top padding, then one leading per line, aligned alike),
    without parsing markup or laying the paragraph out twice: long reports have tens of
    thousands of such cells."""
    if not covered(text) or not _PLAIN.fullmatch(text):
        return None
    out: list[str] = []
    for line in text.split("\n"):
        words = line.split(" ")
        clean = " ".join(w for w in words if w)
        if not clean:
            return None
        paragraph = Paragraph("", _cell_style(align), frags=[_frag(align).clone(text=clean)])
        out += (" ".join(words) for _space, words in paragraph.breakLines([room, room]).lines)
    return "\n".join(out)


def header_cell(zh: str, en: str, room: float, align: str) -> Cell:
    """A header label "中文 / English": one line, or Chinese over English, or a paragraph."""
    label = " / ".join(dict.fromkeys(part for part in (zh, en) if part))
    if fits(label, room):
        return label
    if zh and en and zh != en and fits(f"{zh} /", room) and fits(en, room):
        return f"{zh} /\n{en}"
    return body_cell(label, room, align)


def total_cell(text: str, room: float, align: str) -> Cell:
    """A total-row cell: bold when it fits on one line."""
    return BoldText(text) if fits(text, room) else body_cell(text, room, align)


def cell_height(row: list[Cell], rooms: list[float]) -> float:
    """The height of a row as ReportLab's Table computes it (lines or wrapped flowables)."""
    height = CELL_LEADING
    for value, room in zip(row, rooms, strict=True):
        if isinstance(value, str):
            lines = value.count("\n") + 1
            height = max(height, lines * CELL_LEADING)
        else:
            height = max(height, value.wrap(room, 1e9)[1])
    return height + 2 * CELL_PAD_Y


def cell_style(align: str, valign: str) -> CellStyle:
    """The style of one column's cells: font, padding and alignment."""
    cell = CellStyle(f"{align}-{valign}")
    cell.fontname, cell.fontsize, cell.leading = register_fonts(), CELL_SIZE, CELL_LEADING
    cell.leftPadding = cell.rightPadding = CELL_PAD_X
    cell.topPadding = cell.bottomPadding = CELL_PAD_Y
    cell.color, cell.alignment, cell.valign = INK, align.upper(), valign
    return cell
