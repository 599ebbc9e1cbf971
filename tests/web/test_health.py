"""Liveness and readiness: what a load balancer or a deploy script relies on, signed out."""

from __future__ import annotations

import sqlite3

from app import create_app
from app.services.operations import health


def _app_on(url: str):
    return create_app({"APP_ENV": "testing", "DATABASE_URL": url, "SECRET_KEY": "health-tests"})


def _sqlite_at_revision(tmp_path, revision: str | None) -> str:
    """A SQLite file whose only table is ``alembic_version`` at ``revision`` (None: no table)."""
    path = tmp_path / "probe.sqlite3"
    with sqlite3.connect(path) as connection:
        if revision is not None:
            connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
            connection.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
    connection.close()
    return f"sqlite:///{path}"


def _oldest_revision() -> str:
    from alembic.script import ScriptDirectory

    from app.services.operations.schema import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return next(s.revision for s in scripts.walk_revisions() if s.down_revision is None)


def test_liveness_answers_an_anonymous_visitor(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readiness_is_200_json_on_a_migrated_database_without_sign_in(client):
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "migrations": "ok"}
    assert body["revision"] == body["head"] == health.migration_head()


def test_readiness_is_503_json_on_a_database_never_migrated(tmp_path):
    response = _app_on(_sqlite_at_revision(tmp_path, None)).test_client().get("/health/ready")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "ok", "migrations": "not migrated"}


def test_readiness_is_503_when_migrations_have_not_been_run_up_to_the_head(tmp_path):
    url = _sqlite_at_revision(tmp_path, _oldest_revision())
    response = _app_on(url).test_client().get("/health/ready")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["migrations"] == "not at head"
    assert body["revision"] == _oldest_revision() != body["head"]


def test_readiness_stays_200_while_a_newer_release_has_migrated_the_database(tmp_path):
    # A rolling deploy: `flask db upgrade` of the next release ran; this server serves on.
    url = _sqlite_at_revision(tmp_path, "0123456789ab")
    response = _app_on(url).test_client().get("/health/ready")
    assert response.status_code == 200
    assert response.get_json()["checks"]["migrations"] == "newer than this release"


def test_readiness_is_503_json_without_a_stack_trace_when_the_database_is_unreachable(tmp_path):
    url = f"sqlite:///{tmp_path / 'no-such-directory' / 'ledger.sqlite3'}"
    response = _app_on(url).test_client().get("/health/ready")
    assert response.status_code == 503
    assert response.mimetype == "application/json"
    assert response.get_json()["checks"]["database"] == "unreachable"
    assert "Traceback" not in response.get_data(as_text=True)
