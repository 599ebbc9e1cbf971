"""Exports in the import layout (exchange.md): what the actor may read, as CSV or XLSX, so that
an export imports back with no change. Amounts in yuan, values in their indicator's unit.

Rows are streamed from the database and written as they come (openpyxl's write-only mode for
XLSX), so memory does not grow with the table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from enum import Enum
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from app.domain.quarter import Quarter
from app.models import (
    CatalogueEdition,
    Commitment,
    Fund,
    Investment,
    InvestmentTransaction,
    Movement,
    Observation,
    Park,
    ParkMembership,
    Project,
    Region,
    ScreeningResult,
    Valuation,
)
from app.services.access.scopes import Actor, fund_filter, project_filter
from app.services.exchange.imports.inert import escape, text_cell
from app.services.exchange.imports.layout import EXPORTED, KINDS
from app.services.exchange.imports.parks import partners_text
from app.services.parks.register import PARK_IN_FULL, park_filter

FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
DATE_FORMAT = "yyyy-mm-dd"
_BATCH = 2000


def _funds() -> Select:
    sponsor = aliased(Region)
    return (select(Fund.code, Fund.name, sponsor.code, Fund.manager, Fund.fund_class,
                   Fund.vintage, Fund.target_size, Fund.term_start_on, Fund.term_end_on)
            .join(sponsor, Fund.sponsor_region_id == sponsor.id).order_by(Fund.code))


def _commitments() -> Select:
    return (select(Fund.code, Commitment.investor, Commitment.investor_type,
                   Commitment.committed_on, Commitment.amount)
            .join(Fund).order_by(Fund.code, Commitment.committed_on, Commitment.investor))


def _projects() -> Select:
    """The register, then the flag under the current catalogue edition (computed columns: NONE
    without a result; no edition name before any edition exists)."""
    source, destination = aliased(Region), aliased(Region)
    current = select(CatalogueEdition.id).where(CatalogueEdition.is_current).scalar_subquery()
    flag = select(ScreeningResult.flag).where(ScreeningResult.project_id == Project.id,
                                              ScreeningResult.edition_id == current)
    return (select(Project.code, Project.name, Project.enterprise, Project.uscc,
                   Project.industry_code, Project.intensity, source.code, destination.code,
                   Project.cooperation_mode, Project.park, Project.status,
                   Project.planned_investment, Project.planned_jobs, Project.land_area,
                   Project.production_start_on, Project.is_two_high,
                   Project.capacity_replacement_ref,
                   select(CatalogueEdition.name).where(CatalogueEdition.is_current)
                   .scalar_subquery(),
                   func.coalesce(flag.scalar_subquery(), "NONE"))
            .join(source, Project.source_region_id == source.id)
            .join(destination, Project.destination_region_id == destination.id)
            .order_by(Project.code))


def _movements() -> Select:
    original = aliased(Movement)
    return (select(Movement.reference, Fund.code, Movement.type, Movement.moved_on,
                   Movement.amount, Movement.investor, original.reference, Movement.note)
            .join(Fund, Movement.fund_id == Fund.id)
            .outerjoin(original, Movement.reverses_id == original.id)
            .order_by(Fund.code, Movement.id))


def _transactions() -> Select:
    original = aliased(InvestmentTransaction)
    entry = InvestmentTransaction
    return (select(entry.reference, Fund.code, Project.code, Investment.instrument, entry.type,
                   entry.occurred_on, entry.amount, original.reference, entry.note)
            .join(Investment, entry.investment_id == Investment.id)
            .join(Fund, entry.fund_id == Fund.id).join(Project, Investment.project_id == Project.id)
            .outerjoin(original, entry.reverses_id == original.id)
            .order_by(Fund.code, entry.id))


def _valuations() -> Select:
    return (select(Fund.code, Project.code, Valuation.as_of_on, Valuation.value)
            .join(Investment, Valuation.investment_id == Investment.id)
            .join(Fund, Investment.fund_id == Fund.id)
            .join(Project, Investment.project_id == Project.id)
            .order_by(Fund.code, Project.code, Valuation.as_of_on))


def _observations() -> Select:
    return (select(Project.code, Observation.indicator_code, Observation.quarter,
                   Observation.value, Observation.note)
            .join(Project, Observation.project_id == Project.id)
            .order_by(Project.code, Observation.indicator_code, Observation.quarter))


def _park_members() -> Select:
    return (select(Project.code, Park.code, ParkMembership.joined_on, ParkMembership.left_on)
            .join(Project, ParkMembership.project_id == Project.id)
            .join(Park, ParkMembership.park_id == Park.id).order_by(Project.code))


def _parks(session: Session, actor: Actor) -> Iterator[tuple]:
    """The parks the actor may read, by code: partners and industries joined into one cell
    each (parks are few, so they are read whole with their regions and industries)."""
    for park in session.scalars(select(Park).where(park_filter(actor)).order_by(Park.code)
                                .options(*PARK_IN_FULL)):
        yield (park.code, park.name, park.park_type, park.host_region.code,
               partners_text((p.region.code, p.role.value) for p in park.partners),
               park.approving_document, park.approved_on, park.cycle_start, park.cycle_end,
               park.planned_area, ";".join(i.industry_code for i in park.industries))


_QUERIES = {"funds": _funds, "commitments": _commitments, "projects": _projects,
            "park_members": _park_members, "movements": _movements, "transactions": _transactions,
            "valuations": _valuations, "observations": _observations}


def export_rows(session: Session, actor: Actor, kind: str) -> Iterator[tuple]:
    """The rows of ``kind`` the actor may read, as typed values in the import's column order.
    A park membership is read when both its project and its park are in the actor's scope."""
    if kind == "parks":
        yield from _parks(session, actor)
        return
    query = _QUERIES[kind]()
    if kind == "park_members":
        query = query.where(project_filter(actor), park_filter(actor))
    else:
        query = query.where(project_filter(actor) if kind in ("projects", "observations")
                            else fund_filter(actor))
    yield from session.execute(query.execution_options(yield_per=_BATCH))


