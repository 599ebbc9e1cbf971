"""End-to-end fixtures: the demo COMMITTED to a database of each test's own, the app served on
127.0.0.1 from a background thread, and Debian's Chromium driven headless by Playwright.

The rest of the suite rolls every test back; a real server in another thread cannot see such
data, so the journeys get databases of their own. The demo is loaded once per run, through the
same services as ``flask demo load``, into a pristine template (a SQLite file, or a PostgreSQL
database next to ``TEST_DATABASE_URL``); every test then gets a fresh copy of it and a server of
its own on that copy, so no journey sees what another did, whatever the order they run in.
"""

from __future__ import annotations

import itertools
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import make_url
from werkzeug.serving import make_server

from app import create_app
from app.config import test_database_url
from app.demo import funds as demo
from app.models.database import make_engine
from tests.databases import migrated_with, sibling_postgres_database
from tests.e2e.pages import switch_language

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
DEFAULT_TIMEOUT_MS = 10_000

PASSWORDS = {u.email: u.password for u in demo.DEMO_USERS}
"""The demo sign-ins, e-mail → password."""


@pytest.fixture(scope="session")
def e2e_template_url(tmp_path_factory) -> Iterator[str]:
    """The pristine template: a migrated database holding the demo, committed, with no
    connection left open (PostgreSQL copies only an idle template). Never served, never written
    to after loading; dropped at the end on PostgreSQL."""
    base = test_database_url()
    if base is None:
        yield _with_demo("sqlite:///" + str(tmp_path_factory.mktemp("e2e") / "template.sqlite3"))
    else:
        with sibling_postgres_database(base, "e2e") as url:
            yield _with_demo(url)


def _with_demo(url: str) -> str:
    """Migrate ``url`` and load the demo into it, committed; the URL."""
    return migrated_with(url, demo.load_demo, "e2e tests")  # its users start in Chinese


_copies = itertools.count(1)


@pytest.fixture
def e2e_database_url(e2e_template_url, tmp_path) -> Iterator[str]:
    """This test's own copy of the template (a file copy on SQLite, ``CREATE DATABASE …
    TEMPLATE`` on PostgreSQL, dropped after the test)."""
    base = test_database_url()
    if base is None:
        copy = tmp_path / "e2e.sqlite3"
        template = make_url(e2e_template_url).database
        with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(copy)) as target:
            source.backup(target)
        yield f"sqlite:///{copy}"
    else:
        with sibling_postgres_database(base, f"e2e_{next(_copies)}",
                                       template_url=e2e_template_url) as url:
            yield url


@pytest.fixture
def e2e_engine(e2e_database_url):
    """An engine on this test's database, for set-up steps and checks a journey does not show."""
    engine = make_engine(e2e_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def live_server(e2e_database_url) -> Iterator[str]:
    """The app on this test's database, served on a free port of 127.0.0.1 from a thread;
    yields its base URL."""
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": e2e_database_url,
                      "SECRET_KEY": "e2e-secret-not-for-production",
                      "SESSION_COOKIE_SECURE": False})  # plain http; CSRF stays on
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True,
                              kwargs={"poll_interval": 0.05})  # shutdown() waits for a poll
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
    app.extensions["db_engine"].dispose()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless (Playwright's own browser download is not used)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (scripts/ensure-packages)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable]:
    """Opens a fresh browser context (no cookies) and page on the live server; closed after.
    A server error (5xx) on any page the browser loaded fails the test, naming the URL."""
    contexts, server_errors = [], []

    def open_page(locale: str = "en-US"):
        context = browser.new_context(base_url=live_server, locale=locale, accept_downloads=True,
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.on("response", lambda response: server_errors.append(
            f"{response.status} {response.request.method} {response.url}")
            if response.status >= 500 else None)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    assert server_errors == [], f"the server failed (see the log above): {server_errors}"


@pytest.fixture
def signed_in(new_page) -> Callable:
    """Signs a demo user in through the sign-in form and returns their page (on their home),
    switched to English with the header's language switch (the journeys read English)."""
    def sign_in(email: str, language: str = "English"):
        page = new_page()
        page.goto("/sign-in")
        page.get_by_label(re.compile(r"^(E-mail|电子邮件|电子邮箱|邮箱)")).fill(email)
        page.get_by_label(re.compile(r"^(Password|密码)")).fill(PASSWORDS[email])
        page.get_by_role("button", name=re.compile(r"^(Sign in|登录)$")).click()
        expect(page).not_to_have_url(re.compile(r"/sign-in"))
        if page.get_by_role("button", name=language, exact=True).is_enabled():
            switch_language(page, language)
        return page

    return sign_in
