"""The header's search box in a real browser: type, submit, follow a result."""

from __future__ import annotations

import re

from playwright.sync_api import expect

HEYUAN = "bureau.heyuan@demo.example"


def test_a_bureau_searches_from_the_header_and_opens_a_project(signed_in):
    page = signed_in(HEYUAN)

    box = page.get_by_role("searchbox", name="Search funds, projects, agreements, regions")
    box.fill("HY-001")
    box.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text("HY-001")
    expect(page.get_by_role("heading", name="Projects", level=2)).to_be_visible()
    page.get_by_role("link", name="HY-001", exact=False).first.click()
    expect(page).to_have_url(re.compile(r"/projects/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("HY-001")
