"""Text in any script: right-to-left shaping, and runs split by the font that has each glyph.

The report font (WenQuanYi) has Latin, Latin-1 and Chinese; a second vendored face (a DejaVu
Sans subset) has Latin Extended, Greek, Cyrillic, Hebrew, Arabic (with its presentation forms,
which the reshaper emits), symbols and the common emoticons. Text is first put in visual order
(Arabic reshaped, right-to-left runs reversed, per line, paragraph direction left-to-right);
then each character goes to the first font that has it. A character neither font has prints as
"[?]"; invisible format characters (variation selectors, joiners) that no font has are dropped.
Nothing ever prints as an empty box or extracts as NUL.

The common path (all characters in the report font) costs one set comparison and returns the
text unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfmetrics import stringWidth

from reports import fonts

MISSING = "[?]"
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def covered(text: str) -> bool:
    """Whether the report font alone draws every character of `text` (newlines aside)."""
    if text.isascii() and text.isprintable():
        return True
    return fonts.primary_chars().issuperset(text.replace("\n", ""))


def _visual_line(line: str) -> str:
    """One line in visual order: NFC, Arabic joined into presentation forms, RTL runs reversed."""
    line = unicodedata.normalize("NFC", line)
    if not _RTL.search(line):
        return line
    import arabic_reshaper  # imported only when right-to-left text occurs
    from bidi import get_display

    return get_display(arabic_reshaper.reshape(line), base_dir="L")


@lru_cache(maxsize=4096)
def runs(text: str) -> tuple[tuple[str, str], ...]:
    """`text` as (font name, visual text) runs; newlines are kept inside the runs."""
    primary, fallback = fonts.register_fonts(), fonts.FALLBACK
    if covered(text):
        return ((primary, text),)
    has_primary, has_fallback = fonts.primary_chars(), fonts.fallback_chars()
    out: list[tuple[str, str]] = []

    def add(font: str, chars: str) -> None:
        if out and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + chars)
        else:
            out.append((font, chars))

    visual = "\n".join(_visual_line(line) for line in text.split("\n"))
    for char in visual:
        if char == "\n" or char in has_primary:
            add(primary, char)
        elif char in has_fallback:
            add(fallback, char)
        elif unicodedata.category(char) in ("Cf", "Mn"):
            continue
        else:
            add(primary, " " if char == "\t" else MISSING)
    return tuple(out)


def visual(text: str) -> str:
    """The text as it prints (visual order, replacements made), in one string."""
    return "".join(chars for _, chars in runs(text))


def markup(text: str) -> str:
    """Paragraph markup of user text: escaped, fallback runs in <font name=…>, newlines <br/>."""
    if covered(text):
        return escape(text).replace("\n", "<br/>")
    parts = []
    for font, chars in runs(text):
        piece = escape(chars).replace("\n", "<br/>")
        parts.append(piece if font != fonts.FALLBACK else f'<font name="{font}">{piece}</font>')
    return "".join(parts)


def width(text: str, size: float) -> float:
    """The printed width of `text` in points at `size`, each run in its own font."""
    if covered(text):
        return stringWidth(text, fonts.register_fonts(), size)
    return sum(stringWidth(chars, font, size) for font, chars in runs(text))


def single_font(text: str) -> str:
    """`text` for places that draw in the report font only (chart labels): visual order, and
    "[?]" for each character the report font lacks."""
    if covered(text):
        return text
    has_primary = fonts.primary_chars()
    return "".join(c if c in has_primary or c == "\n" else MISSING for c in visual(text))


def draw(canvas, x: float, y: float, text: str, size: float, align: str = "left") -> None:
    """Draw one line of `text` on a canvas at (x, y), each run in its font; the canvas's
    font is the report font at `size` before and after."""
    primary = fonts.register_fonts()
    if covered(text):
        if align == "right":
            canvas.drawRightString(x, y, text)
        else:
            canvas.drawString(x, y, text)
        return
    if align == "right":
        x -= width(text, size)
    out = canvas.beginText(x, y)
    for font, chars in runs(text):
        out.setFont(font, size)
        out.textOut(chars)
    canvas.drawText(out)
    canvas.setFont(primary, size)
