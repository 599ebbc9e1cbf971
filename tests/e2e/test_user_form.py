"""The user form in a real browser: an administrator adds a user by keyboard only, picking roles
from the list and finding each scope by part of its name; screenshots of the form and of a
confirmation page at 1366 and 390 px in both languages (build/screenshots/), with no sideways
scrolling."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import User
from app.services.access import users
from tests.e2e.pages import SCREENSHOTS, open_statement

ADMIN, HEYUAN = "admin@demo.example", "bureau.heyuan@demo.example"
AGREEMENT, OPEN_QUARTER = "SZHY-2024-01", "2026Q3"


def _choose(page: Page, select_label: str, option_label: str) -> None:
    """Pick an option of a drop-down with the keyboard: focus it, then arrow to it."""
    box = page.get_by_label(select_label, exact=True)
    box.focus()
    for key in ["ArrowDown"] * 6 + ["ArrowUp"] * 6:
        if box.evaluate("s => s.options[s.selectedIndex].text") == option_label:
            return
        page.keyboard.press(key)
    raise AssertionError(f"{option_label!r} is not an option of {select_label!r}")


def test_an_admin_adds_a_user_picking_roles_and_finding_scopes_by_keyboard(signed_in,
                                                                           e2e_engine):
    page = signed_in(ADMIN)
    page.goto("/admin/users/new")
    page.get_by_label("E-mail", exact=True).focus()
    page.keyboard.type("sun.li@demo.example")
    page.keyboard.press("Tab")
    page.keyboard.type("孙立")
    page.keyboard.press("Tab")
    page.keyboard.type("a long first password")

    _choose(page, "Role 1", "Finance bureau")
    page.keyboard.press("Tab")  # to Scope 1, which now searches regions
    scope = page.get_by_role("combobox", name="Scope 1")
    expect(scope).to_be_focused()
    page.keyboard.type("河源")
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options.first).to_contain_text("441600 河源市")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # picks, does not submit
    expect(scope).to_have_value("441600")
    expect(page.locator("#grants-0-scope-name")).to_have_text("河源市")

    _choose(page, "Role 2", "Fund manager")
    page.keyboard.press("Tab")
    fund_scope = page.get_by_role("combobox", name="Scope 2")
    expect(fund_scope).to_be_focused()
    expect(page.locator("#grants-1-scope-hint")).to_have_text(
        "A fund: type part of its code or name.")
    page.keyboard.type("HF")
    expect(options.first).to_contain_text("HF-01")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(fund_scope).to_have_value("HF-01")

    _choose(page, "Role 3", "Administrator")  # an administrator has no scope to type
    expect(page.get_by_role("combobox", name="Scope 3")).to_be_disabled()
    _choose(page, "Role 3", "— no role —")
    expect(page.get_by_role("combobox", name="Scope 3")).to_be_enabled()

    page.get_by_role("button", name="Save", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="User added.")).to_be_visible()
    with Session(e2e_engine) as session:
        user = session.scalars(select(User).where(User.email == "sun.li@demo.example")).one()
        grants = [(g.role, g.fund.code if g.fund else g.region.code if g.region else None)
                  for g in users.get_user(session, user.id).grants]
    assert grants == [("FINANCE_BUREAU", "441600"), ("FUND_MANAGER", "HF-01")]


def test_a_refused_user_form_lists_each_error_with_its_field_in_chinese(signed_in):
    page = signed_in(ADMIN, "中文")
    page.goto("/admin/users/new")
    page.get_by_label("电子邮箱", exact=True).fill("not-an-address")
    _choose(page, "角色 1", "财政局")
    page.get_by_role("combobox", name="范围 1").fill("999999")
    page.get_by_role("button", name="保存", exact=True).click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("范围 1")
    expect(summary).not_to_contain_text("is not")
    summary.get_by_role("link", name="范围 1").click()
    expect(page.get_by_role("combobox", name="范围 1")).to_be_focused()


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width


@pytest.mark.parametrize("language", ["English", "中文"])
def test_screenshots_of_the_user_form_and_a_confirmation_page(signed_in, language):
    tag = "en" if language == "English" else "zh"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    admin = signed_in(ADMIN, language)
    bureau = signed_in(HEYUAN, language)
    bureau.set_viewport_size({"width": 1366, "height": 900})
    open_statement(bureau, AGREEMENT, OPEN_QUARTER) if tag == "en" else \
        bureau.goto(admin_statement_url(admin))
    bureau.get_by_role("button", name=re.compile(
        r"^(Submit: the observations are complete|提交)")).click()
    expect(bureau.locator("#confirm-title")).to_contain_text(OPEN_QUARTER)
    for width in (1366, 390):
        admin.set_viewport_size({"width": width, "height": 900})
        admin.goto("/admin/users/new")
        admin.get_by_role("combobox", name=re.compile(r"^(Scope|范围) 1$")).fill("深圳")
        expect(admin.get_by_role("listbox").get_by_role("option").first).to_be_visible()
        _no_sideways_scroll(admin)
        admin.screenshot(path=str(SCREENSHOTS / f"user-form-{width}-{tag}.png"), full_page=True)
        bureau.set_viewport_size({"width": width, "height": 900})
        _no_sideways_scroll(bureau)
        bureau.screenshot(path=str(SCREENSHOTS / f"confirm-submit-{width}-{tag}.png"),
                          full_page=True)


def admin_statement_url(page: Page) -> str:
    """The address of the agreement's open-quarter statement (found by its link)."""
    page.goto("/agreements/")
    page.get_by_role("link", name=AGREEMENT, exact=True).click()
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=OPEN_QUARTER,
                                                              exact=True))
    return row.get_by_role("link").filter(has_text=re.compile("结算单|Statement")).first \
        .get_attribute("href")
