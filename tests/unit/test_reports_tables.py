"""reports tables: split across pages with the header repeated, no row cut, long cells wrap."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from reports import Column, Document, Paragraph, Table, fingerprint_of, render

COLUMNS = (
    Column("项目", "Project", "left", 3),
    Column("区域", "Region", "left", 2),
    Column("金额", "Amount", "right", 1.5),
)


def document(*blocks) -> Document:
    """A document of `blocks` with fixed labels."""
    return Document("表 / Tables", "tests", "tests", "", "as of", "generated",
                    fingerprint_of("tables"), tuple(blocks))


def pages_text(pdf: bytes) -> list[str]:
    """The extracted text of each page."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def long_rows(count: int) -> tuple[tuple[str, str, str], ...]:
    """Rows whose three cells can be matched to one another: R<n>, 区<n>, <n>.00."""
    return tuple((f"宿迁项目 R{i:05d}", f"区{i:05d}", f"{i:05d}.00") for i in range(count))


def test_a_long_table_repeats_its_header_on_every_page_and_cuts_no_row():
    pdf = render(document(Paragraph("前言 / Preface"),
                          Table(COLUMNS, long_rows(1500), total_row=("合计 / Total", "", "x"))))
    texts = pages_text(pdf)
    assert len(texts) > 20
    seen = []
    for text in texts:
        assert "项目 / Project" in text and "区域 / Region" in text and "金额 / Amount" in text
        numbers = [int(n) for n in re.findall(r"R(\d{5})", text)]
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # in order
        for n in numbers:  # a row's cells are all on the same page
            assert f"区{n:05d}" in text and f"{n:05d}.00" in text
        seen += numbers
    assert seen == list(range(1500))
    assert "合计 / Total" in texts[-1]


def test_a_2000_character_cell_wraps_instead_of_failing():
    latin = " ".join(["word"] * 400)  # 2,000 characters
    chinese = "很长的说明文字，" * 250  # 2,000 characters, taller than a page in a narrow column
    rows = (("before", "x", "1.00"), (latin, "x", "2.00"), (chinese, chinese, "3.00"),
            ("after", "x", "4.00"))
    texts = pages_text(render(document(Table(COLUMNS, rows))))
    joined = "".join(t.replace("\n", "") for t in texts)
    assert joined.count("word") == 400
    assert joined.count("很") == joined.count("字") == 500  # both cells whole, across pages
    assert "before" in texts[0] and "after" in texts[-1]


def test_an_empty_table_prints_its_header_and_says_so():
    text = pages_text(render(document(Table(COLUMNS, ()))))[0]
    assert "项目 / Project" in text and "无记录 / No rows" in text


def test_a_total_row_alone_gets_a_header():
    text = pages_text(render(document(Table(COLUMNS, (), total_row=("合计 / Total", "", "0.00")))))
    assert "项目 / Project" in text[0] and "合计 / Total" in text[0]


def test_a_split_table_leaves_rows_with_its_total_and_repeats_its_caption():
    for count in range(40, 70):  # some count leaves one row over: it must not stand alone
        pdf = render(document(Table(COLUMNS, long_rows(count), total_row=("合计 / Total", "", "x"),
                                    caption="深圳市 / Shenzhen")))
        texts = [t for t in pages_text(pdf) if "R0" in t]
        if len(texts) < 2:
            continue
        last = texts[-1]
        assert "合计 / Total" in last
        assert len(re.findall(r"R\d{5}", last)) >= 3, (count, last)
        assert "深圳市 / Shenzhen （续）/ (continued)" in last
        assert "（续）" not in texts[0]
