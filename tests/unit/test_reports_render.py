"""reports.render: deterministic bytes, Chinese text, escaping, page numbers, metadata, charts."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

import reports
from reports import (
    BarChart,
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
    fingerprint_of,
    read_fingerprint,
    render,
)
from reports.blocks import COVER_TITLE_SIZES, cover_title_size

ROOT = Path(__file__).resolve().parents[2]
FINGERPRINT = fingerprint_of({"agreement": "SQ-2021-007", "quarter": "2025Q1"})
HOSTILE = 'A&B <b>Co</b> "x"'
IMG = '<img src="/etc/passwd"/>'
COLUMNS = (
    Column("项目", "Project", "left", 3),
    Column("区域", "Region", "left", 2),
    Column("金额", "Amount", "right", 1.5),
)


def document(*blocks, title="分享结算单 / Sharing statement") -> Document:
    """A document of `blocks` with fixed labels and fingerprint."""
    return Document(
        title=title,
        subject="苏宿合作 2025Q1 / Su-Su 2025Q1",
        author="江苏省财政厅 / Jiangsu Finance Department",
        language_note="以中文为准 / Chinese prevails",
        as_of_label="数据截至 2025-03-31 / As of 2025-03-31",
        generated_label="生成于 2025-04-10 / Generated 2025-04-10",
        fingerprint=FINGERPRINT,
        blocks=tuple(blocks),
    )


def sample() -> Document:
    """A document with one block of every kind."""
    rows = tuple(
        (f"宿迁某新材料有限公司 {i}", "宿迁市宿豫区", f"{i * 1000:,}.00") for i in range(60)
    )
    quarters = ("2024Q1", "2024Q2", "2024Q3", "2024Q4")
    return document(
        Cover("苏宿工业园区分享结算单", "Sharing statement", ("协议 / Agreement SQ-2021-007",)),
        Heading("关键指标", "Key figures", 1),
        KeyFigures((KeyFigure("认缴", "Committed", "1,000.00 元"),
                    KeyFigure("DPI", "DPI", "0.35×"))),
        Paragraph("转出方每个项目上限 9,075.00 元。"),
        Notice("仅用于考核，不对外公布 / For assessment only, not for publication"),
        Heading("明细", "Detail", 2),
        Table(COLUMNS, rows, total_row=("合计 / Total", "", "1,770,000.00"), caption="表 1",
              note="注 / Note", highlight_rows=frozenset({3})),
        LineChart("累计实缴 / Cumulative calls", "万元 / 10k CNY", quarters,
                  (Series("实缴 / Calls", (Decimal(1), Decimal(3), None, Decimal(7))),)),
        BarChart("按区域 / By region", "万元 / 10k CNY", ("长三角", "西部"),
                 (Series("2025", (Decimal("12.5"), Decimal(-3))),)),
        SignatureBlocks(("南京市财政局 / Nanjing Finance Bureau", "宿迁市财政局 / Suqian Bureau")),
        PageBreak(),
        Paragraph("最后一页 / Last page"),
    )


def pages_text(pdf: bytes) -> list[str]:
    """The extracted text of each page."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Text without line breaks (wrapped lines joined) for substring checks."""
    return text.replace("\n", "")


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    """The sample document rendered once for the module."""
    return render(sample())


def test_the_same_document_gives_the_same_bytes_in_one_process(sample_pdf):
    render(document(Paragraph("another document first, other glyphs: 喆堃珺")))
    assert render(sample()) == sample_pdf


