"""The region picker in a real browser: typing part of a name, picking by keyboard, submitting."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Fund

MANAGER = "manager@demo.example"


def test_a_sponsor_region_is_found_by_name_and_picked_with_the_keyboard(signed_in, e2e_engine):
    page = signed_in(MANAGER)
    page.goto("/funds/new")
    page.get_by_label("Code", exact=True).fill("PICK-1")
    page.get_by_label("Name", exact=True).fill("键盘选择的基金")
    sponsor = page.get_by_role("combobox", name="Sponsor region")
    sponsor.press_sequentially("河源")
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options.first).to_contain_text("441600 河源市")
    expect(sponsor).to_have_attribute("aria-expanded", "true")

    sponsor.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    sponsor.press("Enter")  # picks; does not submit the form
    expect(sponsor).to_have_value("441600")
    expect(sponsor).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#sponsor_region-name")).to_have_text("河源市")

    sponsor.press_sequentially("x")  # Escape closes a list without choosing
    sponsor.press("Backspace")
    sponsor.press("Escape")
    expect(sponsor).to_have_attribute("aria-expanded", "false")
    expect(sponsor).to_have_value("441600")

    page.get_by_label("Manager", exact=True).fill("河源产投")
    page.get_by_label("Vintage", exact=True).fill("2025")
    page.get_by_label("Target size (yuan)", exact=True).fill("100000000")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/funds/\d+$"))
    with Session(e2e_engine) as session:
        fund = session.scalars(select(Fund).where(Fund.code == "PICK-1")).one()
        assert fund.sponsor_region.code == "441600"
