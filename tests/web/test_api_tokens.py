"""Personal API tokens: stored hashed, shown once, revocable; only a bearer token opens the API."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import func, select

from app import create_app
from app.domain.codes import Role
from app.models import ApiToken, AuditEntry, Movement, RefusalCounter
from app.services.access import tokens, users
from tests.factories import PASSWORD, make_fund, make_user
from tests.web.api_helpers import call_api, make_holding, problem_of, token_for
from tests.web.helpers import client_of, count, text_of

_SECRET = re.compile(r'id="new-token">(tlk_[^<]+)<')


def test_a_token_is_stored_as_the_sha256_of_its_secret_with_a_short_clear_prefix(db):
    user = make_user(db, Role.ADMIN)
    created = tokens.create_token(db, user.id, "ERP")
    row = db.get(ApiToken, created.token.id)
    assert row.token_hash == hashlib.sha256(created.secret.encode()).hexdigest()
    assert created.secret.startswith(row.prefix) and len(row.prefix) == 12
    assert created.secret not in {row.token_hash, row.prefix, row.name}


def test_the_audit_trail_records_a_token_without_its_hash(db):
    user = make_user(db, Role.ADMIN)
    created = tokens.create_token(db, user.id, "ERP")
    db.flush()
    entry = db.scalars(select(AuditEntry).where(AuditEntry.entity == "api_tokens")
                       .order_by(AuditEntry.seq.desc())).first()
    assert entry.changed_fields["token_hash"] == [None, "***"]
    assert created.token.token_hash not in entry.changes


def test_a_revoked_token_is_refused_with_401(app, client, db):
    holding = make_holding(db)
    row = db.scalar(select(ApiToken).where(ApiToken.user_id == holding.manager.id))
    db.commit()
    url = f"/api/v1/funds/{holding.fund.id}"
    assert call_api(client, "GET", url, holding.token).status_code == 200
    tokens.revoke_token(db, holding.manager.id, row.id)
    db.commit()
    response = call_api(client, "GET", url, holding.token)
    assert response.status_code == 401
    assert problem_of(response)["title"] == "Unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_or_missing_token_is_refused_with_401_and_logged(app, client, db):
    holding = make_holding(db)
    db.commit()
    url = f"/api/v1/funds/{holding.fund.id}"
    for token in (None, "tlk_not-a-real-token", holding.token + "x"):
        assert call_api(client, "GET", url, token).status_code == 401
    assert client.get(url, headers={"Authorization": f"Basic {holding.token}"}).status_code == 401
    db.expire_all()
    refused = db.scalars(select(AuditEntry).where(AuditEntry.action == "TOKEN_REFUSED")).all()
    # One entry per source and minute (services/refusals.py); every refusal is counted.
    assert [e.changed_fields["token"] for e in refused][:1] == ["tlk_not-a-re"]
    assert len(refused) <= 2 and db.scalar(select(func.sum(RefusalCounter.refused))) == 2
    assert all(holding.token not in e.changes for e in refused)


def test_the_token_of_a_disabled_user_is_refused(app, client, db):
    holding = make_holding(db)
    user = users.get_user(db, holding.manager.id)
    users.set_grants(db, user.id, user.version,
                     [users.GrantSpec(Role.FUND_MANAGER, fund_code=holding.fund.code)], False)
    db.commit()
    assert call_api(client, "GET", "/api/v1/funds", holding.token).status_code == 401


def test_a_session_cookie_without_a_token_does_not_open_the_api(app, db):
    # Otherwise a forged cross-site POST would bypass CSRF through the (exempt) API.
    holding = make_holding(db)
    db.commit()
    browser = client_of(app, holding.manager)
    before = count(db, Movement)
    url = f"/api/v1/funds/{holding.fund.id}/movements"
    response = call_api(browser, "POST", url, None, {
        "type": "CAPITAL_CALL", "moved_on": "2024-05-01", "amount": "100.00"})
    assert response.status_code == 401
    assert browser.get(f"/api/v1/funds/{holding.fund.id}").status_code == 401
    assert count(db, Movement) == before


def test_a_token_acts_as_its_user_not_as_the_signed_in_browser(app, db):
    holding = make_holding(db)
    admin = make_user(db, Role.ADMIN)
    other = make_fund(db)
    db.commit()
    browser = client_of(app, admin)  # the admin's cookie rides along with the manager's token
    assert call_api(browser, "GET", f"/api/v1/funds/{other.id}", holding.token).status_code == 404


def test_the_first_use_of_a_token_is_remembered(app, client, db):
    holding = make_holding(db)
    db.commit()
    call_api(client, "GET", "/api/v1/funds", holding.token)
    db.expire_all()
    row = db.scalar(select(ApiToken).where(ApiToken.user_id == holding.manager.id))
    assert row.last_used_at is not None


def test_the_profile_page_creates_a_token_shows_it_once_and_revokes_it(app, db):
    user = make_user(db, Role.ADMIN)
    db.commit()
    browser = client_of(app, user)
    created = browser.post("/profile/tokens", data={"tok-name": "统计局 ERP"})
    assert created.status_code == 201
    secret = _SECRET.search(text_of(created)).group(1)
    assert call_api(app.test_client(), "GET", "/api/v1/funds", secret).status_code == 200
    page = text_of(browser.get("/profile"))
    assert "统计局 ERP" in page and secret[:12] in page and secret not in page
    row = db.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    revoked = browser.post("/profile/tokens/revoke", data={"token_id": str(row.id)})
    assert revoked.status_code == 302
    assert call_api(app.test_client(), "GET", "/api/v1/funds", secret).status_code == 401


def test_a_token_needs_a_name_and_nobody_revokes_anothers_token(app, db):
    user, other = make_user(db, Role.ADMIN), make_user(db, Role.ADMIN)
    secret = token_for(db, other)
    theirs = db.scalar(select(ApiToken).where(ApiToken.user_id == other.id))
    db.commit()
    browser = client_of(app, user)
    assert browser.post("/profile/tokens", data={"tok-name": " "}).status_code == 422
    assert browser.post("/profile/tokens/revoke",
                        data={"token_id": str(theirs.id)}).status_code == 404
    assert browser.post("/profile/tokens/revoke",
                        data={"token_id": "99999999999999"}).status_code == 404
    assert call_api(app.test_client(), "GET", "/api/v1/funds", secret).status_code == 200


def test_with_csrf_on_a_token_needs_no_csrf_token_and_a_cookie_alone_gets_401(database_url,
                                                                             connection, db):
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": database_url, "SECRET_KEY": "x"})
    app.extensions["db_sessionmaker"].configure(bind=connection,
                                                join_transaction_mode="create_savepoint")
    holding = make_holding(db)
    db.commit()
    body = {"type": "FEE", "moved_on": "2024-05-01", "amount": "1.00"}
    url = f"/api/v1/funds/{holding.fund.id}/movements"
    assert call_api(app.test_client(), "POST", url, holding.token, body).status_code == 201
    browser = app.test_client()
    page = browser.get("/sign-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    signed_in = browser.post("/sign-in", data={"email": holding.manager.email,
                                               "password": PASSWORD, "csrf_token": csrf})
    assert signed_in.status_code == 302
    assert call_api(browser, "POST", url, None, body).status_code == 401