def test_the_same_document_gives_the_same_bytes_in_a_fresh_process(sample_pdf):
    script = (
        "import hashlib, importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('t', {str(Path(__file__))!r})\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "sys.stdout.write(hashlib.sha256(m.render(m.sample())).hexdigest())\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout == hashlib.sha256(sample_pdf).hexdigest()


def test_no_wall_clock_in_the_pdf(sample_pdf):
    assert b"D:20000101000000" in sample_pdf  # ReportLab's invariant date, not today's


def test_chinese_names_are_extractable_text(sample_pdf):
    text = "\n".join(pages_text(sample_pdf))
    for name in ("苏宿工业园区分享结算单", "宿迁某新材料有限公司 7", "宿迁市宿豫区",
                 "仅用于考核，不对外公布", "关键指标 / Key figures", "合计 / Total",
                 "南京市财政局"):
        assert name in text


def test_rare_hanzi_outside_gb2312_render_as_text():
    text = flat("".join(pages_text(render(document(Paragraph("喆堃珺镕燊有限公司"))))))
    assert "喆堃珺镕燊有限公司" in text


def test_metadata_has_title_subject_author_and_fingerprint(sample_pdf):
    meta = PdfReader(io.BytesIO(sample_pdf)).metadata
    assert meta.title == "分享结算单 / Sharing statement"
    assert meta.subject == "苏宿合作 2025Q1 / Su-Su 2025Q1"
    assert meta.author == "江苏省财政厅 / Jiangsu Finance Department"
    assert meta["/Fingerprint"] == FINGERPRINT
    assert FINGERPRINT in meta["/Keywords"]


def test_fingerprint_is_in_every_footer_and_read_back(sample_pdf):
    for text in pages_text(sample_pdf):
        assert f"Report fingerprint (SHA-256): {FINGERPRINT}" in text
    assert read_fingerprint(sample_pdf) == FINGERPRINT


def page_labels_are_right(pdf: bytes) -> int:
    """Assert every page says it is page X of Y, in both languages; return Y."""
    texts = pages_text(pdf)
    total = len(texts)
    for number, text in enumerate(texts, start=1):
        assert f"第 {number} 页 / 共 {total} 页 · Page {number} of {total}" in text
    return total


def test_page_x_of_y_on_a_one_page_document():
    assert page_labels_are_right(render(document(Paragraph("一页 / one page")))) == 1


def test_page_x_of_y_on_a_hundred_and_twenty_page_document():
    blocks = []
    for i in range(120):
        blocks += [Heading(f"第 {i + 1} 节", f"Section {i + 1}", 1), Paragraph("正文 / body")]
        blocks.append(PageBreak())
    assert page_labels_are_right(render(document(*blocks[:-1]))) == 120


def test_an_empty_document_still_has_a_numbered_page():
    assert page_labels_are_right(render(document())) == 1


def test_headings_become_bookmarks_on_their_pages(sample_pdf):
    reader = PdfReader(io.BytesIO(sample_pdf))
    top = reader.outline
    assert top[0].title == "关键指标 / Key figures"
    assert reader.get_destination_page_number(top[0]) == 1
    assert top[1][0].title == "明细 / Detail"


def test_hostile_names_print_exactly_everywhere():
    rows = ((HOSTILE, IMG, "1.00"), (HOSTILE + " " + "长" * 80, IMG, "2.00"))
    pdf = render(document(
        Cover(HOSTILE, IMG, (HOSTILE,)),
        Heading(HOSTILE, IMG, 1),
        Paragraph(f"{HOSTILE} {IMG}"),
        KeyFigures((KeyFigure(HOSTILE, IMG, HOSTILE),)),
        Notice(HOSTILE),
        Table(COLUMNS, rows, total_row=(HOSTILE, IMG, "3.00"), caption=HOSTILE, note=IMG),
        SignatureBlocks((HOSTILE,)),
        title=HOSTILE,
    ))
    text = flat("".join(pages_text(pdf)))
    assert text.count(HOSTILE) >= 10
    assert text.count(IMG) >= 5
    assert PdfReader(io.BytesIO(pdf)).metadata.title == HOSTILE


def test_markup_in_data_never_reads_a_file_or_url(monkeypatch):
    from reportlab.lib import utils
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph as RLParagraph
    from reportlab.platypus import SimpleDocTemplate

    opened = []
    real = utils.open_for_read
    monkeypatch.setattr(utils, "open_for_read", lambda name, *a, **k: (
        opened.append(str(name)), real(name, *a, **k))[1])
    with pytest.raises(Exception):  # noqa: B017 - control: unescaped, ReportLab opens the file
        SimpleDocTemplate(io.BytesIO()).build([RLParagraph(IMG, ParagraphStyle("raw"))])
    assert "/etc/passwd" in opened
    opened.clear()
    tricks = (IMG, '<img src="http://127.0.0.1:9/x.png"/>', '<a href="file:///etc/passwd">x</a>',
              "<font face='/etc/passwd'>x</font>", "&lt;&amp;", "<para>x</para>", "<![CDATA[x]]>")
    pdf = render(document(*(Paragraph(t) for t in tricks),
                          Table(COLUMNS, tuple((t, t, t) for t in tricks))))
    assert not [name for name in opened if "passwd" in name or "127.0.0.1" in name]
    text = flat("".join(pages_text(pdf)))
    for trick in tricks:
        assert trick in text


def test_charts_draw_their_titles_units_labels_and_legends(sample_pdf):
    texts = pages_text(sample_pdf)
    line_page = next(t for t in texts if "累计实缴 / Cumulative calls" in t)
    for label in ("单位 / Unit: 万元 / 10k CNY", "2024Q1", "2024Q4", "实缴 / Calls"):
        assert label in line_page
    bar_page = next(t for t in texts if "按区域 / By region" in t)
    for label in ("单位 / Unit: 万元 / 10k CNY", "长三角", "西部", "2025"):
        assert label in bar_page


def test_a_chart_without_values_says_so():
    pdf = render(document(LineChart("空 / Empty", "元", ("2024Q1",), (Series("a", (None,)),))))
    assert "无数据 / No data" in pages_text(pdf)[0]


def test_landscape_a3_page_size():
    doc = Document("t", "s", "a", "", "", "", FINGERPRINT, (Paragraph("x"),), "A3", True)
    box = PdfReader(io.BytesIO(render(doc))).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (1191, 842)


def test_the_package_exports_the_api():
    for name in ("Document", "Table", "Column", "render", "read_fingerprint", "fingerprint_of"):
        assert hasattr(reports, name)


def test_chinese_prose_wraps_between_characters_within_the_page():
    text = "转出方与转入方按照协议约定的比例分享统计指标" * 15  # 330 characters, no spaces
    page = pages_text(render(document(Paragraph(text))))[0]
    lines = page.split("分享结算单 / Sharing statement")[0].split()  # the body, before the header
    assert len(lines) >= 5
    assert "".join(lines).replace(" ", "") == text


def test_a_long_cover_title_is_set_smaller_to_stay_on_one_line():
    """A long fund's name must not leave its last character alone on a second cover line; a
    short title keeps the full size, and one too long for any size wraps at the full size."""
    long_title = "安徽省承接产业转移发展基金 2026Q3 季度报告"  # wrapped "告" alone at 24 pt
    cover_page = pages_text(render(document(Cover(long_title, "Fund quarterly report"))))[0]
    assert long_title in cover_page.split("\n")
    width = 400.0
    assert cover_title_size("短标题", width) == COVER_TITLE_SIZES[0]
    assert cover_title_size("很" * 60, width) == COVER_TITLE_SIZES[0]
    assert COVER_TITLE_SIZES[-1] <= cover_title_size(long_title, width) < COVER_TITLE_SIZES[0]
