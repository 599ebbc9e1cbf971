"""The vendored CJK TrueType font, registered with ReportLab once per process."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "TLSans"  # WenQuanYi Micro Hei subset: Latin, punctuation and GBK hanzi in one face
FONT_FILE = Path(__file__).with_name("fonts") / "WenQuanYiMicroHei-subset.ttf"
_CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
_lock = threading.Lock()
_registered = False
_max_advance = 1.0
_max_ascii_advance = 1.0


def register_fonts() -> str:
    """Register the font (and map its bold/italic to itself) once; return its name."""
    global _registered, _max_advance, _max_ascii_advance
    if _registered:
        return FONT
    with _lock:
        if not _registered:
            font = TTFont(FONT, str(FONT_FILE))
            pdfmetrics.registerFont(font)
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(FONT, bold, italic, FONT)
            widths = font.face.charWidths
            _max_advance = max(max(widths.values()), font.face.defaultWidth) / 1000
            _max_ascii_advance = max(widths.get(c, 1000) for c in range(32, 127)) / 1000
            _registered = True
    return FONT


def max_advance(text: str) -> float:
    """An upper bound of one character's advance in `text`, as a fraction of the font size."""
    register_fonts()
    return _max_ascii_advance if text.isascii() else _max_advance


def has_cjk(text: str) -> bool:
    """Whether `text` holds CJK characters (and so wraps between any two characters)."""
    return _CJK.search(text) is not None
