"""Layout of the small blocks: cover, key figures, notices and signature blocks."""

from __future__ import annotations

from collections.abc import Iterator

from reportlab.graphics.shapes import Circle, Drawing, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Spacer
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus import Table as RLTable

from reports.document import Cover, Document, KeyFigures, Notice, SignatureBlocks
from reports.fonts import register_fonts
from reports.styles import (
    INFO_EDGE,
    INFO_FILL,
    INK,
    MUTED,
    RULE,
    STRIPE,
    WARNING_EDGE,
    WARNING_FILL,
    bilingual,
    para,
)

COVER_TITLE_SIZES = (24.0, 21.0, 18.0)
"""The Chinese cover title's sizes in points, largest first (leading 4/3 of the size)."""


def cover(block: Cover, document: Document, width: float, height: float
          ) -> Iterator[Flowable]:
    """The cover page: titles, the caller's lines, the dates and the fingerprint; then a break."""
    yield Spacer(1, height * 0.22)
    size = cover_title_size(block.title_zh, width)
    yield para(block.title_zh, size, leading=round(size * 4 / 3, 2), align="center",
               space_after=6)
    yield para(block.title_en, 15, leading=20, align="center", color="muted", space_after=28)
    for line in block.lines:
        yield para(line, 11, align="center", space_after=5)
    yield Spacer(1, 28)
    for line in (document.as_of_label, document.generated_label, document.language_note):
        if line:
            yield para(line, 9, align="center", color="muted", space_after=3)
    yield Spacer(1, 18)
    yield para(f"报告指纹 / Report fingerprint (SHA-256)\n{document.fingerprint}", 7.5,
               align="center", color="muted")
    yield RLPageBreak()


def cover_title_size(title: str, width: float) -> float:
    """The largest of ``COVER_TITLE_SIZES`` at which ``title`` fits on one line of ``width``
    points, so that a long fund's name does not leave one character alone on a second line;
    the largest when none does (the title then wraps over lines that are mostly full)."""
    font = register_fonts()
    for size in COVER_TITLE_SIZES:
        if stringWidth(title, font, size) <= width:
            return size
    return COVER_TITLE_SIZES[0]


def key_figures(block: KeyFigures, width: float, columns: int) -> Flowable:
    """Key figures in a grid: a small bilingual label above a large value in each cell."""
    cells = [
        [para(bilingual(item.label_zh, item.label_en), 7.5, True, color="muted", space_after=2),
         para(item.value, 13, True, leading=16)]
        for item in block.items
    ]
    rows = [cells[i:i + columns] for i in range(0, len(cells), columns)] or [[""]]
    rows[-1] = rows[-1] + [""] * (columns - len(rows[-1]))
    table = RLTable(
        rows,
        colWidths=[width / columns] * columns,
        hAlign="LEFT",
        style=[
            ("BACKGROUND", (0, 0), (-1, -1), STRIPE),
            ("INNERGRID", (0, 0), (-1, -1), 2, colors.white),
            ("BOX", (0, 0), (-1, -1), 2, colors.white),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 7),
            ("RIGHTPADDING", (0, 0), (-1, -1), 7),
            ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ],
    )
    table.spaceAfter = 8
    return table


def notice(block: Notice, width: float) -> Flowable:
    """A boxed notice in the colours of its tone."""
    edge, fill = (WARNING_EDGE, WARNING_FILL) if block.tone == "warning" else (INFO_EDGE, INFO_FILL)
    table = RLTable(
        [[para(block.text, 9.5)]],
        colWidths=[width],
        hAlign="LEFT",
        style=[
            ("BOX", (0, 0), (-1, -1), 1, edge),
            ("LINEBEFORE", (0, 0), (0, -1), 4, edge),
            ("BACKGROUND", (0, 0), (-1, -1), fill),
            ("LEFTPADDING", (0, 0), (-1, -1), 10),
            ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, -1), 6),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
        ],
    )
    table.spaceBefore, table.spaceAfter = 4, 8
    return table


def _seal(size: float = 74) -> Drawing:
    """A dashed circle where the bureau's seal goes."""
    drawing = Drawing(size, size)
    drawing.add(Circle(size / 2, size / 2, size / 2 - 2, strokeColor=RULE, strokeWidth=0.8,
                       strokeDashArray=[3, 2], fillColor=None))
    drawing.add(String(size / 2, size / 2 - 3, "盖章 / Seal", fontName=register_fonts(),
                       fontSize=7.5, fillColor=MUTED, textAnchor="middle"))
    return drawing


def _signature(party: str, fields: tuple[tuple[str, str], ...], width: float
               ) -> list[Flowable]:
    """One party's block: name, a line per field (with its value, if any), seal area."""
    lines = RLTable(
        [[para(label, 8.5, color="muted"), para(value, 9) if value else ""]
         for label, value in fields],
        colWidths=[112, width - 112 - 24],
        rowHeights=[30] * len(fields),
        hAlign="LEFT",
        style=[
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("LINEBELOW", (1, 0), (1, -1), 0.6, INK),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ],
    )
    return [para(party, 10.5, True, space_after=4), lines, Spacer(1, 10), _seal()]


def signatures(block: SignatureBlocks, width: float) -> Flowable:
    """Signature blocks two to a row (a row is never split across pages)."""
    half = width / 2
    cells = [_signature(party, block.fields, half) for party in block.parties]
    rows = [cells[i:i + 2] for i in range(0, len(cells), 2)] or [[""]]
    rows[-1] = rows[-1] + [""] * (2 - len(rows[-1]))
    table = RLTable(
        rows,
        colWidths=[half, half],
        hAlign="LEFT",
        style=[
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 12),
            ("TOPPADDING", (0, 0), (-1, -1), 10),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 10),
        ],
    )
    table.spaceBefore = 10
    return table
