"""``flask db backup`` and ``flask db restore``: a restored backup undoes later changes and keeps
the audit chain intact, on SQLite (backup API) and on PostgreSQL (pg_dump / pg_restore)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app import config, create_app
from app.domain.codes import Role
from app.models import User, set_actor
from app.models.database import make_engine
from app.services.access import users
from app.services.operations import schema
from app.services.reference import lookups as reference
from tests.databases import migrated_with

PASSWORD = "backup-test-password"


def _seeded(url: str) -> None:
    """Migrate ``url`` and commit some audited data: reference tables and one administrator."""
    def fill(session: Session) -> None:
        reference.load_builtin_reference(session)
        users.create_user(session, "first.admin@example.cn", "First", PASSWORD,
                          [users.GrantSpec(Role.ADMIN)])
    migrated_with(url, fill)


def _add_user(url: str, email: str) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        set_actor(session, None, "tests")
        users.create_user(session, email, "Later", PASSWORD, [users.GrantSpec(Role.AUDITOR)])
        session.commit()
    engine.dispose()


def _emails(url: str) -> set[str]:
    engine = make_engine(url)
    with Session(engine) as session:
        emails = set(session.scalars(select(User.email)))
    engine.dispose()
    return emails


def _flask(url: str, *args: str):
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": url, "SECRET_KEY": "backup-tests"})
    result = app.test_cli_runner().invoke(args=list(args))
    app.extensions["db_engine"].dispose()
    return result


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A migrated SQLite file of its own, with committed data."""
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    _seeded(url)
    return url


@pytest.fixture
def postgres_url() -> str:
    """A PostgreSQL database of its own (``<test database>_backup``), dropped afterwards."""
    base = config.test_database_url()
    if not (base or "").startswith("postgresql"):
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL)")
    url = make_url(base).set(database=f"{make_url(base).database}_backup")
    admin = make_engine(base).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    rendered = url.render_as_string(hide_password=False)
    _seeded(rendered)
    yield rendered
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database(request) -> str:
    """Each engine in turn (PostgreSQL only when TEST_DATABASE_URL names one)."""
    return request.getfixturevalue(f"{request.param}_url")


def test_restoring_a_backup_undoes_later_changes_and_the_audit_chain_verifies(database,
                                                                               tmp_path):
    archive = tmp_path / "ledger.backup"
    backed_up = _flask(database, "db", "backup", str(archive))
    assert backed_up.exit_code == 0, backed_up.output
    assert archive.stat().st_size > 0
    _add_user(database, "after.backup@example.cn")
    assert "after.backup@example.cn" in _emails(database)

    restored = _flask(database, "db", "restore", str(archive), "--yes")

    assert restored.exit_code == 0, restored.output
    assert _emails(database) == {"first.admin@example.cn"}
    verified = _flask(database, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert "intact" in verified.output
    assert schema.current(database).startswith(",".join(schema.heads()))


def test_a_restore_over_a_database_with_tables_needs_yes_and_changes_nothing(database,
                                                                             tmp_path):
    archive = tmp_path / "ledger.backup"
    assert _flask(database, "db", "backup", str(archive)).exit_code == 0
    _add_user(database, "kept@example.cn")

    refused = _flask(database, "db", "restore", str(archive))

    assert refused.exit_code == 1
    assert "--yes" in refused.output
    assert "kept@example.cn" in _emails(database)


def test_a_backup_restores_into_an_empty_sqlite_file_without_confirmation(sqlite_url, tmp_path):
    archive = tmp_path / "ledger.backup"
    assert _flask(sqlite_url, "db", "backup", str(archive)).exit_code == 0
    fresh = f"sqlite:///{tmp_path / 'new-server.sqlite3'}"

    restored = _flask(fresh, "db", "restore", str(archive))

    assert restored.exit_code == 0, restored.output
    assert _emails(fresh) == {"first.admin@example.cn"}
    assert _flask(fresh, "audit", "verify").exit_code == 0


def test_a_backup_never_overwrites_an_existing_file(sqlite_url, tmp_path):
    archive = tmp_path / "ledger.backup"
    archive.write_bytes(b"an older backup")

    result = _flask(sqlite_url, "db", "backup", str(archive))

    assert result.exit_code == 1
    assert "exists already" in result.output
    assert archive.read_bytes() == b"an older backup"


def test_a_file_that_is_not_a_backup_is_refused_before_anything_changes(database, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database", encoding="utf-8")

    result = _flask(database, "db", "restore", str(bogus), "--yes")

    assert result.exit_code == 1
    assert "not a" in result.output
    assert _emails(database) == {"first.admin@example.cn"}


def test_a_missing_pg_dump_is_a_clear_error(postgres_url, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without the PostgreSQL client programs
    archive = tmp_path / "ledger.backup"

    result = _flask(postgres_url, "db", "backup", str(archive))

    assert result.exit_code == 1
    assert "pg_dump is not installed" in result.output
    assert not archive.exists()
    assert not Path(f"{archive}.partial").exists()


def test_a_sqlite_backup_is_a_database_with_the_same_rows(sqlite_url, tmp_path):
    archive = tmp_path / "copy.sqlite3"
    assert _flask(sqlite_url, "db", "backup", str(archive)).exit_code == 0
    engine = make_engine(f"sqlite:///{archive}")
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1
    engine.dispose()
