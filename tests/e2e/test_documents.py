"""A bureau attaches the signed statement scan to a quarter and downloads it; the Attachments
panel at 1366 and 390 px in both languages (screenshots under build/screenshots/)."""

from __future__ import annotations

import hashlib
import re

from playwright.sync_api import expect

from tests import documents_files as files
from tests.e2e.pages import SCREENSHOTS, flash, open_statement, switch_language

HEYUAN = "bureau.heyuan@demo.example"
AGREEMENT = "SZHY-2024-01"
QUARTER = "2026Q2"  # closed in the demo: a closed quarter still takes its documents


def _attach(page, path, note: str) -> None:
    panel = page.locator("#attachments")
    panel.get_by_label(re.compile("^(File|文件)$")).set_input_files(str(path))
    panel.get_by_label(re.compile(r"^(Note \(optional\)|备注（可选）)$")).fill(note)
    panel.get_by_role("button", name=re.compile("^(Attach|上传)$")).click()


def test_a_bureau_attaches_the_signed_statement_scan_and_downloads_it(signed_in, tmp_path):
    scan = files.pdf()
    path = tmp_path / "签署版 2026Q2.pdf"
    path.write_bytes(scan)
    page = signed_in(HEYUAN)
    open_statement(page, AGREEMENT, QUARTER)
    _attach(page, path, "signed and stamped by both bureaus")
    flash(page, "签署版 2026Q2.pdf attached.")
    item = page.locator("li.document").filter(has_text="签署版 2026Q2.pdf")
    expect(item).to_contain_text(f"{len(scan):,} bytes")
    expect(item).to_contain_text("signed and stamped by both bureaus")
    expect(item).to_contain_text("uploaded by")
    digest = hashlib.sha256(scan).hexdigest()
    item.locator("summary").click()
    expect(item.locator("code.full")).to_have_text(digest)

    with page.expect_download() as download_info:
        item.get_by_role("link", name="签署版 2026Q2.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "签署版 2026Q2.pdf"
    data = open(download.path(), "rb").read()  # noqa: SIM115 - a file Playwright owns
    assert data == scan and hashlib.sha256(data).hexdigest() == digest


def test_the_attachments_panel_at_1366_and_390_px_in_both_languages(signed_in, tmp_path):
    page = signed_in(HEYUAN)
    open_statement(page, AGREEMENT, QUARTER)
    for name, data in (("签署版 2026Q2（盖章）.pdf", files.pdf()),
                       ("河源市统计局原始报表.xlsx", files.xlsx())):
        path = tmp_path / name
        path.write_bytes(data)
        _attach(page, path, "季度结算单签署版" if name.endswith(".pdf") else "")
        flash(page, f"{name} attached.")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    url = page.url.split("#")[0]
    for language, suffix in (("English", "en"), ("中文", "zh")):
        if page.get_by_role("button", name=language, exact=True).is_enabled():
            switch_language(page, language)
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(url + "#attachments")
            panel = page.locator("#attachments")
            expect(panel.get_by_role("heading", level=2)).to_have_text(
                "Attachments" if suffix == "en" else "附件")
            expect(panel.locator("li.document")).to_have_count(2)
            panel.screenshot(path=str(SCREENSHOTS / f"attachments-{suffix}-{width}.png"))
            assert page.evaluate("document.documentElement.scrollWidth") <= width
