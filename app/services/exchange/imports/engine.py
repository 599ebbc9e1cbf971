"""The running state of one import: who imports, what it found so far, and the base handlers.

A handler takes the typed rows of one kind, checks them against the database and the services'
rules, and writes them. Row-by-row handlers call the services (funds, commitments, projects);
chunked handlers collect rows and check and insert them a chunk at a time (ledgers, valuations,
observations), so that memory stays flat and the database sees few, large statements.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from sqlalchemy import Table
from sqlalchemy.orm import Session

from app.domain.messages import N_
from app.models.audit import append_entries
from app.models.base import utcnow
from app.models.caches import invalidate_rows
from app.services.access.scopes import Actor
from app.services.exchange.imports.bulk import BulkWriter
from app.services.exchange.imports.rows import ranges, row_error

CHUNK = 2000
"""Rows checked and inserted together: large enough for fast statements, small for memory."""


@dataclass
class KindResult:
    """What importing one kind did (or, in a dry run, would do): rows and their fate."""

    kind: str
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    encoding: str = ""

    @property
    def changes(self) -> int:
        """Rows added or updated."""
        return self.added + self.updated


@dataclass
class ImportResult:
    """The outcome of an import of one file: one part per kind (several for a workbook)."""

    parts: list[KindResult]
    dry_run: bool
    sha256: str = ""
    file_errors: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        """Every error; a workbook's are prefixed with their sheet (``transactions: row 14…``)."""
        several = len(self.parts) > 1
        return list(self.file_errors) + [
            N_("%(sheet)s: %(error)s", sheet=part.kind, error=e) if several else e
            for part in self.parts for e in part.errors]

    @property
    def ok(self) -> bool:
        """No errors: the import was (or, in a dry run, can be) written."""
        return not self.file_errors and not any(part.errors for part in self.parts)

    def total(self, name: str) -> int:
        """The sum of ``rows``, ``added``, ``updated``, ``unchanged`` or ``changes`` over parts."""
        return sum(getattr(part, name) for part in self.parts)


class Context:
    """The importing session and actor, the run's timestamp, and the audit entries of chunks."""

    def __init__(self, session: Session, actor: Actor, *, dry_run: bool, sha256: str,
                 filename: str):
        self.session = session
        self.actor = actor
        self.dry_run = dry_run
        self.sha256 = sha256
        self.filename = filename
        self.stamp: dt.datetime = utcnow()  # created_at of every bulk row: tells this run's rows
        self.events: list[tuple[str, str, str, dict]] = []

    def grant_fund(self, fund_id: int) -> None:
        """A fund manager who registers a fund in this import may fill it in (as on the web)."""
        if not self.actor.is_admin:
            self.actor = replace(self.actor, fund_ids=self.actor.fund_ids | {fund_id})

    def write_audit(self) -> None:
        """Append the chunk entries to the audit trail, in this transaction."""
        actor = self.session.info.get("actor", (self.actor.user_id, self.actor.label))
        append_entries(self.session.connection(), actor, self.events)
        self.events = []


class Handler:
    """Base of a kind's handler: rows in, errors and counts out."""

    kind = ""

    def __init__(self, ctx: Context, result: KindResult):
        self.ctx = ctx
        self.session = ctx.session
        self.result = result

    def error(self, number: int, column: str, raw: object, message: str,
              typed: object = None) -> None:
        """Record ``row N, column: "value" message``."""
        self.result.errors.append(row_error(number, column, raw, message, typed))

    def errors_of(self, number: int, fields: dict[str, list[str]], raw: dict,
                  values: dict, columns: dict[str, str]) -> None:
        """Record a service's field errors against the row, each under its column."""
        for name, messages in fields.items():
            column = columns.get(name, name)
            for message in messages:
                self.error(number, column, raw.get(column), message, values.get(column))

    def add(self, number: int, values: dict, raw: dict) -> None:  # pragma: no cover - abstract
        """Take one row whose cells were read without error."""
        raise NotImplementedError

    def finish(self) -> None:
        """Write what is still pending (chunked handlers)."""


class ChunkedHandler(Handler):
    """Collects rows and hands them to :meth:`flush` a chunk at a time."""

    table: Table
    stamp_column = "created_at"  # set to the run's timestamp on every row inserted
    chunk = CHUNK  # rows checked and written together

    def __init__(self, ctx: Context, result: KindResult):
        super().__init__(ctx, result)
        self.pending: list[tuple[int, dict, dict]] = []
        self.writer: BulkWriter | None = None

    def add(self, number: int, values: dict, raw: dict) -> None:
        """Queue the row; check and write the chunk once it is full."""
        self.pending.append((number, values, raw))
        if len(self.pending) >= self.chunk:
            self._flush_pending()

    def _flush_pending(self) -> None:
        """Check and write the queued rows; on PostgreSQL their COPY may still be in flight
        while the next chunk is read (``pgcopy``)."""
        if self.pending:
            rows, self.pending = self.pending, []
            if self.writer is not None:
                self.writer.settle()  # the previous chunk's COPY, its error raised here
            self.flush(rows)
            del rows  # freed first: the collection then need not look at the chunk's rows
            if not gc.isenabled():  # paused for the import (see run): collect once a chunk
                gc.collect(1)

    def finish(self) -> None:
        """Check and write the queued rows, and wait until they are written."""
        try:
            self._flush_pending()
            self.drain()
        finally:
            if self.writer is not None:
                self.writer.close()

    def flush(self, rows: list[tuple[int, dict, dict]]) -> None:  # pragma: no cover
        """Check and write one chunk."""
        raise NotImplementedError

    def drain(self) -> None:
        """Write rows a handler held back for the next chunk (none unless it holds some)."""

    def bulk_writer(self) -> BulkWriter:
        """The writer of this handler's new rows (made on first use)."""
        if self.writer is None:
            self.writer = BulkWriter(self.session, self.table, self.stamp_column, self.ctx.stamp)
        return self.writer

    def insert(self, records: list[dict], numbers: Iterable[int], prepared=None) -> None:
        """Insert new rows (COPY on PostgreSQL, a Core executemany elsewhere; ``prepared`` by
        the writer ahead if given); note one audit entry for the chunk (entity = table, action
        IMPORT, the file's SHA-256, the kind, the first and last id, the count and the row
        numbers)."""
        if not records:
            return
        writer = self.bulk_writer()
        invalidate_rows(self.session, self.table.name, records)  # Core: no mapper events
        first, last, count = writer.insert_prepared(prepared or writer.prepare(records))
        self.result.added += count
        self.ctx.events.append((self.table.name, f"{first}-{last}", "IMPORT", {
            "file_sha256": self.ctx.sha256, "file": self.ctx.filename, "kind": self.kind,
            "first_id": first, "last_id": last, "count": count,
            "rows": ranges(sorted(numbers))}))
