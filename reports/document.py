"""The document model: frozen dataclasses of plain values that `render` turns into a PDF.

Amounts reach this layer already formatted: every table cell, key figure and label is a ``str``
made by the caller (who applies the display rounding of ``sharing.md`` so that totals foot as
printed). Only chart values are numbers (``Decimal``, drawn as floats), because they are plotted.
Dates are data too: ``as_of_label`` and ``generated_label`` are strings, never the wall clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, NamedTuple

Align = Literal["left", "right", "center"]
Tone = Literal["info", "warning"]
PAGE_SIZES = ("A4", "A3", "LETTER")
ALIGNS = ("left", "right", "center")
_FINGERPRINT = re.compile(r"[0-9a-f]{64}")


def _require(condition: bool, message: str) -> None:
    """Raise ValueError with `message` unless `condition` holds."""
    if not condition:
        raise ValueError(message)


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: bilingual label, alignment of its cells and relative width."""

    label_zh: str
    label_en: str
    align: Align = "left"
    width_weight: float = 1.0

    def __post_init__(self) -> None:
        """Check the alignment and the weight."""
        _require(self.align in ALIGNS, f"align must be one of {ALIGNS}, not {self.align!r}")
        _require(self.width_weight > 0, "width_weight must be positive")


class KeyFigure(NamedTuple):
    """One key figure: bilingual label and its value, already formatted."""

    label_zh: str
    label_en: str
    value: str


class Series(NamedTuple):
    """One chart series: its name and one value per category (None = no observation)."""

    name: str
    values: tuple[Decimal | None, ...]


@dataclass(frozen=True, slots=True)
class Cover:
    """The cover page: titles, then free lines (fund, period, parties); a page break follows."""

    title_zh: str
    title_en: str
    lines: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Heading:
    """A section heading printed "中文 / English"; levels 1 and 2 also become PDF bookmarks."""

    text_zh: str
    text_en: str
    level: int = 1

    def __post_init__(self) -> None:
        """Check the level."""
        _require(self.level in (1, 2, 3), "level must be 1, 2 or 3")


@dataclass(frozen=True, slots=True)
class Paragraph:
    """Body text; printed literally (no markup), newlines kept."""

    text: str


@dataclass(frozen=True, slots=True)
class KeyFigures:
    """A grid of labelled key figures."""

    items: tuple[KeyFigure, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A table of preformatted string cells; long tables split across pages, header repeated."""

    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    total_row: tuple[str, ...] | None = None
    caption: str | None = None
    note: str | None = None
    highlight_rows: frozenset[int] = field(default_factory=frozenset)
    row_fills: tuple[tuple[int, str], ...] = ()
    """Rows filled with a colour of their own: (row index, "#rrggbb"), e.g. a catalogue flag's
    colour (always beside its words in a cell: the colour never carries meaning alone)."""

    def __post_init__(self) -> None:
        """Check that every row has one string per column and highlights name real rows."""
        width = len(self.columns)
        _require(width > 0, "a table needs at least one column")
        for number, row in enumerate(self.rows):
            _require(len(row) == width, f"row {number} has {len(row)} cells, expected {width}")
            _require(all(type(cell) is str for cell in row), f"row {number}: cells must be str")
        if self.total_row is not None:
            _require(len(self.total_row) == width, f"total_row must have {width} cells")
            _require(all(type(c) is str for c in self.total_row), "total_row cells must be str")
        _require(
            all(0 <= i < len(self.rows) for i in self.highlight_rows),
            "highlight_rows must be indexes of rows",
        )
        for index, colour in self.row_fills:
            _require(0 <= index < len(self.rows), "row_fills must name indexes of rows")
            _require(len(colour) == 7 and colour[0] == "#"
                     and all(c in "0123456789abcdefABCDEF" for c in colour[1:]),
                     f"row_fills colour {colour!r} is not #rrggbb")


def _check_series(series: tuple[Series, ...], count: int, what: str) -> None:
    """Check that each series has one value per category."""
    for one in series:
        _require(len(one.values) == count, f"series {one.name!r} needs {count} values ({what})")


@dataclass(frozen=True, slots=True)
class LineChart:
    """A line chart over categorical x labels (quarters), values in `unit_label`."""

    title: str
    unit_label: str
    x_labels: tuple[str, ...]
    series: tuple[Series, ...]

    def __post_init__(self) -> None:
        """Check series lengths."""
        _check_series(self.series, len(self.x_labels), "x_labels")


@dataclass(frozen=True, slots=True)
class BarChart:
    """A grouped vertical bar chart, values in `unit_label`."""

    title: str
    unit_label: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]

    def __post_init__(self) -> None:
        """Check series lengths."""
        _check_series(self.series, len(self.categories), "categories")


@dataclass(frozen=True, slots=True)
class SignatureBlocks:
    """One signature block per party: its name, a line per field (label and a value printed on
    the line, "" for a blank to fill in by hand) and a seal area."""

    parties: tuple[str, ...]
    fields: tuple[tuple[str, str], ...] = (("签字 / Signature", ""), ("日期 / Date", ""))


@dataclass(frozen=True, slots=True)
class Notice:
    """A boxed notice, e.g. "仅用于考核，不对外公布 / for assessment only, not for publication"."""

    text: str
    tone: Tone = "warning"

    def __post_init__(self) -> None:
        """Check the tone."""
        _require(self.tone in ("info", "warning"), "tone must be 'info' or 'warning'")


@dataclass(frozen=True, slots=True)
class PageBreak:
    """Start a new page."""


Block = (
    Cover | Heading | Paragraph | KeyFigures | Table | LineChart | BarChart | SignatureBlocks
    | Notice | PageBreak
)


@dataclass(frozen=True, slots=True)
class Document:
    """A whole report: metadata, the labels of its dates, its data fingerprint and its blocks."""

    title: str
    subject: str
    author: str
    language_note: str
    as_of_label: str
    generated_label: str
    fingerprint: str
    blocks: tuple[Block, ...]
    page_size: str = "A4"
    landscape: bool = False

    def __post_init__(self) -> None:
        """Check the page size and that the fingerprint is a lowercase SHA-256 hex digest."""
        _require(self.page_size in PAGE_SIZES, f"page_size must be one of {PAGE_SIZES}")
        _require(
            _FINGERPRINT.fullmatch(self.fingerprint) is not None,
            "fingerprint must be 64 lowercase hex digits (SHA-256)",
        )
