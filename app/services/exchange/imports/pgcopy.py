"""New rows written with PostgreSQL's ``COPY … FROM STDIN`` (psycopg 3's ``cursor.copy()``).

The one writer of new imported rows on PostgreSQL, used by ledgers, valuations and observations
through :class:`~app.services.exchange.imports.bulk.BulkWriter` (SQLite keeps its executemany).
It runs on the SQLAlchemy session's own connection, inside the import's SAVEPOINT, so a failed
or dry run rolls the copied rows back with everything else: still all or nothing.

Values arrive already converted by the columns' own types (fen and 0.0001 units as ``int``,
quarters as text, aware UTC datetimes), exactly what an INSERT would bind, and are written as
COPY's text format: ``\\N`` for NULL, a tab between columns, a newline after each row; text is
escaped (backslash, tab, newline, carriage return), so any note a user typed is stored as typed.
A column is formatted at a time, each distinct value once (a code, a quarter, the run's
timestamp repeat), then joined in C: formatting costs about a microsecond a row.

A chunk's COPY runs in a background thread while the import reads and checks the next chunk:
the server stores one chunk as Python parses the next (psycopg releases the GIL while it waits
on the socket). psycopg's connection lock orders everything else after it, and any statement
SQLAlchemy runs on the connection first waits for the COPY in flight and raises its error, so a
failed COPY is reported where it happened (the import's savepoint then rolls it back). At most
one chunk is in flight: memory stays bounded.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal

from sqlalchemy import Connection, Table, event
from sqlalchemy.orm import Session

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"
MEMO_LIMIT = 10_000
"""Distinct values remembered per column, by this writer and the bulk writer (amounts are not
remembered): past it a memo starts again, so an import's memory stops growing after about ten
thousand distinct values a column (references, dates), however long the file."""
_FIRST_ANALYSE = 10_000  # rows copied into a small table before its statistics are renewed


def text_of(value: object) -> str:
    """One value in COPY's text format (datetimes in ISO 8601 with their UTC offset)."""
    if value is None:
        return _NULL
    if value.__class__ is int:
        return str(value)
    if isinstance(value, str):  # str-based enums too: their text, never their repr
        return value.translate(_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dt.date):  # datetimes keep their offset
        return value.isoformat()
    raise TypeError(f"no COPY text for {value.__class__.__name__}")


def _column(values: Sequence[object], memo: dict | None) -> list[str]:
    if memo is None:  # ids and amounts: nearly all distinct
        return [str(v) if v.__class__ is int else text_of(v) for v in values]
    out = []
    append = out.append
    for value in values:
        try:
            append(memo[value])
        except KeyError:
            if len(memo) > MEMO_LIMIT:
                memo.clear()
            append(memo.setdefault(value, text_of(value)))
        except TypeError:  # unhashable: never the case for bound values, but be safe
            append(text_of(value))
    return out


class _Flight:
    """One COPY running in a background thread; :meth:`land` waits for it and raises its
    error in the caller's thread."""

    def __init__(self, work, *args):
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(work, *args), daemon=True,
                                       name="import-copy")
        self.thread.start()

    def _run(self, work, *args) -> None:
        try:
            work(*args)
        except BaseException as exc:  # handed to the importing thread, raised there
            self.error = exc

    def land(self) -> None:
        """Wait for the COPY; raise its error, if any."""
        self.thread.join()
        if self.error is not None:
            error, self.error = self.error, None
            raise error


