"""Typography and colours of every report, and the escaping of user text into paragraphs."""

from __future__ import annotations

from functools import cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from reports.fonts import has_cjk, register_fonts
from reports.scripts import markup as script_markup

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
ACCENT = colors.HexColor("#1d4e89")
RULE = colors.HexColor("#9aa5b1")
HEADER_FILL = colors.HexColor("#e4ebf3")
STRIPE = colors.HexColor("#f5f7fa")
HIGHLIGHT = colors.HexColor("#fff4ce")
TOTAL_FILL = colors.HexColor("#eef1f5")
WARNING_EDGE = colors.HexColor("#b54708")
WARNING_FILL = colors.HexColor("#fff6ed")
INFO_EDGE = ACCENT
INFO_FILL = colors.HexColor("#eef4fb")
PALETTE = tuple(
    colors.HexColor(c)
    for c in ("#1d4e89", "#e07a1f", "#2a9d8f", "#c03a2b", "#7b5ea7", "#8c6d1f", "#5c7080")
)

CELL_SIZE = 8.0
CELL_LEADING = 10.0
CELL_PAD_X = 3.0
CELL_PAD_Y = 1.5
_ALIGNS = {"left": TA_LEFT, "right": TA_RIGHT, "center": TA_CENTER}


@cache
def style(
    size: float = 9.5,
    leading: float | None = None,
    align: str = "left",
    color: str = "ink",
    cjk: bool = True,
    space_before: float = 0,
    space_after: float = 0,
) -> ParagraphStyle:
    """A paragraph style in the report font (cached: styles are shared, never mutated)."""
    font = register_fonts()
    text_color = {"ink": INK, "muted": MUTED, "accent": ACCENT}[color]
    return ParagraphStyle(
        name=f"r{size}-{leading}-{align}-{color}-{cjk}-{space_before}-{space_after}",
        fontName=font,
        fontSize=size,
        leading=leading if leading is not None else round(size * 1.35, 2),
        alignment=_ALIGNS[align],
        textColor=text_color,
        wordWrap="CJK" if cjk else None,
        spaceBefore=space_before,
        spaceAfter=space_after,
        splitLongWords=1,
    )


def markup(text: str) -> str:
    """User text as paragraph markup: escaped, so it prints literally, with newlines kept;
    characters the report font lacks are set in the fallback font (see reports.scripts)."""
    return script_markup(text)


def para(text: str, size: float = 9.5, narrow: bool = False, **options) -> Paragraph:
    """A paragraph of literal user text: CJK wrapping for prose with Chinese, not when narrow."""
    # CJK wrapping breaks between any two characters, which also cuts Latin words in narrow
    # cells; there, wrapping at spaces and splitting over-long runs reads better.
    return Paragraph(markup(text), style(size, cjk=has_cjk(text) and not narrow, **options))


def bilingual(zh: str, en: str) -> str:
    """A label printed "中文 / English" (once if both halves are the same; either may be empty)."""
    return " / ".join(dict.fromkeys(part for part in (zh, en) if part))
