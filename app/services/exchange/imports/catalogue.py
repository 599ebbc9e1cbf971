"""Importing an edition of the transfer guidance catalogue from a CSV or XLSX file (catalogue.md).

The file is read by the import engine's own readers, with the same hostile-file limits (sizes,
rows, time, line length), header checks and cell parsers as every other import; its rows are
then checked together (regions, codes, a code mapped twice in one list of one region) and the
edition is written all or nothing: any error names its row and nothing is written. Only
administrators import editions. The first edition of a database, or one imported with
``make_current``, becomes current and every project is screened against it; the projects whose
flag that changed are notified (``funds.catalogue_changes``), in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

from app.domain.codes import CatalogueList
from app.domain.messages import N_
from app.services import screening
from app.services.access.scopes import Actor
from app.services.errors import NotFound, ValidationFailed
from app.services.exchange.imports import cells
from app.services.exchange.imports.layout import Column
from app.services.exchange.imports.limits import Budget, Limits
from app.services.exchange.imports.rows import parse_row, raw_rows, read_header, row_error
from app.services.exchange.imports.sources import UnreadableFile, digest, open_sheets
from app.services.exchange.imports.templates import write_template
from app.services.funds import catalogue_changes
from app.services.reference import catalogue

KIND = "catalogue"

COLUMNS: tuple[Column, ...] = (
    Column("region", cells.text(32), example="441600", lookup="regions"),
    Column("list", cells.coded(CatalogueList), example="PRIORITY", choices=CatalogueList),
    Column("heading", cells.text(100), example="电子信息"),
    Column("text", cells.text(1000), example="新型电子元器件、智能终端"),
    Column("codes", cells.text(200), example="39"),
    Column("exceptions", cells.text(1000), False, ""),
    Column("needs_review", cells.boolean, False, "FALSE"),
)
"""The columns of an edition file: the region (a prefecture, or a province for a province-wide
entry), the list, the sector heading, the entry's text, its GB/T 4754 codes (several separated
by ``;``), the exceptions text and whether the mapping needs a person's review."""


@dataclass
class CatalogueImport:
    """What importing an edition did (or, in a dry run, would do)."""

    entries: int = 0
    errors: list[str] = field(default_factory=list)
    sha256: str = ""
    edition: str = ""
    edition_id: int | None = None
    activation: screening.Activation | None = None

    @property
    def ok(self) -> bool:
        """No errors: the edition was (or can be) written."""
        return not self.errors


def import_catalogue(session, actor: Actor, stream: BinaryIO, filename: str, *,
                     data: catalogue.EditionData, make_current: bool = False,
                     dry_run: bool = False, limits: Limits | None = None) -> CatalogueImport:
    """Import an edition file (``data`` gives the edition's name and notes; its entries are
    read from the file). All or nothing, inside a SAVEPOINT: a dry run or any error rolls back.
    NotFound unless the actor is an administrator."""
    if not actor.is_admin:
        raise NotFound("page")
    result = CatalogueImport(sha256=digest(stream), edition=data.name.strip())
    try:
        entries = _read(stream, filename, Budget(limits or Limits()), result.errors)
    except UnreadableFile as exc:
        result.errors.append(exc.args[0])
        return result
    result.entries = len(entries)
    if result.errors:
        return result
    savepoint = session.begin_nested()
    try:
        edition = catalogue.create_edition(session, catalogue.EditionData(
            data.name, data.published_on, data.source_note, data.is_sample, entries),
            created_by_id=actor.user_id)
        result.edition_id = edition.id
        if make_current or catalogue.current_edition(session) is None:
            result.activation = catalogue_changes.activate(session, actor, edition.id)
    except ValidationFailed as exc:
        result.errors.extend(e for messages in exc.errors.values() for e in messages)
    except BaseException:
        savepoint.rollback()
        raise
    if result.ok and not dry_run:
        savepoint.commit()
    else:
        savepoint.rollback()
    return result


def _read(stream: BinaryIO, filename: str, budget: Budget, errors: list[str]
          ) -> list[catalogue.EntryData]:
    sheets = open_sheets(stream, filename, budget)
    sheet = next((s for s in sheets if s.name == KIND), None) or next(
        (s for s in sheets if s.visible), None)
    if sheet is None:
        raise UnreadableFile(N_("the workbook has no visible sheet"))
    header = next(sheet.rows, None)
    positions, problems = read_header(KIND, COLUMNS, header[1] if header else ())
    if problems:
        errors.extend(problems)
        return []
    entries: list[catalogue.EntryData] = []
    for number, raw in raw_rows(sheet.rows, positions):
        values, problems = parse_row(COLUMNS, raw)
        if problems:
            errors.extend(row_error(number, column, value, message)
                          for column, value, message in problems)
            continue
        codes = tuple(c.zfill(2) if c.isdigit() and len(c) == 1 else c
                      for c in catalogue.split_codes(values["codes"]))
        entries.append(catalogue.EntryData(
            row=number, region=values["region"], list_code=values["list"],
            heading=values["heading"], text=values["text"], codes=codes,
            exceptions=values["exceptions"] or "", needs_review=bool(values["needs_review"])))
    return entries


def write_catalogue_template(session, out: BinaryIO) -> None:
    """The XLSX template of an edition file: headers, an example row, drop-down lists."""
    write_template(session, KIND, out, {KIND: COLUMNS})
