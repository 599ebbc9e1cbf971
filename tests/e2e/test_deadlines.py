"""Deadlines in a real browser: the demo's overdue 2026Q3 locks once its exception is revoked
(the grid refuses Heyuan's figure), an administrator grants a new exception and Heyuan enters
again; screenshots of the agreement page and the grid header at 1366 and 390 px, both languages.

The demo's 2026Q3 (timely 2026-10-15, lock 2026-10-20) is past its lock day on any date this
suite runs on; the demo reopens it for Heyuan with an exception."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.pages import SCREENSHOTS, open_agreement, quarter_row

ADMIN = "admin@demo.example"
HEYUAN = "bureau.heyuan@demo.example"
AGREEMENT = "SZHY-2024-01"
QUARTER = "2026Q3"
CELL = re.compile(r"^HY-006 (工业总产值|Gross industrial output value).* 2026Q3$")


def _grid(page):
    open_agreement(page, AGREEMENT)
    quarter_row(page, QUARTER).get_by_role("link", name="Observations", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Observations for {QUARTER}")


def test_an_overdue_quarter_locks_an_exception_reopens_it(signed_in):
    admin = signed_in(ADMIN)
    open_agreement(admin, AGREEMENT)
    row = quarter_row(admin, QUARTER)
    expect(row).to_contain_text("2026-10-15")
    expect(row).to_contain_text("lock exception until")
    exceptions = admin.locator("#lock-exceptions")
    exceptions.get_by_role("button", name="Revoke").click()
    expect(admin.locator(".flash, .flashes, [role=status]").first).to_be_visible()
    expect(quarter_row(admin, QUARTER)).to_contain_text("locked")

    heyuan = signed_in(HEYUAN)
    _grid(heyuan)
    expect(heyuan.locator("#grid-deadline")).to_contain_text("locked")
    expect(heyuan.get_by_role("status").filter(has_text="is locked")).to_contain_text(
        "entry closed after 2026-10-20")
    heyuan.get_by_label(CELL).fill("23456789.01")
    heyuan.get_by_role("button", name="Save observations").click()
    expect(heyuan.get_by_text("2026Q3 is locked: entry closed after 2026-10-20").first) \
        .to_be_visible()

    until = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() + dt.timedelta(days=7)
    open_agreement(admin, AGREEMENT)
    admin.get_by_role("link", name="Grant a lock exception").first.click()
    admin.get_by_label("Quarter", exact=True).fill(QUARTER)
    admin.get_by_label("Party", exact=True).select_option("441600")
    admin.get_by_label("Entry reopened until (inclusive)").fill(until.isoformat())
    admin.get_by_label("Reason", exact=True).fill("河源市统计局补报数据")
    admin.get_by_role("button", name="Grant").click()
    expect(admin.get_by_text("Lock exception granted")).to_be_visible()
    expect(quarter_row(admin, QUARTER)).to_contain_text(f"lock exception until {until}")

    _grid(heyuan)
    expect(heyuan.locator("#grid-deadline")).to_contain_text("overdue")
    heyuan.get_by_label(CELL).fill("23456789.01")
    heyuan.get_by_role("button", name="Save observations").click()
    expect(heyuan.get_by_text("Observations saved.")).to_be_visible()


def test_screenshots_of_the_deadlines(signed_in):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for language, tag in (("English", "en"), ("中文", "zh")):
        page = signed_in(HEYUAN, language)
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto("/agreements/")
            page.get_by_role("link", name=AGREEMENT, exact=True).first.click()
            page.locator("#quarters").scroll_into_view_if_needed()
            page.screenshot(path=str(SCREENSHOTS / f"deadlines-agreement-{tag}-{width}.png"),
                            full_page=True)
            expect(page.locator("#quarters")).to_contain_text("2026-10-20")
            page.locator("#quarters").get_by_role("row").filter(has_text=QUARTER).get_by_role(
                "link").nth(1).click()
            expect(page.locator("#grid-deadline")).to_be_visible()
            page.screenshot(path=str(SCREENSHOTS / f"deadlines-grid-{tag}-{width}.png"))
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
