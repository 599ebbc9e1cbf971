"""Importing settlement notices from CSV or XLSX (settlement.md): each row goes through the rules
of recording a notice on the page; a refused row is named with its column, and nothing of the
file is written; the template offers the columns and drop-downs; fund managers may not import
notices, a bureau outside the agreement is told the code is unknown."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from app.domain.codes import Role
from app.models import SettlementDifference, SettlementNotice
from app.services.exchange.imports import KINDS, import_file, may_import
from app.services.exchange.imports.limits import Limits
from app.services.exchange.imports.templates import write_template
from tests.factories import actor_of, make_fund, make_user
from tests.integration.settlement_helpers import Example
from tests.integration.sharing_factories import DESTINATION, SOURCE
from tests.integration.test_import_support import csv_bytes
from tests.web.helpers import count

HEADER = [c.name for c in KINDS["notices"]]
DUE = "15000000.00"  # the worked example's first year: 1,500 万元 owed by Heyuan to Shenzhen


def row(year: int, **changes) -> list[str]:
    values = {"agreement_code": "SE", "fiscal_year": str(year), "level": "PROVINCIAL",
              "notice_number": "粤财预〔2023〕12号", "date": f"{year + 1}-05-20",
              "payer_region": DESTINATION, "payee_region": SOURCE, "amount": DUE,
              "reason": ""} | changes
    return [values[name] for name in HEADER]


@pytest.fixture
def world(db):
    """The worked example's first year computed and confirmed by both bureaus."""
    example = Example(db, years=1)
    run, _ = example.compute(db, example.first)
    example.confirm(db, run)
    db.commit()
    return example


def _import(db, actor, rows, *, dry_run=False, name="notices.csv", limits=None):
    return import_file(db, actor, "notices", io.BytesIO(csv_bytes(HEADER, rows)), name,
                       dry_run=dry_run, limits=limits)


def test_the_columns_are_those_of_a_notice():
    assert HEADER == ["agreement_code", "fiscal_year", "level", "notice_number", "date",
                      "payer_region", "payee_region", "amount", "reason"]


def test_a_file_of_notices_books_and_reconciles_like_the_page(db, world):
    year = world.first
    dry = _import(db, world.dest, [row(year, amount="14900000.00",
                                       reason="REFUND_AFTER_CUTOFF")], dry_run=True)
    assert dry.ok and dry.total("added") == 1
    assert count(db, SettlementNotice) == 0  # a dry run writes nothing
    result = _import(db, world.dest, [
        row(year, amount="14900000.00", reason="REFUND_AFTER_CUTOFF"),
        row(year, notice_number="粤财预〔2023〕13号", amount="60000.00", level="MUNICIPAL",
            reason="REFUND_AFTER_CUTOFF")])
    assert result.errors == [] and result.total("added") == 2
    db.commit()
    notices = db.query(SettlementNotice).order_by(SettlementNotice.id).all()
    assert [(n.level.value, n.number, n.issued_on, str(n.amount)) for n in notices] == [
        ("PROVINCIAL", "粤财预〔2023〕12号", dt.date(year + 1, 5, 20), "14900000.00"),
        ("MUNICIPAL", "粤财预〔2023〕13号", dt.date(year + 1, 5, 20), "60000.00")]
    [difference] = db.query(SettlementDifference).all()
    assert (str(difference.amount), difference.reason.value, difference.is_open) == (
        "-40000.00", "REFUND_AFTER_CUTOFF", True)  # booked 14,960,000 against 15,000,000


