"""Long tables: a flowable that lays out one page-sized ReportLab table at a time.

One giant ``Table`` is slow (every split re-measures the rest) and fixed chunks repeat the header
mid-page. Here each page gets exactly the rows that fit, measured once, with the header on top:
the cost is linear in the rows, no row is cut, and a row taller than a page is split inside.
The last page of a table carries at least ``TAIL_ROWS`` body rows with its total (never a header
and a total alone), and a continued page repeats the caption with "（续）/ (continued)".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable
from reportlab.platypus import Table as RLTable

from reports.cells import (
    Cell,
    body_cell,
    cell_height,
    cell_style,
    fits,
    header_cell,
    total_cell,
)
from reports.document import Table
from reports.fonts import register_fonts
from reports.styles import (
    CELL_LEADING,
    CELL_PAD_X,
    CELL_PAD_Y,
    CELL_SIZE,
    HEADER_FILL,
    HIGHLIGHT,
    INK,
    STRIPE,
    TOTAL_FILL,
    para,
)

TAIL_ROWS = 3  # body rows kept with the total row on a table's last page
CONTINUED = "（续）/ (continued)"


@dataclass
class TablePlan:
    """What every page of one table shares: widths, header, styles, converted rows, heights."""

    table: Table
    widths: list[float]
    frame_height: float
    _rows: dict[int, tuple[list[Cell], float]] = field(default_factory=dict)
    _strings: dict[tuple[str, int], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Convert the header and total row; build the cell styles shared by every row."""
        columns = self.table.columns
        self.rooms = [w - 2 * CELL_PAD_X for w in self.widths]
        self.aligns = [c.align for c in columns]
        self.header = [
            header_cell(c.label_zh, c.label_en, room, c.align)
            for c, room in zip(columns, self.rooms, strict=True)
        ]
        self.header_height = cell_height(self.header, self.rooms)
        self.total: list[Cell] | None = None
        self.total_height = 0.0
        if self.table.total_row is not None:
            self.total = [
                total_cell(text, room, align)
                for text, room, align in zip(self.table.total_row, self.rooms, self.aligns,
                                             strict=True)
            ]
            self.total_height = cell_height(self.total, self.rooms)
        # Shared cell styles: a style command touching cells costs rows × columns per table.
        self._header_styles = [cell_style(a, "BOTTOM") for a in self.aligns]
        self._body_styles = [cell_style(a, "TOP") for a in self.aligns]
        self.continued_height = 0.0
        if self.table.caption:
            self.continued_height = self.continued().wrap(sum(self.widths), 1e9)[1] + 3
        self.base_style = [
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
            ("LINEBELOW", (0, -1), (-1, -1), 0.8, INK),
        ]

    @property
    def count(self) -> int:
        """The number of body rows."""
        return len(self.table.rows)

    def styles_for(self, rows: int) -> list[list]:
        """Cell styles of a table of the header and `rows` more rows."""
        return [self._header_styles, *([self._body_styles] * rows)]

    def row(self, index: int) -> tuple[list[Cell], float]:
        """Body row `index` as cells and its height, converted once."""
        known = self._rows.get(index)
        if known is None:
            cells = [self._body(text, column)
                     for column, text in enumerate(self.table.rows[index])]
            if len(cells) != len(self.rooms):
                raise ValueError(f"row {index} has {len(cells)} cells, not {len(self.rooms)}")
            known = self._rows[index] = (cells, cell_height(cells, self.rooms))
        return known

    def _body(self, text: str, column: int) -> Cell:
        """A body cell of `column`; a text seen before in the column gives the same string (long
        tables repeat names and words: measuring and breaking each once is enough)."""
        key = (text, column)
        cell = self._strings.get(key)
        if cell is None:
            cell = body_cell(text, self.rooms[column], self.aligns[column])
            if isinstance(cell, str):  # a paragraph is a flowable of its own cell only
                self._strings[key] = cell
        return cell

    def forget(self, before: int) -> None:
        """Drop converted rows before `before`: they are laid out on earlier pages."""
        for index in [i for i in self._rows if i < before]:
            del self._rows[index]

    def continued(self) -> Flowable | None:
        """A new caption paragraph "caption（续）/ (continued)" (None without a caption)."""
        if not self.table.caption:
            return None
        return para(f"{self.table.caption} {CONTINUED}", 9, color="accent", space_after=3)

    def caption_height(self, start: int) -> float:
        """The height of the "continued" caption printed above rows from `start` (0 at 0)."""
        return self.continued_height if start else 0.0

    def fit(self, start: int, space: float) -> tuple[int, bool, float]:
        """How many rows from `start` fit in `space`, whether the total row fits too, height
        (the continued caption included)."""
        used = self.header_height + self.caption_height(start)
        index = start
        while index < self.count:
            height = self.row(index)[1]
            if used + height > space:
                return index - start, False, used + height
            used += height
            index += 1
        if self.total is None:
            return index - start, True, used
        if used + self.total_height > space:
            return index - start, False, used + self.total_height
        return index - start, True, used + self.total_height

    def slice(self, start: int, end: int, with_total: bool, measured: bool = True,
              in_row: bool = False) -> RLTable:
        """A ReportLab table of the header, rows start..end-1 and maybe the total row."""
        rows = [self.row(i) for i in range(start, end)]
        data = [self.header, *(cells for cells, _ in rows)]
        heights = [self.header_height, *(height for _, height in rows)]
        commands = list(self.base_style)
        stripes = [STRIPE, colors.white] if start % 2 == 0 else [colors.white, STRIPE]
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), stripes))
        for index in sorted(i for i in self.table.highlight_rows if start <= i < end):
            line = index - start + 1
            commands.append(("BACKGROUND", (0, line), (-1, line), HIGHLIGHT))
        for index, colour in self.table.row_fills:
            if start <= index < end:
                line = index - start + 1
                commands.append(("BACKGROUND", (0, line), (-1, line), colors.HexColor(colour)))
        if with_total and self.total is not None:
            data.append(self.total)
            heights.append(self.total_height)
            commands.append(("BACKGROUND", (0, -1), (-1, -1), TOTAL_FILL))
            commands.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, INK))
        return RLTable(
            data, colWidths=self.widths, rowHeights=heights if measured else None,
            style=commands, repeatRows=1, hAlign="LEFT", splitByRow=1, splitInRow=int(in_row),
            cellStyles=self.styles_for(len(data) - 1),
        )


