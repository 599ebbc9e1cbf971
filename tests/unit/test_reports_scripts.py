"""Names in any script: emoji, Hebrew, Arabic, Cyrillic and Latin Extended print from the
fallback font (embedded, right-to-left text in visual order), never as an empty box or a NUL;
what no vendored font has prints as a visible "[?]". And headings stay with what they introduce."""

from __future__ import annotations

import io
import unicodedata

import pytest
from pypdf import PdfReader

from reports import (
    BarChart,
    Column,
    Cover,
    Heading,
    KeyFigure,
    KeyFigures,
    Paragraph,
    Series,
    SignatureBlocks,
    Table,
    render,
)
from reports.scripts import MISSING, covered, markup, runs
from tests.unit.test_reports_render import document

NAME = "Café 😀 שלום مرحبا"
OTHERS = "Łódź Ёлка Ἀθῆναι"
UNICORN = "🦄"  # in no vendored font
COLUMNS = (Column("项目", "Project", "left", 3), Column("金额", "Amount", "right", 1))


def _text(pdf: bytes) -> str:
    """All extracted text, presentation forms folded (NFKC), line breaks removed."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return unicodedata.normalize("NFKC", "".join(p.extract_text() for p in pages)).replace(
        "\n", "")


@pytest.fixture(scope="module")
def pdf() -> bytes:
    name = f"{NAME} {UNICORN}"
    return render(document(
        Cover(name, name, (name,)),
        Heading(name, OTHERS, 1),
        Paragraph(f"项目 {name} 与 {OTHERS}"),
        KeyFigures((KeyFigure("项目", "Project", name),)),
        Table(COLUMNS, ((name, "1.00"), (OTHERS, "2.00")), total_row=(name, "3.00"),
              caption=name),
        BarChart(name, "元", (name, "B"), (Series(name, (1, 2)),)),
        SignatureBlocks((name,)),
        title=name,
    ))


def test_no_nul_no_replacement_character_in_the_text(pdf):
    text = _text(pdf)
    assert "\x00" not in text
    assert "\ufffd" not in text


def test_emoji_hebrew_and_arabic_are_extractable_in_visual_order(pdf):
    text = _text(pdf)
    assert "Café 😀" in text
    # right-to-left words print in visual order; the extractor reads each word back in
    # logical order, Arabic presentation forms folded to letters by NFKC
    assert "שלום" in text
    assert "مرحبا" in text
    assert text.count("שלום") >= 6


def test_other_scripts_print_from_the_fallback_font(pdf):
    text = _text(pdf)
    for word in OTHERS.split():
        assert unicodedata.normalize("NFKC", word) in text


def test_a_character_no_font_has_prints_as_a_visible_mark(pdf):
    text = _text(pdf)
    assert UNICORN not in text
    assert f"{MISSING}" in text


def test_both_fonts_are_embedded_subsets(pdf):
    embedded = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if font["/Subtype"] == "/TrueType":  # (Helvetica is ReportLab's unused F1)
                descriptor = font["/FontDescriptor"].get_object()
                embedded[str(font["/BaseFont"])] = "/FontFile2" in descriptor
    assert any("DejaVu" in name for name in embedded)
    assert any("WenQuanYi" in name for name in embedded)
    assert all(embedded.values())
    assert all("+" in name for name in embedded)  # subsets


def test_the_same_document_gives_the_same_bytes(pdf):
    assert render(document(Paragraph(NAME))) == render(document(Paragraph(NAME)))


def test_latin_and_chinese_take_the_single_font_path():
    assert covered("深圳市财政局 Fund A ¥1,000.00 ×")
    assert runs("深圳市 A") == (("TLSans", "深圳市 A"),)
    assert markup("A & 深圳\nB") == "A &amp; 深圳<br/>B"


def test_markup_escapes_each_run_and_names_the_fallback_font():
    out = markup("<b>😀</b>\x00")
    assert out == '&lt;b&gt;<font name="TLSansX">😀</font>&lt;/b&gt;[?]'


@pytest.mark.parametrize("filler", range(44, 62, 3))
def test_a_heading_and_its_notice_stay_with_the_table_they_introduce(filler):
    """Wherever the page ends, the heading, its notice and the table's first row share a page."""
    from reports import Notice

    rows = tuple((f"填充 {i}", "1.00") for i in range(filler))
    pdf = render(document(
        Table(COLUMNS, rows),
        Heading("双重计入指标", "Dual-counted indicators", 2),
        Notice("双重计入数仅用于考核 / for assessment only " * 3),
        Table(COLUMNS, (("FIRST-ROW", "1.00"), ("SECOND-ROW", "2.00"))),
    ))
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    page = next(p for p in pages if "Dual-counted indicators" in p)
    assert "for assessment only" in page
    assert "FIRST-ROW" in page
