"""PostgreSQL's COPY of imported rows, left in flight while the next chunk is read: its error
surfaces at the next statement on the connection and the import's savepoint undoes it."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.models import Observation
from app.models.base import utcnow
from app.services.exchange.imports.pgcopy import CopyWriter

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
