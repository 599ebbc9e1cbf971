"""Signing in and out: cookies, wrong passwords, rate limiting, safe redirects, profile changes."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urljoin, urlsplit

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from app.domain.codes import Role
from app.models import AuditEntry, SignInAttempt, User
from app.services.access import users
from tests.factories import PASSWORD, make_user, sign_in
from tests.web.helpers import client_of, text_of

NEW_PASSWORD = "a brand new passphrase"


def _signed_in(client) -> bool:
    """Whether the client's session opens a page behind sign-in."""
    return client.get("/funds/").status_code == 200


def _session_cookie(response) -> str:
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return cookie


def test_the_right_password_signs_in_with_an_http_only_same_site_lax_cookie(app, client, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    response = sign_in(client, user)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/"
    attributes = [a.strip().lower() for a in _session_cookie(response).split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert _signed_in(client)


def test_a_wrong_password_is_refused_with_422_and_no_session(app, client, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    response = sign_in(client, user, "not the password at all")
    assert response.status_code == 422
    assert "Wrong e-mail or password." in text_of(response)
    assert not _signed_in(client)


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(client, db):
    response = sign_in(client, "nobody@example.cn")
    assert response.status_code == 422
    assert "Wrong e-mail or password." in text_of(response)


def _fail(client, user, times: int) -> None:
    for _ in range(times):
        assert sign_in(client, user, "wrong password!").status_code == 422


def test_after_five_failures_even_the_right_password_gets_429(app, client, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    _fail(client, user, 5)
    response = sign_in(client, user)
    assert response.status_code == 429
    assert "Too many failed attempts" in text_of(response)
    assert not _signed_in(client)


def test_failures_older_than_the_window_no_longer_block(app, client, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    _fail(client, user, 5)
    window = app.config["SIGN_IN_WINDOW_SECONDS"]
    db.execute(update(SignInAttempt).where(SignInAttempt.email == user.email).values(
        attempted_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=window + 60)))
    db.commit()
    assert sign_in(client, user).status_code == 302


def test_failed_sign_ins_are_audited_as_sign_in_failed_without_the_password(app, client, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    typed = "Tr0ub4dor&3-typo"
    sign_in(client, user, typed)
    db.expire_all()
    failures = db.scalars(select(AuditEntry).where(AuditEntry.action == "SIGN_IN_FAILED")).all()
    assert [f.changed_fields["email"] for f in failures] == [user.email]
    everything = " ".join(e.changes for e in db.scalars(select(AuditEntry)))
    assert typed not in everything


def test_passwords_are_stored_as_argon2id_hashes(app, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    client = client_of(app, user)
    before = user.password_hash
    assert before.startswith("$argon2id$")
    assert PASSWORD not in before
    client.post("/profile", data={"pw-current_password": PASSWORD, "pw-new_password": NEW_PASSWORD})
    db.expire_all()
    stored = db.scalar(select(User.password_hash).where(User.id == user.id))
    assert stored.startswith("$argon2id$") and stored != before


def _as_a_browser_resolves(location: str) -> str:
    """The host a browser goes to: it drops tabs and newlines and reads a backslash as a slash."""
    cleaned = "".join(ch for ch in location if ch not in "\t\r\n").replace("\\", "/")
    return urlsplit(urljoin("http://localhost/", cleaned)).netloc


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example",
                                    "http://evil.example/", "///evil.example", "/\\evil.example",
                                    "/\t/evil.example", "https:evil.example"])
def test_next_never_sends_the_user_off_site(app, client, db, target):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    response = client.post("/sign-in", query_string={"next": target},
                           data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert _as_a_browser_resolves(response.headers["Location"]) == "localhost"
    if target.startswith(("//", "https://", "http://")):
        assert response.headers["Location"] == "/"


def test_next_on_this_site_is_followed(app, client, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    response = client.post("/sign-in", query_string={"next": "/funds/?quarter=2024Q4"},
                           data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/funds/?quarter=2024Q4"


def _disable(db, user) -> None:
    fresh = users.get_user(db, user.id)
    users.set_grants(db, user.id, fresh.version, [users.GrantSpec(Role.AUDITOR)], False)
    db.commit()


def test_a_disabled_user_cannot_sign_in(app, client, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    _disable(db, user)
    response = sign_in(client, user)
    assert response.status_code == 422
    assert not _signed_in(client)


def test_disabling_a_user_ends_their_open_session(app, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    client = client_of(app, user)
    _disable(db, user)
    assert not _signed_in(client)


def test_changing_the_password_ends_the_users_other_sessions(app, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    here, elsewhere = client_of(app, user), client_of(app, user)
    response = here.post("/profile", data={"pw-current_password": PASSWORD,
                                           "pw-new_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(elsewhere)
    assert sign_in(app.test_client(), user, PASSWORD).status_code == 422
    assert sign_in(app.test_client(), user, NEW_PASSWORD).status_code == 302


def test_a_wrong_current_password_changes_nothing(app, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    client = client_of(app, user)
    response = client.post("/profile", data={"pw-current_password": "not it at all",
                                             "pw-new_password": NEW_PASSWORD})
    assert response.status_code == 422
    assert sign_in(app.test_client(), user, PASSWORD).status_code == 302


def test_the_language_chosen_on_the_profile_is_kept_for_the_next_sign_in(app, db):
    user = make_user(db, Role.AUDITOR, locale="zh")
    db.commit()
    client = client_of(app, user)
    assert '<html lang="zh-CN">' in text_of(client.get("/profile"))
    assert client.post("/profile", data={"lang-locale": "en"}).status_code == 302
    db.expire_all()
    assert db.scalar(select(User.locale).where(User.id == user.id)) == "en"
    later = client_of(app, user)
    assert '<html lang="en">' in text_of(later.get("/profile"))


def test_signing_out_ends_the_session(app, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    client = client_of(app, user)
    assert client.post("/sign-out").status_code == 302
    assert not _signed_in(client)


@pytest.fixture
def verifications(monkeypatch):
    """Every argon2 verification the sign-in makes (the real verifier runs; it is only counted)."""
    seen = []

    class CountingHasher(PasswordHasher):
        def verify(self, password_hash, password):
            seen.append(password_hash)
            return super().verify(password_hash, password)

    monkeypatch.setattr(users, "_HASHER", CountingHasher())
    return seen


def test_unknown_disabled_and_known_emails_cost_the_same_one_verification(app, client, db,
                                                                          verifications):
    known = make_user(db, Role.AUDITOR)
    disabled = make_user(db, Role.AUDITOR)
    db.commit()
    _disable(db, disabled)
    for email, expected in ((known.email, 422), ("nobody@example.cn", 422),
                            (disabled.email, 422), (known.email, 302)):
        before = len(verifications)
        password = PASSWORD if expected == 302 else "not the password at all"
        response = client.post("/sign-in", data={"email": email, "password": password})
        assert response.status_code == expected, email
        assert len(verifications) == before + 1, email
        assert verifications[-1].startswith("$argon2id$")
