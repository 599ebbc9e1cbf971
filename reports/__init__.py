"""The PDF layer: plain document dataclasses in, deterministic PDF bytes out (ReportLab only)."""

from reports.document import (
    BarChart,
    Block,
    Column,
    Cover,
    Document,
    Heading,
    KeyFigure,
    KeyFigures,
    LineChart,
    Notice,
    PageBreak,
    Paragraph,
    Series,
    SignatureBlocks,
    Table,
)
from reports.render import render
from reports.styles import bilingual
from reports.verify import fingerprint_of, read_fingerprint

__all__ = [
    "BarChart",
    "Block",
    "Column",
    "Cover",
    "Document",
    "Heading",
    "KeyFigure",
    "KeyFigures",
    "LineChart",
    "Notice",
    "PageBreak",
    "Paragraph",
    "Series",
    "SignatureBlocks",
    "Table",
    "bilingual",
    "fingerprint_of",
    "read_fingerprint",
    "render",
]
