"""Hardening users never see: security headers, CSRF, no default secret, secure cookies,
escaping."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from app import create_app
from app.config import ConfigError
from app.domain.codes import Role
from app.models import Movement
from tests.factories import PASSWORD, call, make_fund, make_user
from tests.web.helpers import client_of, count, text_of

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _bound(app, connection):
    app.extensions["db_sessionmaker"].configure(
        bind=connection, join_transaction_mode="create_savepoint")
    return app


@pytest.fixture
def csrf_app(database_url, connection):
    """The app as deployed: CSRF protection on."""
    return _bound(create_app({"APP_ENV": "testing", "DATABASE_URL": database_url,
                              "SECRET_KEY": "x"}), connection)


def _token(client, path: str) -> str:
    return _TOKEN.search(text_of(client.get(path))).group(1)


def _sign_in_with_token(client, user):
    return client.post("/sign-in", data={"email": user.email, "password": PASSWORD,
                                         "csrf_token": _token(client, "/sign-in")})


def _csp(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


def test_every_kind_of_page_carries_the_security_headers(app, client, db):
    fund = make_fund(db)
    user = make_user(db, Role.FUND_MANAGER, fund.code)
    db.commit()
    pages = [client.get("/sign-in")]
    signed_in = client_of(app, user)
    pages += [signed_in.get(f"/funds/{fund.id}"), signed_in.get("/funds/999999"),
              signed_in.post(f"/funds/{fund.id}/movements/new", data={})]
    for response in pages:
        policy = _csp(response)
        scripts = policy.get("script-src", policy["default-src"])
        assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
        assert policy["frame-ancestors"] == ["'none'"]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_need_no_inline_script_the_policy_would_block(app, db):
    fund = make_fund(db)
    call(db, fund, "1000000.00", dt.date(2024, 3, 1))
    user = make_user(db, Role.FUND_MANAGER, fund.code)
    db.commit()
    client = client_of(app, user)
    for path in ("/", f"/funds/{fund.id}", "/funds/", f"/funds/{fund.id}/edit", "/profile"):
        body = text_of(client.get(path))
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), path
        assert not re.search(r"\son[a-z]+\s*=", body), path


def test_a_post_without_a_csrf_token_is_refused_and_writes_nothing(csrf_app, db):
    fund = make_fund(db)
    user = make_user(db, Role.FUND_MANAGER, fund.code)
    db.commit()
    client = csrf_app.test_client()
    assert _sign_in_with_token(client, user).status_code == 302
    movement = {"type": "CAPITAL_CALL", "moved_on": "2024-03-01", "amount": "1000.00"}
    before = count(db, Movement)
    response = client.post(f"/funds/{fund.id}/movements/new", data=movement)
    assert response.status_code == 400
    assert count(db, Movement) == before
    # The same form with the page's token goes through: the token was the only thing missing.
    token = _token(client, f"/funds/{fund.id}/movements/new")
    response = client.post(f"/funds/{fund.id}/movements/new",
                           data={**movement, "csrf_token": token})
    assert response.status_code == 302
    assert count(db, Movement) == before + 1


def test_sign_in_and_sign_out_without_a_token_are_refused(csrf_app, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    client = csrf_app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/funds/").status_code == 302
    assert _sign_in_with_token(client, user).status_code == 302
    assert client.post("/sign-out").status_code == 400  # a forged sign-out link does nothing
    assert client.get("/funds/").status_code == 200


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"APP_ENV": "production"})
    monkeypatch.delenv("APP_ENV", raising=False)
    with pytest.raises(ConfigError):  # production is the default, not an opt-in
        create_app({})


def test_production_sets_the_session_cookie_secure(database_url, connection, db, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = _bound(create_app({"APP_ENV": "production", "DATABASE_URL": database_url,
                             "SECRET_KEY": "a production secret from the environment"}),
                 connection)
    user = make_user(db, Role.AUDITOR)
    db.commit()
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"  # a Secure cookie only travels over HTTPS
    response = _sign_in_with_token(client, user)
    assert response.status_code == 302
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    attributes = [a.strip().lower() for a in cookie.split(";")]
    assert {"secure", "httponly", "samesite=lax"} <= set(attributes)


def test_signing_in_starts_a_fresh_session(app, client, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    with client.session_transaction() as before:
        before["planted"] = "by someone else"
        before["locale"] = "en"
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after["user_id"] == user.id and after["locale"] == "en"


def test_an_oversized_request_is_refused_with_413(app, db):
    fund = make_fund(db)
    user = make_user(db, Role.FUND_MANAGER, fund.code)
    db.commit()
    client = client_of(app, user)
    app.config["MAX_CONTENT_LENGTH"] = 1024
    before = count(db, Movement)
    response = client.post(f"/funds/{fund.id}/movements/new",
                           data={"type": "FEE", "moved_on": "2024-03-01", "amount": "10.00",
                                 "note": "x" * 4096})
    assert response.status_code == 413
    assert count(db, Movement) == before


def test_user_text_is_escaped_on_the_fund_list_and_dashboard(app, db):
    fund = make_fund(db, name="<script>alert(1)</script>", manager='"><img src=x onerror=1>')
    user = make_user(db, Role.FUND_MANAGER, fund.code)
    db.commit()
    client = client_of(app, user)
    for path in ("/funds/", f"/funds/{fund.id}"):
        body = text_of(client.get(path))
        assert "<script>alert(1)</script>" not in body, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, path
    assert "<img src=x" not in text_of(client.get(f"/funds/{fund.id}"))

