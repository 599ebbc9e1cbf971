"""The catalogue's done-when, on the demo with its sample edition: a project in a NO_LONGER entry
shows red on its page and in the fund report; importing a second edition that moves it to
PRIORITY lists it as changed. Screenshots of the project page and the changes page at 1366 and
390 px in both languages (build/screenshots/catalogue-*.png)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from playwright.sync_api import Page, expect
from pypdf import PdfReader
from reportlab.lib import colors
from reportlab.lib.rl_accel import fp_str

from app.services.reporting.builders.catalogue import FILLS
from tests.e2e.pages import SCREENSHOTS, switch_language

ADMIN = "admin@demo.example"
SAMPLE = Path(__file__).resolve().parents[2] / "app" / "data" / "catalogue-sample.csv"
RED = "rgb(253, 228, 225)"  # .flag-NO_LONGER's background (app.css)
GREEN = "rgb(227, 244, 232)"


def _open_project(page: Page, code: str) -> None:
    page.goto("/projects/?catalogue=NO_LONGER")
    page.get_by_role("link", name=code, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)


def _flag(page: Page):
    return page.locator("#catalogue + dl .flag").first


def test_a_no_longer_project_is_red_on_its_page_and_in_the_report_and_a_new_edition_lists_it(
        signed_in, tmp_path):
    page = signed_in(ADMIN)
    # The list's filter finds the one project of the sample's NO_LONGER entries.
    page.goto("/projects/?catalogue=NO_LONGER")
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("HY-007")

    _open_project(page, "HY-007")
    flag = _flag(page)
    expect(flag).to_have_text("No longer to take on")
    assert flag.evaluate("e => getComputedStyle(e).backgroundColor") == RED
    facts = page.locator("#catalogue + dl")
    expect(facts).to_contain_text("建材")
    expect(facts).to_contain_text("水泥熟料、平板玻璃等新增产能项目")
    expect(facts).to_contain_text("2018 示例")
    expect(facts).to_contain_text("Two-high")  # the two-high flag stays, beside
    _screens(page, "catalogue-project")

    # The fund report: the project's row reads "no longer" and is filled red.
    pdf = page.request.get("/reports/fund/GD-01/2026Q3.pdf")
    assert pdf.ok
    reader = PdfReader(io.BytesIO(pdf.body()))
    pages = [p for p in reader.pages if "Transfer guidance catalogue" in p.extract_text()]
    assert pages, "the fund report has no catalogue section"
    text = re.sub(r"\s+", " ", pages[-1].extract_text())
    assert re.search(r"HY-007 新型建材生产线 引导不再承接 / No longer to ?take on", text), text
    fill = colors.HexColor(FILLS["NO_LONGER"])
    assert f"{fp_str(fill.red, fill.green, fill.blue)} rg".encode() in \
        pages[-1].get_contents().get_data()

    # A second edition moves 河源's building materials to PRIORITY and is made current.
    second = tmp_path / "revised.csv"
    second.write_text(SAMPLE.read_text(encoding="utf-8").replace(
        "441600,NO_LONGER,建材,水泥熟料、平板玻璃等新增产能项目,30,,FALSE",
        "441600,PRIORITY,建材,绿色建材,30,,FALSE"), encoding="utf-8")
    page.goto("/catalogue/")
    page.get_by_label("Edition name").fill("2018 示例（修订）")
    page.get_by_label("CSV or XLSX file").set_input_files(str(second))
    page.get_by_label("Make it the current edition").check()
    page.get_by_role("button", name="Import the edition").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Changed flags")
    row = page.locator("tbody tr").filter(has_text="HY-007")
    expect(row).to_have_count(1)
    expect(row.locator(".flag").nth(0)).to_have_text("No longer to take on")
    expect(row.locator(".flag").nth(1)).to_have_text("Priority to take on")
    expect(page.locator("tbody tr")).to_have_count(1)  # nothing else moved
    _screens(page, "catalogue-changes")

    page.goto(row.get_by_role("link", name="HY-007").get_attribute("href"))
    assert _flag(page).evaluate("e => getComputedStyle(e).backgroundColor") == GREEN
    expect(page.get_by_role("heading", name="Under other editions")).to_be_visible()


def _screens(page: Page, name: str) -> None:
    """Screenshots at 1366 and 390 px in English and Chinese; no sideways scrolling at either."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    url = page.url
    for language, switch in (("en", None), ("zh", "中文")):
        if switch:
            switch_language(page, switch)
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(url)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{language}-{width}.png"),
                            full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= width
    switch_language(page, "English")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
