"""The spreadsheet layout of every kind (exchange.md): its columns, their types and examples.

The one description of the columns that import, export and the XLSX templates all read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.domain.codes import (
    Coded,
    CooperationMode,
    DifferenceReason,
    FundClass,
    Instrument,
    Intensity,
    InvestorType,
    MovementType,
    NoticeLevel,
    ParkType,
    ProjectStatus,
    TransactionType,
)
from app.services.exchange.imports import cells


@dataclass(frozen=True)
class Column:
    """One column: its header, how a cell is read, whether it may be left empty, an example.

    ``choices`` is the coded enum of a drop-down; ``lookup`` names reference data offered as a
    drop-down instead (``regions``, ``industries``, ``indicators``). A ``computed`` column is
    written by exports (the catalogue flag a project was screened with) and read back without
    effect by imports, so an export still imports back unchanged; templates leave it out.
    """

    name: str
    parse: Callable[[object], object]
    required: bool = True
    example: object = ""
    choices: type[Coded] | None = None
    lookup: str = ""
    computed: bool = False


def _coded(name: str, enum_cls: type[Coded], example: Coded, required: bool = True) -> Column:
    return Column(name, cells.coded(enum_cls), required, example.value, choices=enum_cls)


def _text(name: str, length: int, example: object = "", required: bool = True,
          lookup: str = "") -> Column:
    return Column(name, cells.text(length), required, example, lookup=lookup)


def _money(name: str, example: str, required: bool = True) -> Column:
    return Column(name, cells.decimal, required, example)


def _date(name: str, example: str, required: bool = True) -> Column:
    return Column(name, cells.date, required, example)


KINDS: dict[str, tuple[Column, ...]] = {
    "funds": (
        _text("code", 32, "GD-IND-01"), _text("name", 200, "广东产业转移基金"),
        _text("sponsor_region", 32, "440300", lookup="regions"),
        _text("manager", 200, "粤财资本"), _coded("class", FundClass, FundClass.INDUSTRIAL),
        Column("vintage", cells.integer, example=2024),
        _money("target_size", "1000000000.00"),
        _date("term_start", "2024-01-01", False), _date("term_end", "2033-12-31", False),
    ),
    "commitments": (
        _text("fund_code", 32, "GD-IND-01"), _text("investor", 200, "深圳市财政局"),
        _coded("investor_type", InvestorType, InvestorType.GOVERNMENT),
        _date("date", "2024-01-15"), _money("amount", "300000000.00"),
    ),
    "projects": (
        _text("code", 32, "P-2024-001"), _text("name", 200, "新能源电池模组"),
        _text("enterprise", 200, "深圳某某科技有限公司"), _text("uscc", 64, "", False),
        _text("industry", 8, "38", lookup="industries"),
        _coded("intensity", Intensity, Intensity.TECHNOLOGY),
        _text("source_region", 32, "440306", lookup="regions"),
        _text("destination_region", 32, "441602", lookup="regions"),
        _coded("cooperation_mode", CooperationMode, CooperationMode.JOINT_PARK),
        _text("park", 200, "深河产业共建示范区", False),
        _coded("status", ProjectStatus, ProjectStatus.IMPLEMENTATION),
        _money("planned_investment", "500000000.00", False),
        Column("planned_jobs", cells.integer, False, 800),
        _money("land_area", "120.50", False), _date("production_start", "2026-06-30", False),
        Column("two_high", cells.boolean, False, "FALSE"),
        _text("capacity_replacement", 200, "", False),
        Column("catalogue_edition", cells.text(100), False, computed=True),
        Column("catalogue_flag", cells.text(24), False, computed=True),
    ),
    "parks": (
        _text("code", 32, "HY-ZONE"), _text("name", 200, "河源承接产业转移示范区"),
        _coded("park_type", ParkType, ParkType.NATIONAL_ZONE),
        _text("host_region", 32, "441600", lookup="regions"),
        _text("partners", 500, "440300:SOURCE;441400:HOST", False),
        _text("approving_document", 200, "发改地区〔2023〕729号", False),
        _date("approved_on", "2023-11-01", False), _date("cycle_start", "2024-01-01"),
        _date("cycle_end", "2028-12-31", False), _money("planned_area", "12000.50", False),
        _text("industries", 500, "38;3670", False),
    ),
    "park_members": (
        _text("project_code", 32, "P-2024-001"), _text("park", 32, "HY-ZONE"),
        _date("joined_on", "2025-03-01"), _date("left_on", "", False),
    ),
    "movements": (
        _text("reference", 64, "GD-IND-01-M00001"), _text("fund_code", 32, "GD-IND-01"),
        _coded("type", MovementType, MovementType.CAPITAL_CALL), _date("date", "2024-03-31"),
        _money("amount", "100000000.00"), _text("investor", 200, "", False),
        _text("reverses", 64, "", False), _text("note", 500, "", False),
    ),
    "transactions": (
        _text("reference", 64, "GD-IND-01-T00001"), _text("fund_code", 32, "GD-IND-01"),
        _text("project_code", 32, "P-2024-001"),
        _coded("instrument", Instrument, Instrument.EQUITY),
        _coded("type", TransactionType, TransactionType.DISBURSEMENT),
        _date("date", "2024-06-30"), _money("amount", "50000000.00"),
        _text("reverses", 64, "", False), _text("note", 500, "", False),
    ),
    "valuations": (
        _text("fund_code", 32, "GD-IND-01"), _text("project_code", 32, "P-2024-001"),
        _date("as_of", "2024-12-31"), _money("value", "62000000.00"),
    ),
    "observations": (
        _text("project_code", 32, "P-2024-001"),
        _text("indicator_code", 32, "TAX_LOCAL", lookup="indicators"),
        Column("quarter", cells.quarter, example="2026Q3"), _money("value", "1250000.00"),
        _text("note", 500, "", False),
    ),
    "notices": (
        _text("agreement_code", 32, "SZHY-2024-01"),
        Column("fiscal_year", cells.integer, example=2024),
        _coded("level", NoticeLevel, NoticeLevel.PROVINCIAL),
        _text("notice_number", 100, "粤财预〔2025〕12号"), _date("date", "2025-05-20"),
        _text("payer_region", 32, "441600", lookup="regions"),
        _text("payee_region", 32, "440300", lookup="regions"),
        _money("amount", "15900000.00"),
        _coded("reason", DifferenceReason, DifferenceReason.TIMING, required=False),
    ),
}
"""Columns of each kind, in dependency order (a workbook's sheets are imported in this order).
A park's ``partners`` are ``region:ROLE`` pairs and its ``industries`` GB/T 4754 codes, each
separated by ``;`` (parks.md); a park member row puts a project in a park from ``joined_on``.
Movements take an optional ``reverses`` as transactions do, so that an export of a ledger with
reversals imports back unchanged. ``notices`` (the superior department's settlement notices,
settlement.md) are imported only: they are not exported (see :data:`EXPORTED`)."""

EXPORTED = tuple(kind for kind in KINDS if kind != "notices")
"""The kinds an export writes in the import layout (every kind but the notices, which book money
once and so never import back unchanged)."""

WORKBOOK = "workbook"
"""The pseudo-kind of an XLSX file holding one sheet per kind, named after it."""


def columns_of(kind: str) -> tuple[Column, ...]:
    """The columns of ``kind``; KeyError for an unknown kind."""
    return KINDS[kind]
