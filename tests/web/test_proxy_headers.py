"""Behind a reverse proxy (``TRUSTED_PROXIES``) the security log records the client's address;
without it, a forged X-Forwarded-For header is ignored."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import create_app
from app.models import SignInAttempt


@pytest.fixture
def app_behind(database_url, connection):
    """The app as configured behind one proxy, its sessions on the test's connection."""
    def build(proxies: int):
        app = create_app({"APP_ENV": "testing", "DATABASE_URL": database_url,
                          "SECRET_KEY": "proxy-tests", "WTF_CSRF_ENABLED": False,
                          "TRUSTED_PROXIES": proxies})
        app.extensions["db_sessionmaker"].configure(
            bind=connection, join_transaction_mode="create_savepoint")
        return app
    return build


def _recorded_address(db, email: str) -> str:
    db.expire_all()
    return db.scalars(select(SignInAttempt.remote_addr)
                      .where(SignInAttempt.email == email)).one()


def test_behind_a_trusted_proxy_the_sign_in_log_has_the_forwarded_client_address(app_behind, db):
    client = app_behind(1).test_client()
    client.post("/sign-in", data={"email": "proxied@example.cn", "password": "wrong-password"},
                headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
    assert _recorded_address(db, "proxied@example.cn") == "203.0.113.7"


def test_without_a_trusted_proxy_a_forged_forwarded_address_is_ignored(app_behind, db):
    client = app_behind(0).test_client()
    client.post("/sign-in", data={"email": "direct@example.cn", "password": "wrong-password"},
                headers={"X-Forwarded-For": "203.0.113.7"})
    assert _recorded_address(db, "direct@example.cn") == "127.0.0.1"
