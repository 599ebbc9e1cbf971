"""Fixtures: a migrated database per run (SQLite, or TEST_DATABASE_URL), each test rolled back.

Test data is built through the same services users go through (see ``tests/factories.py``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from app import create_app
from app.config import test_database_url
from app.models import set_actor
from app.models.database import make_engine
from app.services.access import users
from app.services.reference import lookups as reference
from tests.databases import migrated_with, sibling_postgres_database

SAMPLE_REGIONS = Path(__file__).resolve().parents[1] / "app" / "data" / "regions_sample.csv"
TRANSLATIONS = Path(__file__).resolve().parents[1] / "app" / "translations"


class EnglishReadingClient(FlaskClient):
    """A test client whose browser asks for English: the suite's assertions read the English
    msgids. Tests of the Chinese interface send their own Accept-Language or sign in a zh user."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base.setdefault("HTTP_ACCEPT_LANGUAGE", "en")


def compile_catalogues() -> None:
    """Compile each .po catalogue whose .mo is missing or older (as `make translations` does), so
    a bare `pytest` works too; written to a temporary file and renamed, safe for parallel runs."""
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalogue = read_po(source)
        handle, temporary = tempfile.mkstemp(dir=po.parent, suffix=".mo.tmp")
        with os.fdopen(handle, "wb") as target:
            write_mo(target, catalogue)
        os.replace(temporary, mo)


def pytest_configure(config):
    # argon2id with cheap parameters: the same algorithm and code path, a fraction of the cost.
    users._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    compile_catalogues()
    Flask.test_client_class = EnglishReadingClient


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The URL of the run's database, migrated from empty to the newest revision."""
    url = test_database_url()
    if url is None:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    else:
        _empty_postgres(url)
    _migrate_with_reference(url)
    return url


def _migrate_with_reference(url: str) -> None:
    """Migrate ``url`` to the newest revision and load the reference data every test reads."""
    migrated_with(url, _load_reference)


def _load_reference(session: Session) -> None:
    reference.load_builtin_reference(session)
    reference.import_regions(session, SAMPLE_REGIONS.read_text(encoding="utf-8").splitlines())


def _empty_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def engine(database_url):
    """The run's engine."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def committing_engine(database_url):
    """For tests that must COMMIT for real (concurrency on PostgreSQL): a database of their own,
    so their leftover rows never meet the rolled-back tests. Dropped at the end of the run."""
    if not database_url.startswith("postgresql"):
        pytest.skip("real concurrent commits are tested on PostgreSQL")
    with sibling_postgres_database(database_url, "commits") as url:
        _migrate_with_reference(url)
        engine = make_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture
def connection(engine):
    """A connection inside an outer transaction that is rolled back after the test."""
    with engine.connect() as connection:
        outer = connection.begin()
        yield connection
        outer.rollback()


@pytest.fixture
def db(connection) -> Session:
    """A session whose commits are savepoints inside the test's outer transaction."""
    session = Session(bind=connection, join_transaction_mode="create_savepoint",
                      expire_on_commit=False)
    set_actor(session, None, "tests")
    yield session
    session.close()


@pytest.fixture
def app(database_url, connection):
    """The app, its sessions bound to the test's connection, CSRF off (tested on its own)."""
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": database_url,
                      "SECRET_KEY": "test-secret-not-for-production",
                      "WTF_CSRF_ENABLED": False})
    app.extensions["db_sessionmaker"].configure(
        bind=connection, join_transaction_mode="create_savepoint")
    return app


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A runner of the app's ``flask`` commands."""
    return app.test_cli_runner()


@pytest.fixture
def is_postgres(database_url) -> bool:
    """Whether this run is on PostgreSQL."""
    return database_url.startswith("postgresql")


def pytest_collection_modifyitems(config, items):
    if (test_database_url() or "").startswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set TEST_DATABASE_URL)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)

