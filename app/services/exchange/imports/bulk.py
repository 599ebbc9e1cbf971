"""Bulk inserts of checked rows: one Core executemany of a plain INSERT per chunk.

Values are converted by the columns' own types (fen for money, text for dates on SQLite …), so
the rows stored are exactly those the ORM would store; a value that repeats (a date, a code, the
run's timestamp) is converted once, not once per row. The ids of a chunk are read back with one
small query: the rows above the largest id seen before the insert that carry this run's
timestamp (so a concurrent writer's rows are never counted as ours).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Table, and_, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from app.models.base import ScaledDecimal

_MEMO_LIMIT = 50_000


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
                    if len(memo) > _MEMO_LIMIT:
                        memo.clear()
                    row[index] = memo[value] = processor(value)
        return rows

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
        """Insert ``records`` (column → Python value, ``stamp_column`` set to the run's stamp);
        the first and last id and the count of the rows inserted."""
        ids = self.target.c.id
        before = self.session.scalar(select(func.coalesce(func.max(ids), 0)))
        names = tuple(records[0])
        self.session.connection().exec_driver_sql(
            self._statement(names), [tuple(row) for row in self._rows(names, records)])
        stamp_column, stamp = self.stamp
        first, last, count = self.session.execute(
            select(func.min(ids), func.max(ids), func.count())
            .where(ids > before, stamp_column == stamp)).one()
        return first, last, count


def rows_with_keys(session: Session, target: Table, first: str, second: str,
                   keys: dict[object, set]) -> list:
    """The rows of ``target`` whose (``first``, ``second``) is one of ``keys`` (first value →
    second values), each found through the unique index on the pair. PostgreSQL joins two
    arrays (one statement text, whatever the number of keys); SQLite probes per first value."""
    if not keys:
        return []
    a, b = target.c[first], target.c[second]
    if session.get_bind().dialect.name == "postgresql":
        pairs = [(x, y) for x, ys in keys.items() for y in ys]
        wanted = func.unnest(bindparam("firsts", type_=ARRAY(a.type)),
                             bindparam("seconds", type_=ARRAY(b.type))
                             ).table_valued(first, second).render_derived(name="wanted")
        statement = select(target).join(wanted, and_(a == wanted.c[first],
                                                     b == wanted.c[second]))
        return session.execute(statement, {"firsts": [p[0] for p in pairs],
                                           "seconds": [p[1] for p in pairs]}).all()
    return session.execute(select(target).where(or_(*(
        and_(a == x, b.in_(padded(ys))) for x, ys in keys.items())))).all()


def padded(values) -> list:
    """The values, the last repeated up to a power of two (at least 8): a query with an IN list
    then has one of a few texts, so a driver that remembers recent statements (psycopg keeps a
    hundred) holds a handful, however long the file."""
    values = list(values)
    size = 8
    while size < len(values):
        size *= 2
    return values + values[-1:] * (size - len(values))
