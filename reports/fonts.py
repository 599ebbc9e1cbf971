"""The vendored CJK TrueType font, registered with ReportLab once per process."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

FONT = "TLSans"  # WenQuanYi Micro Hei subset: Latin, punctuation and GBK hanzi in one face
FONT_FILE = Path(__file__).with_name("fonts") / "WenQuanYiMicroHei-subset.ttf"
FALLBACK = "TLSansX"  # DejaVu Sans subset: other scripts (Hebrew, Arabic, Cyrillic…) and emoji
FALLBACK_FILE = Path(__file__).with_name("fonts") / "DejaVuSans-subset.ttf"
_CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
_lock = threading.Lock()
_registered = False
_max_advance = 1.0
_max_ascii_advance = 1.0
_primary_chars: frozenset[str] = frozenset()
_fallback_chars: frozenset[str] = frozenset()


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ReportLab's ToUnicode CMap, with characters beyond the BMP (emoji) written as UTF-16
    surrogate pairs as the PDF specification requires (ReportLab writes "<1F600>", which text
    extraction cannot read)."""
    cmap = _reportlab_to_unicode_cmap(fontname, subset)
    for code in subset:
        if code > 0xFFFF:
            pair = chr(code).encode("utf-16-be").hex().upper()
            cmap = cmap.replace(f"> <{code:04X}>", f"> <{pair}>")
    return cmap


_reportlab_to_unicode_cmap = ttfonts.makeToUnicodeCMap
ttfonts.makeToUnicodeCMap = _to_unicode_cmap


def register_fonts() -> str:
    """Register the fonts (each mapping its bold/italic to itself) once; return the main one."""
    global _registered, _max_advance, _max_ascii_advance, _primary_chars, _fallback_chars
    if _registered:
        return FONT
    with _lock:
        if not _registered:
            font = TTFont(FONT, str(FONT_FILE))
            fallback = TTFont(FALLBACK, str(FALLBACK_FILE))
            for name, face in ((FONT, font), (FALLBACK, fallback)):
                pdfmetrics.registerFont(face)
                for bold in (0, 1):
                    for italic in (0, 1):
                        addMapping(name, bold, italic, name)
            _primary_chars = _printable(font)
            _fallback_chars = _printable(fallback)
            widths = font.face.charWidths
            _max_advance = max(max(widths.values()), font.face.defaultWidth) / 1000
            _max_ascii_advance = max(widths.get(c, 1000) for c in range(32, 127)) / 1000
            _registered = True
    return FONT


def _printable(font: TTFont) -> frozenset[str]:
    """The characters a font has a glyph for (controls and the .notdef glyph excluded)."""
    return frozenset(
        chr(code) for code, glyph in font.face.charToGlyph.items() if glyph and code >= 32
    )


def primary_chars() -> frozenset[str]:
    """The characters the main report font draws."""
    register_fonts()
    return _primary_chars


def fallback_chars() -> frozenset[str]:
    """The characters the fallback font draws (some also in the main font)."""
    register_fonts()
    return _fallback_chars


def max_advance(text: str) -> float:
    """An upper bound of one character's advance in `text`, as a fraction of the font size."""
    register_fonts()
    return _max_ascii_advance if text.isascii() else _max_advance


def has_cjk(text: str) -> bool:
    """Whether `text` holds CJK characters (and so wraps between any two characters)."""
    return _CJK.search(text) is not None
