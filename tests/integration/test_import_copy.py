"""PostgreSQL's COPY of imported rows, left in flight while the next chunk is read: its error
surfaces at the next statement on the connection and the import's savepoint undoes it; and
observations held back a chunk (on either database)."""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.models import Observation
from app.models.base import utcnow
from app.services.exchange.imports.observations import ObservationsHandler
from app.services.exchange.imports.pgcopy import CopyWriter
from tests.factories import make_project
from tests.integration.sharing_helpers import Setting
from tests.integration.test_import_support import OBS_HEADER, csv_bytes, run

NAMES = ("project_id", "indicator_code", "quarter", "value", "note", "updated_by_id",
         "updated_at", "version")


@pytest.fixture
def connection_pg(db):
    connection = db.connection()
    if connection.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's (SQLite inserts with executemany)")
    return connection


def test_a_failed_copy_in_flight_is_raised_by_the_next_statement_and_rolls_back(connection_pg):
    writer = CopyWriter(Observation.__table__)
    savepoint = connection_pg.begin_nested()
    ids = writer.write(connection_pg, NAMES, [[-1, "NO-SUCH", "2026Q3", 10_000, "a\tb", None,
                                               utcnow(), 1]])
    assert len(ids) == 1  # drawn before the COPY is sent; the COPY itself is in flight
    with pytest.raises(IntegrityError, match="foreign key"):
        connection_pg.execute(select(1))
    savepoint.rollback()
    writer.close()
    assert connection_pg.scalar(select(func.count()).select_from(Observation)) == 0


def test_a_failed_copy_in_flight_does_not_stop_the_rollback_that_undoes_it(connection_pg):
    writer = CopyWriter(Observation.__table__)
    savepoint = connection_pg.begin_nested()
    writer.write(connection_pg, NAMES, [[-1, "NO-SUCH", "2026Q3", 1, None, None, utcnow(), 1]])
    savepoint.rollback()  # ROLLBACK TO SAVEPOINT: the COPY lands first, its error dropped
    writer.close()
    assert connection_pg.scalar(select(func.count()).select_from(Observation)) == 0


def test_settle_raises_the_copys_own_error(connection_pg):
    writer = CopyWriter(Observation.__table__)
    savepoint = connection_pg.begin_nested()
    writer.write(connection_pg, NAMES, [[-1, "NO-SUCH", "2026Q3", 1, None, None, utcnow(), 1]])
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        writer.settle()
    savepoint.rollback()
    writer.close()


@pytest.mark.parametrize("codes", [("WF-1", "WF-2"), ("NEW-1", "NEW-2")])
def test_observations_held_back_a_chunk_still_find_every_repeat_and_are_all_written(
        db, monkeypatch, codes):
    """Chunks of 3: a chunk's new rows are written only after the next chunk's keys are looked
    up, so a repeat in the very next chunk is found among the held-back rows, one further on in
    the table (projects with observations already) or in memory (projects without: quarters in
    falling order, so that their bits are moved); the clean file then writes every row exactly,
    on either database."""
    setting = Setting(db)  # WF-1 and WF-2 under agreement WF, 2026Q1 observed
    make_project(db, "NEW-1")
    make_project(db, "NEW-2")
    db.commit()
    monkeypatch.setattr(ObservationsHandler, "chunk", 3)
    rows = [[codes[i % 2], "OUTPUT_VALUE", f"{2015 - i // 2}Q{4 - i % 4}", f"{i}.5", ""]
            for i in range(10)]
    repeats = [*rows[:4], rows[2], *rows[4:8], rows[0], *rows[8:]]  # rows 6 and 11
    refused = run(db, setting.dest, "observations", csv_bytes(OBS_HEADER, repeats))
    assert refused.errors == [
        'row 6, quarter: "2014Q2" appears earlier in this file for this project and indicator',
        'row 11, quarter: "2015Q4" appears earlier in this file for this project and indicator']
    before = db.scalar(select(func.count()).select_from(Observation))
    result = run(db, setting.dest, "observations", csv_bytes(OBS_HEADER, rows))
    assert (result.ok, result.total("added")) == (True, 10)
    stored = {(o.project.code, str(o.quarter)): o.value for o in db.scalars(
        select(Observation).where(Observation.indicator_code == "OUTPUT_VALUE"))}
    assert stored == {(r[0], r[2]): Decimal(r[3]) for r in rows}
    assert db.scalar(select(func.count()).select_from(Observation)) == before + 10


def test_observation_values_are_checked_against_the_quantum_as_before(db):
    """A value is checked as the grid checks it, as the file is read (a whole number of the
    indicator's quantum, 0.01 here, and under 10^14): every refusal keeps its message, and
    trailing zeros are no refusal."""
    setting = Setting(db)
    rows = [["WF-1", "OUTPUT_VALUE", "2020Q1", "1.005", ""],
            ["WF-1", "OUTPUT_VALUE", "2020Q2", "100000000000000", ""],
            ["WF-1", "OUTPUT_VALUE", "2020Q3", "-99999999999999.99", ""],
            ["WF-1", "OUTPUT_VALUE", "2020Q4", "5.0000", ""],
            ["WF-1", "OUTPUT_VALUE", "2021Q1", "0.000000001", ""]]
    result = run(db, setting.dest, "observations", csv_bytes(OBS_HEADER, rows))
    assert result.errors == [
        'row 2, value: "1.005" is not a whole multiple of 0.01 元',
        'row 3, value: "100000000000000" is too large (at most 14 digits before the point)',
        'row 6, value: "0.000000001" is not a whole multiple of 0.01 元']
    assert run(db, setting.dest, "observations", csv_bytes(OBS_HEADER, rows[2:4])).ok
    stored = {str(o.quarter): o.value for o in db.scalars(
        select(Observation).where(Observation.indicator_code == "OUTPUT_VALUE"))}
    assert stored["2020Q3"] == Decimal("-99999999999999.99") and stored["2020Q4"] == 5
