"""Migrations on a fresh database (quality.md, Reliability): upgrade from empty with no drift
from the models, a one-step downgrade and upgrade again, and a downgrade to base that leaves no
table of the app behind. On PostgreSQL a new database is created on the server and dropped after.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import inspect, make_url, text

from app.models import Base
from app.models.database import make_engine
from app.services.operations import schema

APP_TABLES = frozenset(Base.metadata.tables)


@pytest.fixture
def fresh_url(database_url, is_postgres, tmp_path) -> Iterator[str]:
    """The URL of a new, empty database on the run's engine."""
    if not is_postgres:
        yield "sqlite:///" + str(tmp_path / "fresh.sqlite3")
        return
    name = f"test_schema_{uuid.uuid4().hex[:12]}"
    server = make_engine(database_url).execution_options(isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrading_an_empty_database_creates_every_table_and_matches_the_models(fresh_url):
    assert _tables(fresh_url) == set()
    schema.upgrade(fresh_url)
    assert _tables(fresh_url) >= APP_TABLES
    schema.check(fresh_url)  # raises if models and migrations have drifted apart
    assert schema.current(fresh_url).split()[0] in schema.heads()


def test_a_one_step_downgrade_and_upgrade_again_works(fresh_url):
    schema.upgrade(fresh_url)
    head = schema.current(fresh_url).split()[0]
    schema.downgrade(fresh_url, "-1")
    assert schema.current(fresh_url).split()[0] != head
    schema.upgrade(fresh_url)
    assert schema.current(fresh_url).split()[0] == head
    schema.check(fresh_url)


def test_downgrading_to_base_leaves_no_table_of_the_app(fresh_url):
    schema.upgrade(fresh_url)
    schema.downgrade(fresh_url, "base")
    assert _tables(fresh_url) & APP_TABLES == set()
    assert _tables(fresh_url) <= {"alembic_version"}


def test_after_a_bulk_load_the_planner_statistics_are_fresh(fresh_url, is_postgres):
    schema.upgrade(fresh_url)
    schema.analyze(fresh_url)

    engine = make_engine(fresh_url)
    try:
        with engine.connect() as connection:
            if is_postgres:  # vacuumed (visibility map for index-only scans) and analyzed
                row = connection.execute(text(
                    "SELECT last_vacuum IS NOT NULL, last_analyze IS NOT NULL "
                    "FROM pg_stat_user_tables WHERE relname = 'observations'")).one()
                assert tuple(row) == (True, True)
            else:
                assert connection.scalar(text(
                    "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")) == 1
    finally:
        engine.dispose()


BEFORE_REFERENCE_DATA = "d4e1b8f6a2c3"
"""The revision just before the reference data arrives (refusal counters)."""


def test_upgrading_an_older_database_with_data_loads_the_reference_data_and_can_go_back(
        fresh_url):
    """From the revision before the reference data, with a province, a district and a project
    on division 38: the upgrade adds every region and category (the district moves under its
    prefecture), a project then takes class 3670; a one-step downgrade keeps it on 36."""
    schema.upgrade(fresh_url, BEFORE_REFERENCE_DATA)
    engine = make_engine(fresh_url)
    try:
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO regions (code, name, level, macro_region, is_special_area) "
                "VALUES ('440000', '广东省', 'PROVINCE', 'EAST', false)"))
            connection.execute(text(
                "INSERT INTO regions (code, name, level, parent_id, macro_region, "
                "is_special_area) SELECT '440306', '宝安区', 'COUNTY', id, 'EAST', false "
                "FROM regions WHERE code = '440000'"))
            connection.execute(text(
                "INSERT INTO industry_divisions VALUES ('38', 'C', '制造业', "
                "'电气机械和器材制造业', 'Electrical machinery')"))
            connection.execute(text(
                "INSERT INTO projects (code, name, enterprise, industry_code, intensity, "
                "source_region_id, destination_region_id, cooperation_mode, status, is_two_high, "
                "created_at, version) SELECT 'P1', 'p', 'e', '38', 'LABOUR', id, id, 'OTHER', "
                "'PIPELINE', false, '2024-01-01', 1 FROM regions WHERE code = '440306'"))
        schema.upgrade(fresh_url)
        schema.check(fresh_url)
        with engine.begin() as connection:
            assert connection.scalar(text("SELECT count(*) FROM regions")) == 3348
            assert connection.scalar(text("SELECT count(*) FROM industry_divisions")) == 1971
            assert connection.scalar(text(
                "SELECT p.code FROM regions r JOIN regions p ON p.id = r.parent_id "
                "WHERE r.code = '440306'")) == "440300"
            connection.execute(text("UPDATE projects SET industry_code = '3670'"))
        schema.upgrade(fresh_url)  # a second run changes nothing
        schema.downgrade(fresh_url, BEFORE_REFERENCE_DATA)
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT industry_code FROM projects")) == "36"
        schema.upgrade(fresh_url)
        schema.check(fresh_url)
    finally:
        engine.dispose()
