"""A fund manager's ledger entry is checked before it is submitted: the form offers only the
types the instrument takes, shows what remains of the commitment, and warns as the amount is
typed when a disbursement would be more than that; submitted anyway, the server refuses it
beside the amount and the ledger is unchanged. Screenshots of the form at 1366 and 390 px in
both languages go to build/screenshots/."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import Page, expect

from tests.e2e.pages import SCREENSHOTS, nav, yuan

MANAGER = "manager@demo.example"


def _entry_form(page: Page, project: str) -> None:
    nav(page, "Funds")
    page.get_by_role("link", name="HF-01", exact=True).click()
    page.get_by_role("link", name=project, exact=True).click()
    page.get_by_role("link", name="New transaction").click()


def test_a_grant_offers_only_commitment_and_disbursement(signed_in):
    page = signed_in(MANAGER)
    _entry_form(page, "HF-005")  # the demo's grant
    options = page.get_by_label("Type", exact=True).locator("option")
    expect(options).to_have_text(["Commitment", "Disbursement"])


def test_a_disbursement_beyond_the_commitment_is_warned_then_refused(signed_in):
    page = signed_in(MANAGER)
    _entry_form(page, "HF-004")  # equity: 60 % of its commitment disbursed
    remaining = yuan(page.locator("#commitment-remaining").inner_text())
    assert remaining > 0
    warning = page.locator("#beyond-commitment")
    page.get_by_label("Type", exact=True).select_option(label="Disbursement")
    page.get_by_label("Date", exact=True).fill("2026-09-01")
    amount = page.get_by_label("Amount (yuan)", exact=True)

    amount.fill(f"{remaining:,}")
    expect(warning).to_be_hidden()
    amount.fill(f"{remaining + Decimal('0.01'):,}")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(f"{remaining:,}")
    page.get_by_label("Type", exact=True).select_option(label="Commitment")
    expect(warning).to_be_hidden()  # committing more is what makes room
    page.get_by_label("Type", exact=True).select_option(label="Disbursement")
    expect(warning).to_be_visible()

    ledger_url = page.url.rsplit("/transactions/", 1)[0]
    page.get_by_role("button", name="Save").click()
    error = page.locator(".field.has-error small.error")
    expect(error).to_contain_text("that remains of the commitment")
    expect(page.locator("#commitment-remaining")).to_have_text(f"{remaining:,}")
    page.goto(ledger_url)
    expect(page.get_by_text(f"{remaining + Decimal('0.01'):,}")).to_have_count(0)


def test_the_entry_form_at_1366_and_390_px_in_both_languages(signed_in):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for language, name in (("English", "en"), ("中文", "zh")):
        page = signed_in(MANAGER, language=language)
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto("/")
        page.locator("main a[href^='/funds/']").first.wait_for()
        page.goto(page.locator("header nav a[href='/funds/']").get_attribute("href"))
        page.locator("main table a", has_text="HF-01").first.click()
        page.locator("main a", has_text="HF-004").first.click()
        page.locator("main a[href$='/transactions/new']").first.click()
        page.locator("#type").select_option("DISBURSEMENT")
        page.locator("#amount").fill("999,999,999.00")
        expect(page.locator("#beyond-commitment")).to_be_visible()
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(SCREENSHOTS / f"investment-entry-{width}-{name}.png"),
                            full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= width
