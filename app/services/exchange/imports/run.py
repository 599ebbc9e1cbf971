"""Running an import: a file (one kind, or a workbook of kinds) or rows given as mappings.

The import runs inside a SAVEPOINT. A real run without errors releases it (the caller commits);
a dry run, or any error, rolls it back, so nothing is ever left written. A dry run therefore
does exactly what the real run would — later rows see earlier ones, later sheets see earlier
sheets — and its counts are the real run's.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import BinaryIO

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from app.domain.codes import Role
from app.domain.messages import N_
from app.services.access.scopes import Actor
from app.services.errors import NotFound
from app.services.exchange.imports.engine import Context, Handler, ImportResult, KindResult
from app.services.exchange.imports.layout import KINDS, WORKBOOK
from app.services.exchange.imports.ledgers import MovementsHandler, TransactionsHandler
from app.services.exchange.imports.limits import Budget, Limits
from app.services.exchange.imports.notices import NoticesHandler
from app.services.exchange.imports.observations import ObservationsHandler
from app.services.exchange.imports.parks import ParkMembersHandler, ParksHandler
from app.services.exchange.imports.pgcopy import planned_afresh
from app.services.exchange.imports.registers import (
    CommitmentsHandler,
    FundsHandler,
    ProjectsHandler,
)
from app.services.exchange.imports.rows import (
    parse_row,
    raw_rows,
    read_header,
    row_error,
    unknown_keys,
)
from app.services.exchange.imports.sources import Sheet, UnreadableFile, digest, open_sheets
from app.services.exchange.imports.valuations import ValuationsHandler

HANDLERS: dict[str, type[Handler]] = {
    "funds": FundsHandler, "commitments": CommitmentsHandler, "projects": ProjectsHandler,
    "parks": ParksHandler, "park_members": ParkMembersHandler,
    "movements": MovementsHandler, "transactions": TransactionsHandler,
    "valuations": ValuationsHandler, "observations": ObservationsHandler,
    "notices": NoticesHandler,
}
BUREAU_KINDS = ("observations", "notices")
"""The kinds a finance bureau imports (and a fund manager does not)."""
PROGRESS_EVERY = 1000  # rows between progress reports

Progress = Callable[[int, int], None]


def may_import(actor: Actor, kind: str) -> bool:
    """Fund managers import the fund side (their projects' park membership included), bureaus
    observations and settlement notices, administrators everything (the parks register only
    they change)."""
    if actor.is_admin:
        return kind in KINDS or kind == WORKBOOK
    if kind == "parks":
        return False
    if kind in BUREAU_KINDS:
        return actor.has(Role.FINANCE_BUREAU)
    return (kind in KINDS or kind == WORKBOOK) and actor.has(Role.FUND_MANAGER)


def importable_kinds(actor: Actor) -> list[str]:
    """The kinds the actor may import, in dependency order."""
    return [kind for kind in KINDS if may_import(actor, kind)]


def import_file(session: Session, actor: Actor, kind: str, stream: BinaryIO, filename: str, *,
                dry_run: bool, progress: Progress | None = None,
                limits: Limits | None = None) -> ImportResult:
    """Import a CSV or XLSX file of ``kind`` (or an XLSX ``workbook`` of kinds) from a seekable
    binary stream; NotFound if the actor may not import the kind.

    The file is opened and its archive checked (``limits``) before the database is asked
    anything; its rows are then read, checked and written chunk by chunk within the row and
    time limits, so a hostile file holds no transaction open longer than the time limit."""
    if not may_import(actor, kind):
        raise NotFound("page")
    budget = Budget(limits or Limits())
    sha256 = digest(stream)
    try:
        sheets = open_sheets(stream, filename, budget)
        chosen = _choose(kind, sheets, actor)
    except UnreadableFile as exc:
        return ImportResult([], dry_run, sha256, [exc.args[0]])
    ctx = Context(session, actor, dry_run=dry_run, sha256=sha256, filename=filename)
    return _run(ctx, lambda: [_sheet(ctx, k, sheet, progress) for k, sheet in chosen])


def import_rows(session: Session, actor: Actor, kind: str, rows: Iterable[Mapping[str, object]],
                *, dry_run: bool, source: str = "", first_row: int = 2) -> ImportResult:
    """Import rows given as {column: value} (the API), numbered from ``first_row``, through the
    very checks of a file import."""
    if kind not in KINDS or not may_import(actor, kind):
        raise NotFound("page")
    ctx = Context(session, actor, dry_run=dry_run, sha256=source, filename="")

    def run() -> list[KindResult]:
        result = KindResult(kind)
        handler = HANDLERS[kind](ctx, result)
        for number, raw in enumerate(rows, start=first_row):
            result.errors.extend(N_("row %(row)s, %(error)s", row=number, error=e)
                                 for e in unknown_keys(kind, KINDS[kind], raw))
            _row(result, handler, number, dict(raw))
        handler.finish()
        return [result]

    return _run(ctx, run)


@contextmanager
def _collected_by_chunk() -> Iterator[None]:
    """Pause the automatic cycle collector. Imported rows are acyclic and freed by reference
    counting; a collection every 700 allocations only slows them (by a fifth, measured). The
    chunked handlers collect the young generations once per chunk instead."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run(ctx: Context, body: Callable[[], list[KindResult]]) -> ImportResult:
    with _collected_by_chunk(), planned_afresh(ctx.session):
        return _run_in_savepoint(ctx, body)


def _run_in_savepoint(ctx: Context, body: Callable[[], list[KindResult]]) -> ImportResult:
    savepoint = ctx.session.begin_nested()
    try:
        result = ImportResult(body(), ctx.dry_run, ctx.sha256)
        if result.ok and not ctx.dry_run:
            ctx.write_audit()
            ctx.session.flush()
    except UnreadableFile as exc:
        result = ImportResult([], ctx.dry_run, ctx.sha256, [exc.args[0]])
    except (IntegrityError, DataError) as exc:
        result = ImportResult([], ctx.dry_run, ctx.sha256, [N_(
            "the database refused the import: %(error)s", error=str(exc.orig))])
    except BaseException:
        savepoint.rollback()
        raise
    if result.ok and not ctx.dry_run:
        savepoint.commit()
    else:
        savepoint.rollback()
    return result


def _choose(kind: str, sheets: list[Sheet], actor: Actor) -> list[tuple[str, Sheet]]:
    """The sheets to import and their kinds: a workbook's by name, in dependency order."""
    if kind != WORKBOOK:
        named = [s for s in sheets if s.name == kind] or [s for s in sheets if s.visible]
        if not named:
            raise UnreadableFile(N_("the workbook has no visible sheet"))
        return [(kind, named[0])]
    by_name = {s.name.strip().lower(): s for s in sheets}
    strays = [s.name for s in sheets if s.visible and not s.name.startswith("_")
              and s.name.strip().lower() not in KINDS]
    if strays:
        raise UnreadableFile(N_('sheet "%(sheet)s" is not a kind (%(kinds)s): rename it, hide it '
                                "or start its name with _", sheet=strays[0],
                                kinds=", ".join(KINDS)))
    chosen = [(k, by_name[k]) for k in KINDS if k in by_name]
    if not chosen:
        raise UnreadableFile(N_("the workbook has no sheet named after a kind (%(kinds)s)",
                                kinds=", ".join(KINDS)))
    for k, _sheet in chosen:
        if not may_import(actor, k):
            raise NotFound("page")
    return chosen


def _sheet(ctx: Context, kind: str, sheet: Sheet, progress: Progress | None) -> KindResult:
    result = KindResult(kind, encoding=sheet.encoding)
    columns = KINDS[kind]
    header = next(sheet.rows, None)
    positions, errors = read_header(kind, columns, header[1] if header else ())
    if not positions and not any("is not a column" in e for e in errors):
        errors = [N_("row %(row)s: there is no header row: the first row names the columns "
                     "(%(columns)s)", row=1, columns=", ".join(c.name for c in columns))]
    if errors:
        result.errors.extend(errors)
        return result
    handler = HANDLERS[kind](ctx, result)
    add, errors = handler.add, result.errors
    count = 0
    for count, (number, raw) in enumerate(raw_rows(sheet.rows, positions), start=1):
        values, problems = parse_row(columns, raw)
        if problems:
            errors.extend(row_error(number, column, value, message)
                          for column, value, message in problems)
        else:
            add(number, values, raw)
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(sheet.position(), sheet.total)
    result.rows = count
    handler.finish()
    if progress is not None:
        progress(sheet.position(), sheet.total)
    return result


def _row(result: KindResult, handler: Handler, number: int, raw: dict) -> None:
    result.rows += 1
    values, problems = parse_row(KINDS[result.kind], raw)
    if problems:
        result.errors.extend(row_error(number, column, value, message)
                             for column, value, message in problems)
    else:
        handler.add(number, values, raw)
