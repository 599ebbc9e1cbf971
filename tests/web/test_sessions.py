"""Sessions end for good: a copied cookie stops working after sign-out, a password change, the
user being disabled, or "sign out everywhere" (the state lives in the database)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import func, select

from app import create_app
from app.domain.codes import Role
from app.models import UserSession
from app.services.access import users
from tests.factories import PASSWORD, make_user
from tests.web.helpers import client_of, text_of

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _copy(app, client):
    """A second browser holding a copy of ``client``'s session cookie (as a thief would)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _is_sent_to_sign_in(client) -> bool:
    response = client.get("/funds/")
    return response.status_code == 302 and \
        urlsplit(response.headers["Location"]).path == "/sign-in"


def test_a_copied_cookie_works_while_the_session_lasts(app, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    client = client_of(app, user)
    assert _copy(app, client).get("/funds/").status_code == 200


def test_a_cookie_copied_before_sign_out_no_longer_signs_in(app, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    client = client_of(app, user)
    thief = _copy(app, client)
    assert client.post("/sign-out").status_code == 302
    assert _is_sent_to_sign_in(thief)
    assert _is_sent_to_sign_in(client)


def test_signing_out_ends_only_that_session(app, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    laptop, phone = client_of(app, user), client_of(app, user)
    laptop.post("/sign-out")
    assert phone.get("/funds/").status_code == 200


def test_a_cookie_copied_before_a_password_change_no_longer_signs_in(app, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    client = client_of(app, user)
    thief = _copy(app, client)
    response = client.post("/profile", data={"pw-current_password": PASSWORD,
                                             "pw-new_password": "a brand new passphrase"})
    assert response.status_code == 302
    assert client.get("/funds/").status_code == 200  # the one who changed it stays in
    assert _is_sent_to_sign_in(thief)


def test_a_disabled_users_cookies_stay_dead_when_the_user_is_enabled_again(app, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    client = client_of(app, user)
    thief = _copy(app, client)
    for active in (False, True):
        fresh = users.get_user(db, user.id)
        users.set_grants(db, user.id, fresh.version, [users.GrantSpec(Role.AUDITOR)], active)
        db.commit()
    assert _is_sent_to_sign_in(thief)
    assert _is_sent_to_sign_in(client)


def test_sign_out_everywhere_ends_every_session_of_the_user(app, db):
    user = make_user(db, Role.AUDITOR)
    other = make_user(db, Role.AUDITOR)
    db.commit()
    laptop, phone = client_of(app, user), client_of(app, user)
    bystander = client_of(app, other)
    assert "/sign-out-everywhere" in text_of(laptop.get("/profile"))
    response = laptop.post("/sign-out-everywhere")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/sign-in"
    assert _is_sent_to_sign_in(phone)
    assert _is_sent_to_sign_in(laptop)
    assert bystander.get("/funds/").status_code == 200
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(UserSession)
                     .where(UserSession.user_id == user.id)) == 0


def test_sign_out_everywhere_needs_the_forms_csrf_token(database_url, connection, db):
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": database_url, "SECRET_KEY": "x"})
    app.extensions["db_sessionmaker"].configure(bind=connection,
                                                join_transaction_mode="create_savepoint")
    user = make_user(db, Role.AUDITOR)
    db.commit()
    client = app.test_client()
    token = _TOKEN.search(text_of(client.get("/sign-in"))).group(1)
    assert client.post("/sign-in", data={"email": user.email, "password": PASSWORD,
                                         "csrf_token": token}).status_code == 302
    assert client.post("/sign-out-everywhere").status_code == 400
    assert client.get("/funds/").status_code == 200
    token = _TOKEN.search(text_of(client.get("/profile"))).group(1)
    assert client.post("/sign-out-everywhere", data={"csrf_token": token}).status_code == 302
    assert _is_sent_to_sign_in(client)
