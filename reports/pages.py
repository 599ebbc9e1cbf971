"""Page furniture: a canvas that defers each page to print "page X of Y", header and footer."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.pdfbase.pdfdoc import PDFInfo, PDFString
from reportlab.pdfgen.canvas import Canvas

from reports.fonts import register_fonts
from reports.scripts import draw
from reports.scripts import width as width_of
from reports.styles import INK, MUTED, RULE

MARGIN_X = 48.0
MARGIN_TOP = 54.0
MARGIN_BOTTOM = 54.0


@dataclass(frozen=True, slots=True)
class Furniture:
    """What every page shows around its content."""

    title: str
    as_of_label: str
    generated_label: str
    language_note: str
    fingerprint: str


def clip(text: str, font: str, size: float, width: float) -> str:
    """`text` cut with "…" so that it fits `width` points."""
    if width_of(text, size) <= width:
        return text
    while text and width_of(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def page_label(number: int, total: int) -> str:
    """The page line: "第 X 页 / 共 Y 页 · Page X of Y"."""
    return f"第 {number} 页 / 共 {total} 页 · Page {number} of {total}"


class _InfoWithFingerprint(PDFInfo):
    """The Info dictionary with a /Fingerprint entry beside the standard ones."""

    fingerprint = ""

    def format(self, document) -> bytes:
        """The standard entries plus /Fingerprint, as one uncompressed dictionary."""
        text = super().format(document)
        extra = b"/Fingerprint " + PDFString(self.fingerprint).format(document)
        head, _, tail = text.rpartition(b">>")
        return head.rstrip() + b"\n" + extra + b"\n>>" + tail


class NumberedCanvas(Canvas):
    """A canvas that holds pages back until the end, when the page count is known."""

    def __init__(self, *args, furniture: Furniture, **kwargs) -> None:
        """Start the canvas, install the Info dictionary with the fingerprint."""
        super().__init__(*args, **kwargs)
        self._furniture = furniture
        self._held_pages: list[dict] = []
        info = _InfoWithFingerprint()
        info.fingerprint = furniture.fingerprint
        self._doc.info = info

    def showPage(self) -> None:
        """Hold the finished page; count it so bookmarks point at the right page."""
        self._held_pages.append(dict(self.__dict__))
        self._doc.pageCounter += 1
        self._startPage()

    def save(self) -> None:
        """Draw header and footer on every held page now that the total is known, then save."""
        total = len(self._held_pages)
        self._doc.pageCounter = 1
        for state in self._held_pages:
            self.__dict__.update(state)
            self._draw_furniture(total)
            Canvas.showPage(self)
        self._held_pages = []
        Canvas.save(self)

    def _draw_furniture(self, total: int) -> None:
        """The running header (title, as-of) and footer (fingerprint, page X of Y)."""
        font = register_fonts()
        furniture = self._furniture
        width, height = self._pagesize
        left, right = MARGIN_X, width - MARGIN_X
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(left, height - MARGIN_TOP + 12, right, height - MARGIN_TOP + 12)
        self.line(left, MARGIN_BOTTOM - 12, right, MARGIN_BOTTOM - 12)
        self.setFillColor(MUTED)
        self.setFont(font, 7.5)
        as_of = clip(furniture.as_of_label, font, 7.5, (right - left) / 2)
        room = right - left - width_of(as_of, 7.5) - 24
        draw(self, left, height - MARGIN_TOP + 16, clip(furniture.title, font, 7.5, room), 7.5)
        draw(self, right, height - MARGIN_TOP + 16, as_of, 7.5, "right")
        self.setFont(font, 6.5)
        fingerprint = f"报告指纹 / Report fingerprint (SHA-256): {furniture.fingerprint}"
        self.drawString(left, MARGIN_BOTTOM - 22, fingerprint)
        second = " · ".join(t for t in (furniture.generated_label, furniture.language_note) if t)
        draw(self, left, MARGIN_BOTTOM - 31, clip(second, font, 6.5, (right - left) * 0.7), 6.5)
        self.setFillColor(INK)
        self.setFont(font, 7.5)
        self.drawRightString(right, MARGIN_BOTTOM - 22, page_label(self._pageNumber, total))
        self.restoreState()
