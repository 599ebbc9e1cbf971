"""Heyuan's bureau submits → Shenzhen's bureau sees its bell count rise, follows the item to the
statement, and the e-mail arrives in the test's SMTP server (aiosmtpd on 127.0.0.1) after
``notify send``. Screenshots of the bell and the inbox at 1366 and 390 px in both languages, and
the e-mail as a .eml file, go to build/screenshots/."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from app import create_app
from tests.e2e.pages import SCREENSHOTS, flash, open_agreement, quarter_row, switch_language
from tests.mail import SmtpServer

HEYUAN = "bureau.heyuan@demo.example"
SHENZHEN = "bureau.shenzhen@demo.example"
AGREEMENT = "SZHY-2024-01"
OPEN_QUARTER = "2026Q3"
OUTPUT_VALUE = r"(工业总产值|Gross industrial output value)"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def _config(database_url: str, smtp: SmtpServer) -> dict:
    return {"APP_ENV": "testing", "DATABASE_URL": database_url, "MAIL_URL": smtp.url,
            "SECRET_KEY": "e2e-secret-not-for-production", "SESSION_COOKIE_SECURE": False,
            "MAIL_FROM": "ledger@e2e.example", "BASE_URL": "https://ledger.e2e.example"}


@pytest.fixture
def live_server(e2e_database_url, smtp) -> Iterator[str]:
    """The conftest's server, with MAIL_URL naming the test's SMTP server."""
    app = create_app(_config(e2e_database_url, smtp))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True,
                              kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
    app.extensions["db_engine"].dispose()


def _unread(page: Page) -> int:
    badge = page.locator("header a.bell .badge")
    return int(badge.get_attribute("data-unread")) if badge.count() else 0


def _submit_as_heyuan(page: Page) -> None:
    open_agreement(page, AGREEMENT)
    quarter_row(page, OPEN_QUARTER).get_by_role("link", name="Observations", exact=True).click()
    page.get_by_label(re.compile(rf"^HY-006 {OUTPUT_VALUE}.* {OPEN_QUARTER}$")).fill(
        "23456789.01")
    page.get_by_role("button", name="Save observations").click()
    flash(page, "Observations saved.")
    page.get_by_role("button", name="Submit: the observations are complete").click()
    page.get_by_role("button", name=f"Yes, submit {OPEN_QUARTER}").click()  # asked once more
    flash(page, "Quarter submitted for confirmation.")


def _shoot(page: Page, name: str, width: int, *, url: str = "/notifications",
           open_menu: bool = False) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url)
    if open_menu:
        page.get_by_role("button", name=re.compile("^(Menu|菜单)")).click()
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if not open_menu:
        assert page.locator("header.topbar").bounding_box()["height"] < 70  # one row


def test_heyuan_submits_and_shenzhen_sees_the_bell_rise_and_gets_the_email(
        signed_in, smtp, e2e_database_url):
    shenzhen = signed_in(SHENZHEN)
    before = _unread(shenzhen)
    assert before == 0  # the demo's history is in the inbox, read
    _submit_as_heyuan(signed_in(HEYUAN))

    shenzhen.reload()
    expect(shenzhen.locator("header a.bell .badge")).to_have_attribute(
        "data-unread", str(before + 1))
    shenzhen.locator("header a.bell").click()
    expect(shenzhen.get_by_role("heading", level=1)).to_have_text("Notifications")
    item = shenzhen.get_by_role("link", name=f"{AGREEMENT} {OPEN_QUARTER} was submitted")
    expect(item).to_be_visible()

    result = create_app(_config(e2e_database_url, smtp)).test_cli_runner().invoke(
        args=["notify", "send"])
    # (the cycle's reminders of the day, to other bureaus, may go out in the same run)
    assert result.exit_code == 0 and "failed 0, pending 0" in result.output, result.output
    [message] = smtp.catcher.to(SHENZHEN)
    assert message["Subject"] == f"{AGREEMENT} {OPEN_QUARTER} was submitted"
    assert "/agreements/" in message.get_content()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "notification-email.eml").write_bytes(bytes(message))

    for language, code in (("English", "en"), ("中文", "zh")):
        if code == "zh":
            switch_language(shenzhen, language)
        _shoot(shenzhen, f"inbox-{code}", 1366)
        _shoot(shenzhen, f"inbox-all-{code}", 1366, url="/notifications?show=all")
        _shoot(shenzhen, f"inbox-{code}", 390)
        _shoot(shenzhen, f"inbox-menu-{code}", 390, open_menu=True)
    switch_language(shenzhen, "English")

    shenzhen.set_viewport_size({"width": 1366, "height": 900})
    shenzhen.get_by_role("link", name=f"{AGREEMENT} {OPEN_QUARTER} was submitted").click()
    expect(shenzhen.get_by_role("heading", level=1)).to_contain_text(
        f"Sharing statement {OPEN_QUARTER}")
    assert _unread(shenzhen) == before
