"""The observation grid as a spreadsheet in a real browser at 1366 px: filled by keyboard only,
saved, the stored values checked; the page never scrolls sideways and the project column stays
in view while the cells scroll; screenshots in English and Chinese under build/screenshots/."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.quarter import Quarter
from app.models import Observation, Project
from tests.e2e.pages import SCREENSHOTS, flash, open_agreement, quarter_row, switch_language

HEYUAN = "bureau.heyuan@demo.example"
AGREEMENT = "SZHY-2024-01"
OPEN_QUARTER = "2026Q3"
LAPTOP = {"width": 1366, "height": 768}

FOCUSED_NAME = "() => document.activeElement && document.activeElement.name"


def _open_grid(page: Page) -> None:
    open_agreement(page, AGREEMENT)
    quarter_row(page, OPEN_QUARTER).get_by_role("link", name="Observations", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"Observations for {OPEN_QUARTER}")


def _stored(engine, cell: str) -> Decimal | None:
    project, indicator = cell.split(".")
    with Session(engine) as session:
        return session.scalar(select(Observation.value).join(Project).where(
            Project.code == project, Observation.indicator_code == indicator,
            Observation.quarter == Quarter.parse(OPEN_QUARTER)))


def test_a_bureau_fills_two_cells_by_keyboard_only_and_saves_them(signed_in, e2e_engine):
    page = signed_in(HEYUAN)
    page.set_viewport_size(LAPTOP)
    _open_grid(page)
    # Tab from the link just before the grid into its first cell
    page.get_by_role("link", name=re.compile("^Compare with the")).focus()
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED_NAME)
    assert first and "." in first, first
    expect(page.locator(f'input[name="{first}"]')).to_have_attribute(  # named in English
        "aria-label", re.compile(rf"^{first.split('.')[0]} [A-Z][a-z].* {OPEN_QUARTER}$"))
    page.keyboard.type("12345678.9")
    page.keyboard.press("Enter")  # moves down, does not submit
    second = page.evaluate(FOCUSED_NAME)
    assert second != first and second.split(".")[1] == first.split(".")[1]
    expect(page.locator(f'input[name="{first}"]')).to_have_value("12,345,678.90")
    expect(page.locator(f'input[name="{first}"]').locator("xpath=..")).to_have_class(
        re.compile(r"\bchanged\b"))
    page.keyboard.type("1,000")
    page.keyboard.press("ArrowUp")
    assert page.evaluate(FOCUSED_NAME) == first
    page.keyboard.press("ArrowDown")
    assert page.evaluate(FOCUSED_NAME) == second
    expect(page.locator(f'input[name="{second}"]')).to_have_value("1,000.00")

    # leaving with unsaved changes asks first; staying keeps the typing
    asked = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()
    page.on("dialog", stay)
    page.evaluate("() => { window.location.href = '/'; }")
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    page.remove_listener("dialog", stay)
    expect(page.locator(f'input[name="{second}"]')).to_have_value("1,000.00")

    page.get_by_role("button", name="Save observations").press("Enter")
    flash(page, "Observations saved.")
    assert _stored(e2e_engine, first) == Decimal("12345678.90")
    assert _stored(e2e_engine, second) == Decimal("1000.00")


def _laptop_facts(page: Page) -> dict:
    """Scroll the grid's box fully right and down; what a reader sees of it then."""
    box = page.locator(".grid-scroll")
    box.evaluate("(el) => { el.scrollLeft = el.scrollWidth; el.scrollTop = el.scrollHeight; }")
    page.wait_for_timeout(100)
    return page.evaluate("""() => {
      const box = document.querySelector('.grid-scroll').getBoundingClientRect();
      const rows = Array.from(document.querySelectorAll('table.grid tbody th.project'));
      const last = rows[rows.length - 1].getBoundingClientRect();
      const head = document.querySelector('table.grid thead th.project').getBoundingClientRect();
      const hit = document.elementFromPoint(last.left + 5, last.top + last.height / 2);
      return {
        page_scroll: document.documentElement.scrollWidth,
        viewport: window.innerWidth,
        box_scrolls: document.querySelector('.grid-scroll').scrollLeft > 0,
        project_left: last.left, box_left: box.left,
        project_on_top: !!hit && !!hit.closest('th.project'),
        project_height: last.height,
        head_top: head.top, box_top: box.top,
      };
    }""")


def test_at_1366_px_the_page_does_not_scroll_sideways_and_the_projects_stay(signed_in):
    page = signed_in(HEYUAN)
    page.set_viewport_size(LAPTOP)
    _open_grid(page)
    plain = page.evaluate("document.documentElement.scrollWidth")
    assert plain <= LAPTOP["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "observation-grid-en.png"))

    page.get_by_role("link", name=re.compile("^Compare with the")).click()
    expect(page.get_by_role("link", name="Hide earlier quarters")).to_be_visible()
    facts = _laptop_facts(page)
    assert facts["page_scroll"] <= facts["viewport"], facts
    assert facts["box_scrolls"], facts  # the comparison is wider than the screen: its box scrolls
    assert abs(facts["project_left"] - facts["box_left"]) <= 2, facts  # the column stays
    assert facts["project_on_top"], facts  # and is not hidden under the cells
    assert facts["project_height"] < 80, facts  # names on one or two lines, not a letter a line
    assert abs(facts["head_top"] - facts["box_top"]) <= 2, facts  # the header rows stay too
    page.screenshot(path=str(SCREENSHOTS / "observation-grid-compare-en.png"))

    switch_language(page, "中文")
    expect(page.locator("html")).to_have_attribute("lang", re.compile("^zh"))
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    page.screenshot(path=str(SCREENSHOTS / "observation-grid-compare-zh.png"))
    page.get_by_role("link", name="隐藏以前季度").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    page.screenshot(path=str(SCREENSHOTS / "observation-grid-zh.png"))

    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet upright
    assert page.evaluate("document.documentElement.scrollWidth") <= 820
