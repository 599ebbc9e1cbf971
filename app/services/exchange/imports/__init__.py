"""Spreadsheet import (exchange.md): one validation path per kind for the CLI, the web and the API.

Each row goes the same way whoever sends it: its cells are read by the kind's columns
(``layout``, ``cells``, ``rows.parse_row``), then checked against the database, the actor's scope
and the services' own rules (the ``*Handler`` of the kind), so the same bad row gets the same
message everywhere: ``row 14, amount: "12,3a" is not a number`` (header = row 1).

Decisions:

* **One transaction, dry run included.** An import runs in a SAVEPOINT; a dry run or any error
  rolls it back (see ``run``), so a dry run does exactly what the real run would and writes
  nothing.
* **Bulk rows, chunk audit entries.** Ledger rows (movements, transactions) never change once
  written, so new ones — and new valuations and observations — are checked in Python a chunk at
  a time and inserted with one Core ``INSERT … RETURNING`` per chunk, never one ORM object per
  row (quality.md's speed bar). Each chunk writes ONE audit entry through
  ``app.models.audit.append_entries``: entity = the table, action ``IMPORT``, changes = the file's
  SHA-256 and name, the kind, the first and last id, the count and the spreadsheet row numbers.
  The rows themselves hold the values, so the entry plus the file reproduce them. Updates of
  existing funds, commitments, projects, valuations and observations go through the services
  and the ORM, so they get per-row, field-level entries (and version checks).
* **Scope row by row.** A code outside the actor's scope is reported exactly like an unknown one
  ("no fund you can edit has the code …"), never revealing what exists.
* **Memory is flat in the file's length.** Files are streamed; a chunk is checked against the
  database with a few queries; rows written earlier by the same run are recognised by their
  ``created_at``/``updated_at`` (the run's timestamp), so a key repeated in the file is found
  without remembering every key.
* **Speed.** Besides chunking: values are converted once per distinct value by the columns'
  own types and inserted with a plain executemany; the cycle collector is paused during an
  import and run once per chunk (the rows are acyclic; it cost a fifth of the time).
* **GBK.** A CSV that is not UTF-8 but valid GB18030 (GBK's superset, what Excel on Chinese
  Windows writes) is decoded, and the result says which encoding was read.
"""

from app.services.exchange.imports.engine import ImportResult, KindResult
from app.services.exchange.imports.layout import KINDS, WORKBOOK, Column, columns_of
from app.services.exchange.imports.rows import parse_row
from app.services.exchange.imports.run import import_file, import_rows, importable_kinds, may_import
from app.services.exchange.imports.sources import UnreadableFile

__all__ = [
    "KINDS", "WORKBOOK", "Column", "ImportResult", "KindResult", "UnreadableFile", "columns_of",
    "import_file", "import_rows", "importable_kinds", "may_import", "parse_row",
]