def plain(value: object) -> str:
    """A value as the import reads it back: codes, ISO dates, decimals without exponent."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dt.date | Quarter):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return str(value)


def csv_text(value: object) -> str:
    """A value as a CSV cell: :func:`plain`, with text made inert (``inert.escape``): a name
    such as ``=HYPERLINK(…)`` is written ``'=HYPERLINK(…)``. Numbers, dates and quarters are
    formatted here and cannot be formulas: ``-2.50`` stays a number."""
    return escape(plain(value)) if isinstance(value, str) else plain(value)


def xlsx_cell(sheet, value: object) -> WriteOnlyCell | object:
    """A value as an XLSX cell: numbers that a float holds exactly as numbers, dates as dates,
    everything else (codes, quarters, huge amounts) as string cells, never formulas."""
    if isinstance(value, Decimal):
        if Decimal(repr(float(value))) == value:
            cell = WriteOnlyCell(sheet, float(value))
            cell.number_format = "0.00" if value.as_tuple().exponent == -2 else "General"
            return cell
        return text_cell(WriteOnlyCell(sheet), f"{value:f}")
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, bool | int | float):
        return value
    text = plain(value)
    return text_cell(WriteOnlyCell(sheet), text) if text else None


def write_csv(kind: str, rows, out: BinaryIO) -> int:
    """Write the header and ``rows`` as UTF-8 CSV with a BOM (Excel opens it right); the count."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow([c.name for c in KINDS[kind]])
    count = 0
    for count, row in enumerate(rows, start=1):  # noqa: B007
        writer.writerow([csv_text(v) for v in row])
    text.flush()
    text.detach()
    return count


def write_xlsx(sheets: dict[str, object], out: BinaryIO) -> int:
    """Write one sheet per kind (named after it) with its header and rows; the row count."""
    book = Workbook(write_only=True)
    count = 0
    for kind, rows in sheets.items():
        sheet = book.create_sheet(kind)
        bold = []
        for column in KINDS[kind]:
            cell = text_cell(WriteOnlyCell(sheet), column.name)
            cell.font = Font(bold=True)
            bold.append(cell)
        sheet.append(bold)
        for row in rows:
            sheet.append([xlsx_cell(sheet, v) for v in row])
            count += 1
    book.save(out)
    return count


def export(session: Session, actor: Actor, kind: str, fmt: str, out: BinaryIO) -> int:
    """Write the ``kind`` rows the actor may read to ``out`` as CSV or XLSX; the row count."""
    if kind not in EXPORTED or fmt not in FORMATS:
        raise ValueError(f"cannot export {kind} as {fmt}")
    rows = export_rows(session, actor, kind)
    return write_csv(kind, rows, out) if fmt == "csv" else write_xlsx({kind: rows}, out)