class PagedTable(Flowable):
    """The rows from `start` on: each page gets a table of the header and the rows that fit."""

    def __init__(self, plan: TablePlan, start: int = 0) -> None:
        """Lay out `plan`'s rows from `start`."""
        super().__init__()
        self.plan, self.start = plan, start
        self._fit: tuple[float, int, bool] | None = None
        self._table: RLTable | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """The whole rest if it fits; else a height just over the space, so the frame splits."""
        count, complete, height = self.plan.fit(self.start, availHeight)
        self._fit = (availHeight, count, complete)
        self.width, self.height = sum(self.plan.widths), height
        return self.width, height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        """The rows that fit here in a table, then the rest as a new PagedTable."""
        plan = self.plan
        if self._fit is None or self._fit[0] != availHeight:
            self.wrap(availWidth, availHeight)
        _, count, complete = self._fit
        end = self.start + count
        caption = [plan.continued()] if self.start and plan.table.caption else []
        if complete:
            return [*caption, plan.slice(self.start, end, with_total=True)]
        if count:
            # Leave a tail of TAIL_ROWS rows (or all of this page's, if fewer) for the total.
            tail = min(TAIL_ROWS, plan.count - self.start)
            if plan.count - end < tail:
                kept = max(self.start, plan.count - tail)
                if kept > self.start:
                    end = kept
                elif availHeight < plan.frame_height - 1:
                    return []  # the few rows left go to the next page whole, with the total
            plan.forget(self.start)
            return [*caption, plan.slice(self.start, end, with_total=False),
                    PagedTable(plan, end)]
        if end == plan.count or availHeight < plan.frame_height / 3:
            return []  # not even one row (or the total) here: the next page will do
        row_height = plan.row(self.start)[1]
        if plan.header_height + row_height <= plan.frame_height:
            return []
        # A row taller than a whole page: split inside it, the one case where a row is cut.
        last = end + 1 == plan.count
        table = plan.slice(self.start, end + 1, with_total=last, measured=False, in_row=True)
        parts = table.split(availWidth, availHeight)
        return parts + ([PagedTable(plan, end + 1)] if parts and not last else [])

    def draw(self) -> None:
        """Draw the whole rest (wrap found that it fits)."""
        _, count, _ = self._fit
        table = self.plan.slice(self.start, self.start + count, with_total=True)
        _, table_height = table.wrapOn(self.canv, self.width, self.height)
        table.drawOn(self.canv, 0, 0)
        caption = self.plan.continued() if self.start else None
        if caption is not None:
            caption.wrapOn(self.canv, self.width, self.height)
            caption.drawOn(self.canv, 0, table_height + 3)


