"""Killed database connections (issue 12): after every backend of the app's database has been
terminated (``pg_terminate_backend``, as a database restart does), the requests that follow all
succeed, ``/health/ready`` included: no stale pooled connection ever reaches a user."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app import create_app
from app.domain.codes import Role
from app.models import database as database_module
from app.models import set_actor
from app.services.access import tokens
from tests.factories import make_fund, make_user

pytestmark = pytest.mark.postgres_only
REQUESTS = 12


@pytest.fixture
def served(committing_engine):
    """An app on the committing database with its own pool, and a token of a fund manager."""
    url = committing_engine.url.render_as_string(hide_password=False)
    with Session(committing_engine) as session:
        set_actor(session, None, "tests:killed")
        fund = make_fund(session)
        secret = tokens.create_token(
            session, make_user(session, Role.FUND_MANAGER, fund.code).id, "killed").secret
        session.commit()
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": url, "SECRET_KEY": "killed-tests"})
    yield app, secret
    app.extensions["db_engine"].dispose()
    committing_engine.dispose()  # its pooled connections were killed too


def _fill_the_pool(app, size: int = 4) -> None:
    engine = app.extensions["db_engine"]
    connections = [engine.connect() for _ in range(size)]
    for connection in connections:
        connection.execute(text("SELECT 1"))
    for connection in connections:
        connection.close()


def _terminate_every_backend(committing_engine, *, wait: bool) -> int:
    """Terminate every other backend of the database; with ``wait``, until they are gone."""
    with committing_engine.connect() as admin:
        killed = admin.scalar(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        deadline = time.monotonic() + 10
        while wait and time.monotonic() < deadline and admin.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")):
            time.sleep(0.02)
    return killed


def _all_answered(app, secret: str) -> list[int]:
    client = app.test_client()
    statuses = []
    for n in range(REQUESTS):
        if n % 2:
            response = client.get("/api/v1/funds", headers={"Authorization": f"Bearer {secret}"})
        else:
            response = client.get("/health/ready")
        statuses.append(response.status_code)
    return statuses


def test_requests_after_every_backend_was_terminated_all_succeed(served, committing_engine):
    app, secret = served
    _fill_the_pool(app)
    assert _terminate_every_backend(committing_engine, wait=False) >= 4
    assert _all_answered(app, secret) == [200] * REQUESTS


def test_a_backend_killed_unnoticed_is_retried_on_a_fresh_connection(
        served, committing_engine, monkeypatch):
    """The race the socket check cannot see (the connection looks quiet, yet it is dead): the
    request's first statement fails, and the request runs again on a fresh connection."""
    app, secret = served
    _fill_the_pool(app)
    _terminate_every_backend(committing_engine, wait=True)
    monkeypatch.setattr(database_module, "_has_news", lambda _connection: False)
    assert _all_answered(app, secret) == [200] * REQUESTS
    _fill_the_pool(app)
    _terminate_every_backend(committing_engine, wait=True)
    client = app.test_client()
    assert client.get("/api/v1/funds",
                      headers={"Authorization": f"Bearer {secret}"}).status_code == 200
