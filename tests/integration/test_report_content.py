"""What the three PDF reports print: Chinese names that can be searched, hostile names printed
literally without reading any file, the same bytes twice, totals that foot as printed (万元 too)
and "Page X of Y" right on a one-page and a many-page report."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from io import BytesIO

import pytest
import reportlab.lib.utils
from pypdf import PdfReader

from app.domain.codes import TransactionType
from app.services.access.scopes import SYSTEM
from app.services.reporting import issuing
from reports.fonts import register_fonts
from tests.factories import invest, make_fund, make_project
from tests.integration.report_helpers import (
    AMPERSAND,
    CHINESE_PROJECT,
    IMAGE,
    Q,
    build_world,
    entry,
    numbers,
    pages_of,
    pdf_text,
)

REPORTS = (("fund", "RF-1"), ("statement", "RA-1"), ("region", "441600"))


@pytest.fixture
def world(db):
    return build_world(db)


def _draft(db, kind, code, quarter=Q) -> bytes:
    return issuing.draft(db, SYSTEM, kind, code, quarter).pdf


@pytest.mark.parametrize(("kind", "code"), REPORTS)
def test_chinese_project_and_region_names_are_extractable_from_each_report(db, world, kind,
                                                                             code):
    text = pdf_text(_draft(db, kind, code))
    assert CHINESE_PROJECT in text
    assert "河源市" in text or "源城区" in text
    assert "\ufffd" not in text


@pytest.mark.parametrize(("kind", "code", "names"), [
    ("fund", "RF-1", (AMPERSAND, IMAGE)), ("statement", "RA-1", (AMPERSAND,)),
    ("region", "441600", (IMAGE,))])
def test_hostile_project_names_print_literally_and_no_file_is_read(db, world, monkeypatch, kind,
                                                                   code, names):
    register_fonts()  # the vendored font is the one file a report may read

    def refuse(name, *args, **kwargs):
        raise AssertionError(f"the report tried to read {name}")

    monkeypatch.setattr(reportlab.lib.utils, "open_for_read", refuse)
    text = pdf_text(_draft(db, kind, code))
    for name in names:
        assert name in text


@pytest.mark.parametrize(("kind", "code"), REPORTS)
def test_generating_twice_gives_identical_bytes(db, world, kind, code):
    assert _draft(db, kind, code) == _draft(db, kind, code)


def _layout_lines(pdf: bytes) -> list[str]:
    return [line.strip() for page in PdfReader(BytesIO(pdf)).pages
            for line in page.extract_text(extraction_mode="layout").splitlines()]


def test_every_statement_total_row_foots_as_printed(db, world):
    lines = _layout_lines(_draft(db, "statement", "RA-1"))
    totals = [i for i, line in enumerate(lines) if line.startswith(("合计 / Total", "本方合计"))]
    assert len(totals) == 4  # two indicators × two parties
    for index in totals:
        header = max(i for i in range(index) if lines[i].startswith("项目 / Project"))
        rows = [numbers(line) for line in lines[header + 1:index] if line.startswith("RP-")]
        printed = numbers(lines[index])
        assert rows and len(printed) == 6
        observed = sum((r[0] for r in rows if len(r) == 6), Decimal(0))
        assert observed == printed[0]
        for column in range(1, 6):  # current … since inception: every row prints them all
            assert sum(r[-5 + column - 1] for r in rows) == printed[column]


def test_a_wan_yuan_table_foots_after_re_apportioning(db):
    fund = make_fund(db, "WF-9", sponsor="440300")
    amounts = ("12345678.90", "50.00", "50.00", "50.00")
    for n, amount in enumerate(amounts):
        project = make_project(db, f"FT-{n}", name=f"测试项目{n}")
        entry(db, invest(db, fund, project), TransactionType.DISBURSEMENT, dt.date(2025, 8, 1),
              amount)
    lines = _layout_lines(_draft(db, "fund", "WF-9"))
    start = lines.index(next(line for line in lines if "Schedule of investments" in line))
    rows = [numbers(line)[:3] for line in lines[start:] if line.startswith("FT-")][:4]
    total = numbers(next(line for line in lines[start:] if line.startswith("合计 / Total")))
    assert [r[0] for r in rows] == [Decimal("1234.57"), Decimal("0.01"), Decimal("0.00"),
                                    Decimal("0.00")]
    for column in range(3):
        assert sum(r[column] for r in rows) == total[column]
    # Converting each row alone would print 1,234.57 + 3 × 0.01 = 1,234.60 against 1,234.58.
    assert total[0] == Decimal("1234.58")


def _check_page_labels(pdf: bytes) -> int:
    pages = pages_of(pdf)
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert f"第 {number} 页 / 共 {len(pages)} 页" in text
    return len(pages)


def test_a_one_page_report_says_page_1_of_1(db):
    assert _check_page_labels(_draft(db, "region", "341800")) == 1  # 宣城市: nothing there


def test_a_many_page_report_numbers_every_page_of_the_total(db, world):
    held = world.investments["RP-2"]
    for day in range(120):
        entry(db, held, TransactionType.INCOME, dt.date(2025, 7, 1) + dt.timedelta(days=day % 90),
              f"{1000 + day}.25", note="利息收入 " * (day % 4))
    assert _check_page_labels(_draft(db, "fund", "RF-1")) >= 6


def test_the_open_quarter_statement_is_a_marked_draft(db):
    world = build_world(db, close=False)
    text = pdf_text(_draft(db, "statement", world.agreement.code))
    assert "未签发草稿 / not issued — draft" in text
    assert re.search(r"Draft: this quarter is not\s+closed", text)
