"""reports cells: a wrapping cell is broken into lines exactly as its paragraph would be."""

from __future__ import annotations

import pytest
from reportlab.platypus import Paragraph

from reports.cells import body_cell, broken, cell_height, fits
from reports.styles import CELL_LEADING, CELL_PAD_Y, CELL_SIZE, markup, style


def paragraph_lines(text: str, room: float, align: str) -> list[str]:
    """The lines ReportLab's paragraph of a body cell breaks `text` into at `room` points."""
    paragraph = Paragraph(markup(text), style(CELL_SIZE, CELL_LEADING, align, cjk=False))
    paragraph.wrap(room, 1e9)
    found = paragraph.blPara
    if found.kind == 0:
        return [" ".join(words) for _space, words in found.lines]
    return ["".join(getattr(w, "text", "") for w in line.words).strip() for line in found.lines]


@pytest.mark.parametrize(("text", "room", "align"), [
    ("深圳市嘉德新材料股份有限公司", 80.0, "left"),
    ("N0160001 精细化工生产基地扩产项目二期 with a long English tail", 70.0, "left"),
    ("GJZY-2016-16 深圳—重庆产业转移合作协议（第二期）", 90.0, "left"),
    ("迁入\nentered", 40.0, "left"),
    ("在建\nImplementation", 50.0, "left"),
    ("第一行很长很长很长很长很长很长很长\n第 2 版 / version 2", 60.0, "left"),
    ("TAX_LOCAL_REVENUE_SHARED_WITH_THE_SOURCE", 45.0, "left"),
    ("1,234,567,890.12 元 and more words here", 50.0, "right"),
    ("  spaces   inside  and around  ", 40.0, "left"),
])
def test_broken_lines_are_the_paragraphs_lines(text, room, align):
    lines = broken(text, room, align)
    assert not fits(text, room) and lines is not None
    assert lines.split("\n") == paragraph_lines(text, room, align)
    assert body_cell(text, room, align) == lines
    # the row is as high as the paragraph would have made it
    paragraph = Paragraph(markup(text), style(CELL_SIZE, CELL_LEADING, align, cjk=False))
    assert cell_height([lines], [room]) == paragraph.wrap(room, 1e9)[1] + 2 * CELL_PAD_Y


@pytest.mark.parametrize("text", ["עברית שלום עולם ארוך מאוד", "tab\tseparated words here",
                                  "an empty\n\nline between", "trailing newline\n"])
def test_other_text_stays_a_paragraph(text):
    assert broken(text, 30.0, "left") is None
    assert isinstance(body_cell(text, 30.0, "left"), Paragraph)
