"""render(document) -> PDF bytes: the blocks laid out with ReportLab platypus, deterministically."""

from __future__ import annotations

import io
from collections.abc import Iterator
from functools import partial

from reportlab.lib import pagesizes
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Flowable, Frame, PageTemplate, Spacer
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus import Paragraph as RLParagraph

from reports import blocks as layout
from reports.charts import chart_flowable
from reports.document import (
    BarChart,
    Block,
    Cover,
    Document,
    Heading,
    KeyFigures,
    LineChart,
    Notice,
    PageBreak,
    Paragraph,
    SignatureBlocks,
    Table,
)
from reports.fonts import register_fonts
from reports.pages import MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X, Furniture, NumberedCanvas
from reports.styles import bilingual, markup, para, style
from reports.tables import table_flowables

CREATOR = "transfer-ledger reports"
_HEADING_SIZES = {1: 14.0, 2: 11.5, 3: 10.0}


class _Heading(RLParagraph):
    """A heading paragraph that also leaves a bookmark and an outline entry where it lands."""

    def __init__(self, text: str, level: int, outline_level: int | None, key: str) -> None:
        """A heading of `level`; outline_level None means no outline entry."""
        size = _HEADING_SIZES[level]
        spacing = {1: 12.0, 2: 9.0, 3: 6.0}[level]
        super().__init__(markup(text), style(size, color="accent", space_before=spacing,
                                             space_after=4))
        self._title, self._outline_level, self._key = text, outline_level, key

    def draw(self) -> None:
        """Draw, then mark the spot for the PDF outline."""
        super().draw()
        if self._outline_level is not None:
            self.canv.bookmarkHorizontal(self._key, 0, self.height)
            self.canv.addOutlineEntry(self._title, self._key, level=self._outline_level)


_LEADS = (Heading, Notice, Paragraph)  # what may stand between a heading and its content


def _height(flowables: list[Flowable], width: float, height: float) -> float:
    """The height the flowables take in a frame `width` wide, their spacing included."""
    total = 0.0
    for flowable in flowables:
        total += flowable.wrap(width, height)[1]
        total += flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def _start(flowables: list[Flowable], width: float, height: float) -> float:
    """How much of a block must fit below its heading: a table's first rows, a chart or a
    small block whole."""
    if not flowables:
        return 0.0
    first = flowables[0]
    if isinstance(first, CondPageBreak):  # a table: its caption, header and first rows
        return first.height
    return _height(flowables[:1], width, height)


def _story(document: Document, width: float, height: float) -> Iterator[Flowable]:
    """Flowables for every block, in order; a heading, with the notes and paragraphs right under
    it, moves to the next page unless the start of what they introduce fits below them."""
    parts = list(_parts(document, width, height))
    index = 0
    while index < len(parts):
        block, flowables = parts[index]
        if not isinstance(block, Heading):
            yield from flowables
            index += 1
            continue
        group = list(flowables)
        index += 1
        while index < len(parts) and isinstance(parts[index][0], _LEADS):
            group += parts[index][1]
            index += 1
        following = parts[index][1] if index < len(parts) else []
        need = _height(group, width, height) + _start(following, width, height)
        yield CondPageBreak(min(need, height * 0.9))
        yield from group


def _parts(document: Document, width: float, height: float) -> Iterator[tuple[Block, list]]:
    """Each block with its flowables, in order."""
    outline = -1
    for index, block in enumerate(document.blocks):
        if isinstance(block, Cover):
            yield block, list(layout.cover(block, document, width, height))
        elif isinstance(block, Heading):
            level = min(block.level - 1, outline + 1) if block.level < 3 else None
            outline = outline if level is None else level
            text = bilingual(block.text_zh, block.text_en)
            yield block, [_Heading(text, block.level, level, f"h{index}")]
        elif isinstance(block, Paragraph):
            yield block, [para(block.text, 9.5, space_after=5)]
        elif isinstance(block, KeyFigures):
            yield block, [layout.key_figures(block, width,
                                             columns=4 if document.landscape else 3)]
        elif isinstance(block, Table):
            yield block, [*table_flowables(block, width, height), Spacer(1, 8)]
        elif isinstance(block, LineChart | BarChart):
            yield block, list(chart_flowable(block, width))
        elif isinstance(block, SignatureBlocks):
            yield block, [layout.signatures(block, width)]
        elif isinstance(block, Notice):
            yield block, [layout.notice(block, width)]
        elif isinstance(block, PageBreak):
            yield block, [RLPageBreak()]
        else:
            raise TypeError(f"not a report block: {type(block).__name__}")


def render(document: Document) -> bytes:
    """The document as PDF bytes; the same document always gives the same bytes."""
    register_fonts()
    size = getattr(pagesizes, document.page_size)
    size = pagesizes.landscape(size) if document.landscape else pagesizes.portrait(size)
    buffer = io.BytesIO()
    template = BaseDocTemplate(
        buffer,
        pagesize=size,
        title=document.title,
        subject=document.subject,
        author=document.author,
        creator=CREATOR,
        keywords=f"fingerprint sha256:{document.fingerprint}",
        invariant=1,
        pageCompression=1,
    )
    width, height = size[0] - 2 * MARGIN_X, size[1] - MARGIN_TOP - MARGIN_BOTTOM
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, width, height, id="body", leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    template.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    story = list(_story(document, width, height)) or [Spacer(1, 1)]
    furniture = Furniture(document.title, document.as_of_label, document.generated_label,
                          document.language_note, document.fingerprint)
    template.build(story, canvasmaker=partial(NumberedCanvas, furniture=furniture))
    return buffer.getvalue()
