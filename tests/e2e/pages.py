"""Steps the journeys share: finding pages by their links, reading figures as a user reads them."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
"""Where the screenshot test leaves its PNGs (``build/`` is git-ignored)."""
UNITS = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}
_NUMBER = re.compile(r"-?[\d,]+(?:\.\d+)?")


def nav(page: Page, name: str) -> None:
    """Follow a link of the top navigation."""
    page.get_by_role("navigation").get_by_role("link", name=name, exact=True).first.click()


def figure(page: Page, label: str) -> str:
    """The text shown right after a label (a key figure's value, a fact's definition)."""
    return page.get_by_text(label, exact=True).first.locator(
        "xpath=following-sibling::*[1]").inner_text().strip()


def yuan(shown: str) -> Decimal:
    """An amount as displayed ("1,234.50", "1,234.50 万元") in yuan."""
    number = _NUMBER.search(shown)
    assert number, f"no amount in {shown!r}"
    unit = next((v for k, v in sorted(UNITS.items(), key=lambda kv: -len(kv[0])) if k in shown),
                Decimal(1))
    return Decimal(number.group().replace(",", "")) * unit


def quantum(shown: str) -> Decimal:
    """The step of a displayed amount in yuan: 0.01 for "1,234.50", 100 for "1,234.50 万元"."""
    number = _NUMBER.search(shown).group()
    places = len(number.split(".")[1]) if "." in number else 0
    return yuan(shown.replace(number, "1")) * Decimal(1).scaleb(-places)


def percent(shown: str) -> Decimal:
    """A percentage as displayed ("59.00 %") as a number of percent."""
    number = _NUMBER.search(shown)
    assert number, f"no percentage in {shown!r}"
    return Decimal(number.group().replace(",", ""))


def switch_language(page: Page, name: str) -> None:
    """Switch the interface language with the header's switch ("English" or "中文")."""
    page.get_by_role("button", name=name, exact=True).click()
    expect(page.get_by_role("button", name=name, exact=True)).to_be_disabled()


def flash(page: Page, text: str) -> None:
    """Wait for the confirmation message the app flashes after an action."""
    expect(page.get_by_role("status").filter(has_text=text).first).to_be_visible()


def open_agreement(page: Page, code: str) -> None:
    """From any page: Agreements → the agreement."""
    nav(page, "Agreements")
    page.get_by_role("link", name=code, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)


def quarter_row(page: Page, quarter: str):
    """The agreement page's row of a quarter (in its table of quarters, not of exceptions)."""
    return page.locator("#quarters").get_by_role("row").filter(
        has=page.get_by_role("cell", name=quarter, exact=True))


def open_statement(page: Page, code: str, quarter: str) -> None:
    """From any page: Agreements → the agreement → the quarter's statement."""
    open_agreement(page, code)
    quarter_row(page, quarter).get_by_role("link", name="Statement", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Sharing statement {quarter}")
