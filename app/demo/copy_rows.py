"""Bulk rows of the nation-scale demo, streamed into PostgreSQL with ``COPY … FROM STDIN``.

The same contract as :class:`app.demo.province_rows.BulkRows` (values already in their stored
units: fen, 0.0001 for indicators, 0.01 亩; ONE ``IMPORT`` audit entry per chunk naming its
rows, seed and id range), but written through psycopg's ``cursor.copy()`` on the session's own
connection, so the rows share the loader's transaction. Rows are queued a chunk at a time and
never held beyond that: memory stays flat however many rows a table gets.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.models.audit import append_entries
from app.models.base import ScaledDecimal

CHUNK = 10_000
SOURCE = "demo nation"


def copy_connection(session: Session):
    """The psycopg connection under the session's transaction (PostgreSQL only)."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        raise RuntimeError("COPY needs PostgreSQL")
    return connection.connection.driver_connection


@contextmanager
def indexes_built_after(session: Session, table: str) -> Iterator[None]:
    """Load ``table`` without its secondary indexes, unique and foreign-key constraints, and
    build them once at the end, in the same transaction (PostgreSQL's advice for populating a
    database: one sorted build instead of millions of index insertions and per-row foreign-key
    checks). The definitions are read from the catalog, so what is rebuilt is exactly what was
    there; re-adding the constraints checks every row, so nothing unchecked gets in. Nobody
    sees the table meanwhile: the DDL holds its lock until the loader commits."""
    connection = session.connection()
    name = {"t": table}
    constraints = connection.execute(text(
        "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
        "WHERE conrelid = CAST(:t AS regclass) AND contype IN ('u', 'f') ORDER BY conname"),
        name).all()
    indexes = connection.execute(text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = :t AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass)) "
        "ORDER BY indexname"), name).all()
    for constraint, _definition, _kind in constraints:
        connection.execute(text(f'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}"'))
    for index, _definition in indexes:
        connection.execute(text(f'DROP INDEX "{index}"'))
    yield
    connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))  # the server's memory
    for constraint, definition, _kind in (c for c in constraints if c[2] == "u"):
        connection.execute(text(f'ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}" '
                                f"{definition}"))
    for _index, definition in indexes:
        connection.execute(text(definition))
    for constraint, definition, _kind in (c for c in constraints if c[2] == "f"):
        connection.execute(text(f'ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}" '
                                f"{definition}"))


class CopyRows:
    """``COPY`` into one table's ``columns`` a chunk at a time, one audit entry per chunk."""

    def __init__(self, session: Session, model, seed: int, columns: tuple[str, ...], *,
                 chunk: int = CHUNK, source: str = SOURCE):
        target = model.__table__
        dialect = session.get_bind().dialect
        unknown = [c for c in columns if c not in target.columns]
        if unknown:
            raise ValueError(f"{target.name} has no column {', '.join(unknown)}")
        self.session, self.seed, self.chunk, self.source = session, seed, chunk, source
        self.name, self.columns, self.id = target.name, columns, target.c.id
        self.sql = f"COPY {target.name} ({', '.join(columns)}) FROM STDIN"
        self.convert = []  # (position, bind processor, memo): dates, quarters, codes
        for n, name in enumerate(columns):
            col = target.columns[name]
            processor = col.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None and not isinstance(col.type, ScaledDecimal):
                self.convert.append((n, processor, {}))
        self.pending: list[list] = []
        self.rows = 0
        self.ranges: list[tuple[int, int]] = []

    def add(self, row: dict) -> None:
        """Queue one row (a mapping of the columns; amounts as integers of the stored unit);
        write the chunk when it is full."""
        values = [row.get(name) for name in self.columns]
        for n, processor, memo in self.convert:
            value = values[n]
            if value is not None:
                converted = memo.get(value)
                if converted is None:
                    converted = memo[value] = processor(value)
                values[n] = converted
        self.pending.append(values)
        if len(self.pending) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        """COPY the queued rows and append their chunk's audit entry."""
        if not self.pending:
            return
        before = self.session.scalar(select(func.max(self.id))) or 0
        with copy_connection(self.session).cursor() as cursor, cursor.copy(self.sql) as copy:
            for values in self.pending:
                copy.write_row(values)
        first, last = self.session.execute(  # the loader is the only writer of a demo database
            select(func.min(self.id), func.max(self.id)).where(self.id > before)).one()
        actor = self.session.info.get("actor", (None, "system"))
        append_entries(self.session.connection(), actor, [(
            self.name, f"{first}-{last}", "IMPORT",
            {"rows": len(self.pending), "source": self.source, "seed": self.seed,
             "first_id": first, "last_id": last})])
        self.ranges.append((first, last))
        self.rows += len(self.pending)
        self.pending = []