_NUMERIC = re.compile(r"[-+−]?[\d,.]+\s*(%|×)?|—")


def column_widths(table: Table, frame_width: float) -> list[float]:
    """Widths by the columns' weights, then widened so that every number (a cell such as
    "26,469,024,784.11", "3.06 %" or "1.08×") fits on one line: the room is taken from the
    columns that have more than their own numbers need, in proportion to what they can spare."""
    weights = [c.width_weight for c in table.columns]
    widths = [frame_width * w / sum(weights) for w in weights]
    needs = [0.0] * len(widths)
    rows = [*table.rows, *([table.total_row] if table.total_row else [])]
    font = register_fonts()
    # Each column's need is the widest number that does not fit, whatever the order: a text
    # seen before in the column is skipped (long tables repeat names and words).
    seen: list[set[str]] = [set() for _ in widths]
    for row in rows:
        for index, text in enumerate(row):
            if text in seen[index]:
                continue
            seen[index].add(text)
            room = widths[index] - 2 * CELL_PAD_X
            if not text or fits(text, max(room, needs[index])):
                continue
            for word in [text] if _NUMERIC.fullmatch(text) else []:
                if not fits(word, max(room, needs[index])):
                    needs[index] = max(needs[index], stringWidth(word, font, CELL_SIZE) + 1)
    needs = [n + 2 * CELL_PAD_X if n else 0.0 for n in needs]
    short = sum(max(0.0, n - w) for n, w in zip(needs, widths, strict=True))
    if not short:
        return widths
    spare = [max(0.0, w - n) if n < w else 0.0 for n, w in zip(needs, widths, strict=True)]
    total_spare = sum(spare)
    if total_spare <= short:
        return widths  # cannot help: numbers wrap rather than overflow the page
    return [max(n, w - short * sp / total_spare) if n <= w else n
            for n, w, sp in zip(needs, widths, spare, strict=True)]


def table_flowables(table: Table, frame_width: float, frame_height: float) -> list[Flowable]:
    """Caption, the paged table and its note, sized to the frame width."""
    widths = column_widths(table, frame_width)
    plan = TablePlan(table, widths, frame_height)
    # The caption and header stay with a few rows; keepWithNext would instead push a long
    # table to the next page whenever it does not fit whole.
    line = CELL_LEADING + 2 * CELL_PAD_Y
    out: list[Flowable] = [CondPageBreak(18 + plan.header_height + 4 * line)]
    if table.caption:
        out.append(para(table.caption, 9, color="accent", space_before=4, space_after=3))
    if table.rows or table.total_row is not None:
        out.append(PagedTable(plan))
    else:
        empty = [para("无记录 / No rows", CELL_SIZE, True, color="muted")]
        empty += [""] * (len(widths) - 1)
        commands = [*plan.base_style, ("SPAN", (0, 1), (-1, 1))]
        out.append(RLTable([plan.header, empty], colWidths=widths, style=commands, hAlign="LEFT",
                           cellStyles=plan.styles_for(1)))
    if table.note:
        out.append(para(table.note, 8, color="muted", space_before=3))
    return out
