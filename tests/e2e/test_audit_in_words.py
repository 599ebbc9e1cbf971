"""An auditor reads the audit trail in words in a real browser, in both languages: the changes
column labels its fields and names its ids, times are local, and the stored record is one click
away. Screenshots of the list at 1366 and 390 px in both languages go to build/screenshots/."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.pages import SCREENSHOTS

AUDITOR = "auditor@demo.example"
RAW_FIELD = re.compile(r"\b[a-z]+_(id|at|on)\b")   # auditor_id, created_at, moved_on …
ISO_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def test_the_audit_trail_in_words_at_1366_and_390_px_in_both_languages(signed_in):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for language, name, heading in (("English", "en", "Audit trail"), ("中文", "zh", "审计日志")):
        page = signed_in(AUDITOR, language=language)
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto("/audit/?entity=investment_transactions")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        changes = page.locator("table.list tbody tr td:nth-child(4)").all_inner_texts()
        assert changes and not any(RAW_FIELD.search(text) for text in changes), changes[:3]
        assert not any(ISO_MOMENT.search(text) for text in changes)
        assert any(re.search(r"\d{1,3}(,\d{3})+\.\d\d", text) for text in changes)  # amounts
        times = page.locator("table.list tbody tr td:nth-child(2)").all_inner_texts()
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", t) for t in times), times[:3]
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(SCREENSHOTS / f"audit-{width}-{name}.png"))
            assert page.evaluate("document.documentElement.scrollWidth") <= width

        page.set_viewport_size({"width": 1366, "height": 900})
        page.locator("table.list tbody tr td:first-child a").first.click()
        expect(page.locator("p.audit-sentence")).to_be_visible()
        raw_name = page.locator("table.entry-fields code.raw", has_text="investment_id")
        expect(raw_name).to_be_visible()
        assert not ISO_MOMENT.search(page.locator("dl.facts").inner_text())
