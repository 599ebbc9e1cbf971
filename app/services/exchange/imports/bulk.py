"""Bulk inserts of checked rows, a chunk at a time: ``COPY … FROM STDIN`` on PostgreSQL
(``pgcopy``), one Core executemany of a plain INSERT on SQLite.

Values are converted by the columns' own types (fen for money, text for dates on SQLite …), so
the rows stored are exactly those the ORM would store; a value that repeats (a date, a code, the
run's timestamp) is converted once, not once per row. The ids of a chunk are read back with one
small query: the rows above the largest id seen before the insert that carry this run's
timestamp (so a concurrent writer's rows are never counted as ours).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from sqlalchemy import Table, and_, bindparam, func, or_, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from app.models.base import ScaledDecimal
from app.services.exchange.imports.pgcopy import MEMO_LIMIT, CopyWriter


class BulkWriter:
    """Inserts rows of one table, their values converted once by the table's column types."""

    def __init__(self, session: Session, target: Table, stamp_column: str, stamp: dt.datetime):
        dialect = session.get_bind().dialect
        self.session = session
        self.target = target
        self.stamp = (target.c[stamp_column], stamp)
        self.sql: tuple[tuple[str, ...], str] | None = None
        self.converters: list[tuple[str, Callable, dict | None]] = []
        for col in target.columns:
            processor = col.type._cached_bind_processor(dialect)  # the type's own conversion
            if processor is not None:
                memo = None if isinstance(col.type, ScaledDecimal) else {}  # amounts: distinct
                self.converters.append((col.name, processor, memo))
        self.copier = CopyWriter(target, frozenset(
            col.name for col in target.columns if isinstance(col.type, ScaledDecimal)
        )) if dialect.name == "postgresql" else None

    def _rows(self, names: tuple[str, ...], records: list[dict]) -> list[list]:
        """The records as lists of values in the order of ``names``, converted (by column, so
        that a converter and its memo are looked up once per chunk, not once per value)."""
        rows = [[record[name] for name in names] for record in records]
        for name, processor, memo in self.converters:
            if name not in names:
                continue
            index = names.index(name)
            for row in rows:
                value = row[index]
                if value is None:
                    continue
                if memo is None:
                    row[index] = processor(value)
                    continue
                try:
                    row[index] = memo[value]
                except KeyError:
                    if len(memo) > MEMO_LIMIT:
                        memo.clear()
                    row[index] = memo[value] = processor(value)
        return rows

    def settle(self) -> None:
        """Wait for the rows still being copied (PostgreSQL) and raise the COPY's error."""
        if self.copier is not None:
            self.copier.settle()

    def close(self) -> None:
        """Settle the last COPY and stop watching the connection; nothing to do on SQLite."""
        if self.copier is not None:
            self.copier.close()

    def _statement(self, names: tuple[str, ...]) -> str:
        """The plain INSERT of these columns in the driver's parameter style."""
        if self.sql is None or self.sql[0] != names:
            dialect = self.session.get_bind().dialect
            quote = dialect.identifier_preparer.quote
            mark = "?" if dialect.paramstyle == "qmark" else "%s"
            # Identifiers of our own table, quoted by the dialect; values are bound parameters.
            self.sql = (names, f"INSERT INTO {quote(self.target.name)} "  # noqa: S608
                               f"({', '.join(quote(n) for n in names)}) "
                               f"VALUES ({', '.join(mark for _ in names)})")
        return self.sql[1]

    def insert(self, records: list[dict]) -> tuple[int, int, int]:
        """Insert ``records`` (column → Python value, ``stamp_column`` set to the run's stamp) in
        the session's transaction: COPY on PostgreSQL, executemany elsewhere; the first and last
        id and the count of the rows inserted."""
        return self.insert_prepared(self.prepare(records))

    def prepare(self, records: list[dict]) -> tuple[tuple[str, ...], list]:
        """The records converted (and on PostgreSQL formatted as COPY lines) for
        :meth:`insert_prepared`: work that needs no database, done ahead of the insert."""
        names = tuple(records[0])
        rows = self._rows(names, records)
        return names, (self.copier.lines(names, rows) if self.copier is not None else rows)

    def insert_prepared(self, prepared: tuple[tuple[str, ...], list]) -> tuple[int, int, int]:
        """:meth:`insert` of records :meth:`prepare` has converted already."""
        names, rows = prepared
        connection = self.session.connection()
        if self.copier is not None:
            given = self.copier.write_lines(connection, names, rows)
            return min(given), max(given), len(given)
        ids = self.target.c.id
        before = self.session.scalar(select(func.coalesce(func.max(ids), 0)))
        connection.exec_driver_sql(self._statement(names), [tuple(row) for row in rows])
        stamp_column, stamp = self.stamp
        first, last, count = self.session.execute(
            select(func.min(ids), func.max(ids), func.count())
            .where(ids > before, stamp_column == stamp)).one()
        return first, last, count


def rows_with_keys(session: Session, target: Table, names: tuple[str, ...],
                   keys: Iterable[tuple]) -> list:
    """The rows of ``target`` whose values of the columns ``names`` are one of ``keys`` (tuples
    in the order of ``names``), each found through the unique index on those columns.

    PostgreSQL probes the table once per key (a LATERAL subquery of LIMIT 1 over the keys
    unnested from one array per column): one statement text whatever the number of keys, and
    always index probes. A plain join of the keys is planned as a hash join over a scan of the
    whole table once it has grown in this transaction (measured: 20 ms a chunk rising to 200 ms
    within 100,000 rows, quadratic in the file).
    SQLite probes per first value, the other columns each in the values they take with it; the
    rows are then kept only for the exact keys."""
    keys = set(keys)
    if not keys:
        return []
    columns = [target.c[name] for name in names]
    if session.get_bind().dialect.name == "postgresql":
        wanted = func.unnest(*(bindparam(f"key_{i}", type_=ARRAY(column.type))
                               for i, column in enumerate(columns))
                             ).table_valued(*names).render_derived(name="wanted")
        found = select(target).where(*(
            column == wanted.c[name] for column, name in zip(columns, names, strict=True))
        ).limit(1).lateral("found")
        statement = select(found).select_from(wanted).join(found, true())
        ordered = list(keys)
        return session.execute(statement, {f"key_{i}": [key[i] for key in ordered]
                                           for i in range(len(names))}).all()
    by_first: dict[object, list[tuple]] = {}
    for key in keys:
        by_first.setdefault(key[0], []).append(key[1:])
    statement = select(target).where(or_(*(and_(columns[0] == first, *(
        column.in_(padded({rest[i] for rest in rests})) for i, column in enumerate(columns[1:])))
        for first, rests in by_first.items())))
    return [row for row in session.execute(statement)
            if tuple(getattr(row, name) for name in names) in keys]


def padded(values) -> list:
    """The values, the last repeated up to a power of two (at least 8): a query with an IN list
    then has one of a few texts, so a driver that remembers recent statements (psycopg keeps a
    hundred) holds a handful, however long the file."""
    values = list(values)
    size = 8
    while size < len(values):
        size *= 2
    return values + values[-1:] * (size - len(values))