@pytest.mark.parametrize(("changes", "column", "message"), [
    ({"payer_region": SOURCE, "payee_region": DESTINATION}, "payee_region",
     f"{SOURCE} owes {DESTINATION} nothing in the settlement of"),  # a pair that owes nothing
    ({"amount": "-1.00"}, "amount", '"-1.00": the amount booked cannot be negative'),
    ({"notice_number": "N-1"}, "notice_number", "appears earlier in this file (row 2)"),
    ({"amount": "13000000.00", "reason": ""}, "reason", "booked differs from due by"),
    ({"agreement_code": "NOPE"}, "agreement_code",
     'no agreement you can book has the code "NOPE"'),
    ({"fiscal_year": "2099"}, "fiscal_year", "the settlement of 2099 is not confirmed"),
    ({"level": "COUNTY"}, "level", '"COUNTY" is not one of CENTRAL, PROVINCIAL, MUNICIPAL'),
    ({"date": "2999-01-01"}, "date", "a notice cannot be dated in the future"),
])
def test_a_refused_row_is_named_and_nothing_of_the_file_is_written(db, world, changes, column,
                                                                   message):
    good = row(world.first, notice_number="N-1", amount="1000000.00", reason="TIMING")
    bad = row(world.first, **({"notice_number": "N-2", "amount": "1000.00",
                                "reason": "TIMING"} | changes))
    result = _import(db, world.dest, [good, bad])
    [error] = map(str, result.errors)
    assert error.startswith(f"row 3, {column}: ") and message in error, error
    db.rollback()
    assert (count(db, SettlementNotice), count(db, SettlementDifference)) == (0, 0)


def test_a_number_recorded_before_is_refused_even_repeating_the_same_notice(db, world):
    first = _import(db, world.dest, [row(world.first)])
    assert first.ok
    db.commit()
    again = _import(db, world.dest, [row(world.first)])
    assert [str(e) for e in again.errors] == [
        'row 2, notice_number: "粤财预〔2023〕12号": notice 粤财预〔2023〕12号 is recorded '
        "already"]
    db.rollback()
    assert count(db, SettlementNotice) == 1


def test_the_xlsx_template_filled_in_imports(db, world):
    out = io.BytesIO()
    write_template(db, "notices", out)
    book = load_workbook(io.BytesIO(out.getvalue()))
    sheet = book["notices"]
    assert [c.value for c in sheet[1]] == HEADER
    assert any("NoticeLevel" in str(v.formula1) or "_lists" in str(v.formula1)
               for v in sheet.data_validations.dataValidation)
    for index, value in enumerate(row(world.first, reason="ROUNDING"), start=1):
        sheet.cell(row=2, column=index).value = value
    sheet.cell(row=2, column=8).value = 15000000  # a number cell, as Excel keeps it
    sheet.cell(row=2, column=5).value = dt.datetime(world.first + 1, 5, 20)  # noqa: DTZ001
    filled = io.BytesIO()
    book.save(filled)
    result = import_file(db, world.dest, "notices", io.BytesIO(filled.getvalue()),
                         "notices.xlsx", dry_run=False)
    assert result.errors == [] and result.total("added") == 1
    assert str(db.query(SettlementNotice).one().amount) == DUE


def test_who_may_import_notices(db, world):
    manager = actor_of(db, make_user(db, Role.FUND_MANAGER, make_fund(db, "NF").code))
    auditor = actor_of(db, make_user(db, Role.AUDITOR))
    outsider = actor_of(db, make_user(db, Role.FINANCE_BUREAU, "340100"))  # 合肥市
    assert may_import(world.dest, "notices") and may_import(world.src, "notices")
    assert not may_import(manager, "notices") and not may_import(auditor, "notices")
    result = _import(db, outsider, [row(world.first)])
    assert [str(e) for e in result.errors] == [
        'row 2, agreement_code: no agreement you can book has the code "SE"']
    db.rollback()
    assert count(db, SettlementNotice) == 0


def test_a_hostile_file_is_stopped_by_the_limits_before_anything_is_written(db, world):
    rows = [row(world.first, notice_number=f"N-{n}", amount="1.00", reason="TIMING")
            for n in range(20)]
    result = _import(db, world.dest, rows, limits=Limits(max_rows=5))
    assert not result.ok and "row" in " ".join(map(str, result.errors))
    db.rollback()
    assert count(db, SettlementNotice) == 0
