"""One unit per report section (issue 15): each money section of the fund and regional reports
names its unit once, in its heading, and every figure in it uses that unit; the regional
summary shows yuan indicators in 万元, rows adding up as printed, no number wrapped."""

from __future__ import annotations

import re
from decimal import Decimal

from app.services.access.scopes import SYSTEM
from app.services.reporting import issuing
from tests.factories import make_project
from tests.integration.report_helpers import Q, build_world, numbers, pdf_text
from tests.integration.sharing_factories import half_and_half, make_agreement, observe

UNIT_HEADING = re.compile(r"（金额单位：(万元|元)）")


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_each_money_section_of_the_fund_report_names_its_unit_once(db):
    build_world(db)
    text = _flat(pdf_text(issuing.draft(db, SYSTEM, "fund", "RF-1", Q).pdf))
    text = text[:text.index("项目共享指标")]  # the indicators carry their own units per row
    heads = list(UNIT_HEADING.finditer(text))
    sections = {text[h.start() - 6:h.start()].split()[-1]: (h.group(1), text[h.end():end])
                for h, end in zip(heads, [h.start() for h in heads[1:]] + [len(text)],
                                  strict=True)}
    assert {name: unit for name, (unit, _) in sections.items()} == {
        "关键指标": "元", "资本账户": "元", "图表": "万元", "投资明细": "万元", "本季度交易": "元"}
    for name, (unit, body) in sections.items():
        english = "10,000 yuan" if unit == "万元" else "yuan"
        assert body.startswith(f" / {name}"[:3]) or f"(amounts in {english})" in body[:80], name
        rest = body[body.index(f"(amounts in {english})") + len(f"(amounts in {english})"):]
        assert "万元" not in rest and "（元）" not in rest and "10,000 yuan" not in rest, name
        assert "(yuan)" not in rest and "单位 / Unit" not in rest, name


def test_the_region_summary_shows_yuan_in_wan_that_add_up_and_never_wrap(db):
    build_world(db)
    for code in ("RU-1", "RU-2"):
        make_project(db, code, source="440306", destination="441602")
    make_agreement(db, "RU-A", ["RU-1", "RU-2"], [half_and_half(first="2025Q3")])
    observe(db, "2025Q3", {("RU-1", "TAX_LOCAL"): "33625286949.63",
                           ("RU-2", "TAX_LOCAL"): "8765432109.87"})
    pdf = issuing.draft(db, SYSTEM, "region", "441600", Q).pdf
    text = pdf_text(pdf)
    summary = text[text.index("指标分享汇总"):text.index("在地官方数：承接地计")]
    flat = _flat(summary)
    assert flat.startswith("指标分享汇总（元计指标以万元列示） / Indicators before and after "
                           "sharing (yuan indicators in 万元, 10,000 yuan)")
    amount = r"(-?[\d,]+\.\d{2})"
    rows = re.findall(rf"万元 {amount} {amount} {amount} {amount} {amount}", flat)
    assert len(rows) == 3  # the three yuan indicators, each in 万元
    for row in rows:
        official, received, ceded, reconciling, after = numbers(" ".join(row))
        assert received - ceded == reconciling and official + reconciling == after
    tax = max((numbers(" ".join(r)) for r in rows), key=lambda n: n[0])
    assert tax[0] == Decimal("4239071.92")  # 42,390,719,059.50 + 109.99 yuan in place
    cells = [line.strip() for line in summary.splitlines()]
    wrapped = [c for c in cells if re.fullmatch(r"[-\d,.]+", c) and not re.fullmatch(amount, c)]
    assert wrapped == []  # every number on one line