class CopyWriter:
    """``COPY table (columns) FROM STDIN`` of converted rows, on a SQLAlchemy connection whose
    driver is psycopg 3."""

    def __init__(self, target: Table, distinct: frozenset[str] = frozenset()):
        self.target = target
        self.distinct = distinct  # columns whose values are mostly distinct: not remembered
        self.memos: dict[str, dict] = {}
        self.copied = 0
        self.analyse_at: float | None = None  # rows copied at which statistics are renewed
        self.flight: _Flight | None = None
        self.sequence: str | None = None  # of the id column, as pg_get_serial_sequence names it
        self.watched: Connection | None = None  # whose statements first wait for the flight

    def settle(self) -> None:
        """Wait for the COPY in flight, if any, and raise its error."""
        flight, self.flight = self.flight, None
        if flight is not None:
            flight.land()

    def close(self) -> None:
        """Settle the COPY in flight and stop watching the connection."""
        try:
            self.settle()
        finally:
            if self.watched is not None:
                event.remove(self.watched, "before_cursor_execute", self._before_statement)
                self.watched = None

    def _before_statement(self, _connection, _cursor, statement: str, *_rest) -> None:
        """Before any statement on the connection: the COPY in flight lands first. Its error is
        raised (SQLAlchemy wraps it: IntegrityError, DataError), except before a ROLLBACK,
        which undoes the COPY anyway."""
        try:
            self.settle()
        except Exception:
            if not statement.lstrip()[:8].upper().startswith("ROLLBACK"):
                raise

    def statement(self, names: tuple[str, ...], quote) -> str:
        """The COPY statement of these columns (identifiers of our own table, quoted)."""
        return (f"COPY {quote(self.target.name)} ({', '.join(quote(n) for n in names)}) "
                "FROM STDIN")

    def lines(self, names: tuple[str, ...], rows: list[list]) -> list[str]:
        """The rows in COPY's text format, a line each without its id (drawn when written) or
        its newline: they can be formatted while the previous chunk's COPY is in flight."""
        columns = []
        for name, values in zip(names, zip(*rows, strict=True), strict=True):
            distinct = name == "id" or name in self.distinct
            columns.append(_column(values, None if distinct else self.memos.setdefault(name, {})))
        return list(map("\t".join, zip(*columns, strict=True)))

    def write(self, connection: Connection, names: tuple[str, ...], rows: list[list]
              ) -> list[int]:
        """Copy ``rows`` (lists of values in the order of ``names``) in this transaction; the
        ids given to them, in order. The COPY itself is left in flight (:meth:`settle`)."""
        return self.write_lines(connection, names, self.lines(names, rows) if rows else [])

    def write_lines(self, connection: Connection, names: tuple[str, ...], lines: list[str]
                    ) -> list[int]:
        """Copy rows already formatted by :meth:`lines`; the ids given to them, in order.

        The ids are drawn from the table's sequence first (one query), so no query has to find
        the rows again afterwards (a search of a table growing in the same transaction, whose
        statistics do not know it grew, is a sequential scan: quadratic in the file)."""
        self.settle()
        if not lines:
            return []
        if self.watched is None:
            event.listen(connection, "before_cursor_execute", self._before_statement)
            self.watched = connection
        driver = connection.connection.driver_connection  # the psycopg.Connection itself
        quote = connection.dialect.identifier_preparer.quote
        with driver.cursor() as cursor:
            if self.sequence is None:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", (self.target.name,))
                self.sequence = cursor.fetchone()[0]
            # The sequence named once: pg_get_serial_sequence per row cost 7 ms a chunk.
            cursor.execute("SELECT array_agg(nextval(%s::regclass)) "
                           "FROM generate_series(1, %s)", (self.sequence, len(lines)))
            ids = cursor.fetchone()[0]
        data = "".join(map("{}\t{}\n".format, ids, lines))
        self.flight = _Flight(self._copy, driver, self.statement(("id", *names), quote), data,
                              len(lines), quote)
        return ids

    def _copy(self, driver, statement: str, data: str, count: int, quote) -> None:
        """The COPY itself, then the statistics (in the background thread)."""
        with driver.cursor() as cursor:
            with cursor.copy(statement) as copy:
                copy.write(data)
            self._keep_statistics(cursor, count, quote)

    def _keep_statistics(self, cursor, count: int, quote) -> None:
        """``ANALYZE`` the table each time the rows copied reach its size before the import,
        then four times that: the next chunks' probes of their keys are planned on the table as
        it now is (ANALYZE samples this transaction's own new rows too).

        Without statistics PostgreSQL probes a chunk's keys through the narrower index on
        (indicator, quarter) and filters the project: over a second a chunk at 100,000 rows
        and growing, quadratic in the file; with them, through the unique index. A million
        rows into an empty table cost four ANALYZEs (10,000, 40,000, 160,000, 640,000 rows)."""
        if self.analyse_at is None:
            cursor.execute("SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = %s::regclass",
                           (self.target.name,))
            self.before = float(cursor.fetchone()[0])
            self.analyse_at = max(_FIRST_ANALYSE, self.before)
        self.copied += count
        if self.copied >= self.analyse_at:
            cursor.execute(f"ANALYZE {quote(self.target.name)}")
            self.analyse_at = 4 * self.copied + self.before


@contextmanager
def planned_afresh(session: Session) -> Iterator[None]:
    """Plan every statement of an import afresh on PostgreSQL (psycopg's server-side prepared
    statements paused, restored after).

    An import's tables grow within its one transaction, which their statistics never see: a
    statement prepared while a table was small keeps a plan that scans it (measured: a chunk's
    check of its keys went from 15 ms to over a second, quadratic in the file). Planning anew
    costs well under a millisecond a chunk. Nothing changes on SQLite."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        yield
        return
    driver = connection.connection.driver_connection
    threshold = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = threshold
