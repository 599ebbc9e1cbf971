"""Exports in the import layout: every kind, as CSV and as XLSX, imports back with no change;
exports hold only what the actor may read."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.domain.codes import Instrument, InvestorType, MovementType, Role, TransactionType
from app.services.access.scopes import SYSTEM
from app.services.exchange import exports
from app.services.exchange.imports import KINDS, import_file
from app.services.exchange.imports.layout import EXPORTED
from app.services.funds import investments
from app.services.funds import register as funds
from app.services.parks import membership
from tests.factories import actor_of, add_lp, call, invest, make_fund, make_project, make_user
from tests.integration.parks_helpers import make_park
from tests.integration.sharing_factories import observe


def _a_fund_with_everything(db):
    """A fund with LPs, calls and a reversed fee, equity and loan positions with a reversal, a
    valuation, and observations (one negative, one with a note)."""
    fund = make_fund(db, "EX-1", term_start_on=dt.date(2024, 1, 1))
    project = make_project(db, "EX-P", park="深河园", planned_investment=Decimal("12345678.90"),
                           planned_jobs=300, land_area=Decimal("88.25"),
                           production_start_on=dt.date(2026, 6, 30), is_two_high=True,
                           capacity_replacement_ref="粤工信〔2024〕1号")
    add_lp(db, fund, "300000000.00", InvestorType.GOVERNMENT, investor="深圳市财政局")
    add_lp(db, fund, "123456789.01", InvestorType.PRIVATE, investor="社会资本甲")
    call(db, fund, "100000000.00", dt.date(2024, 3, 31))
    fee = call(db, fund, "1234.56", dt.date(2024, 4, 30), MovementType.FEE)
    funds.reverse_movement(db, SYSTEM, fee.id, dt.date(2024, 5, 1), "重复计费")
    equity = invest(db, fund, project)
    loan = invest(db, fund, project, Instrument.LOAN)
    record = investments.record_transaction
    for investment, type_, amount in ((equity, TransactionType.DISBURSEMENT, "5000000.00"),
                                      (loan, TransactionType.DISBURSEMENT, "800000.00"),
                                      (loan, TransactionType.REPAYMENT, "100000.10")):
        entry = record(db, SYSTEM, investment.id, investments.TransactionData(
            type_, dt.date(2024, 6, 30), Decimal(amount)))
    investments.reverse_transaction(db, SYSTEM, entry.id, dt.date(2024, 7, 1), "错记")
    investments.record_valuation(db, SYSTEM, equity.id, dt.date(2024, 12, 31),
                                 Decimal("5500000.00"), note="评估报告")
    observe(db, "2024Q4", {("EX-P", "TAX_LOCAL"): "-12.34", ("EX-P", "LAND"): "88.25"})
    make_park(db, "EX-ZONE", partners=(("440300", "SOURCE"), ("441400", "HOST")))
    make_park(db, "EX-OPEN", park_type="CO_BUILT", partners=(), end=None, industries=(),
              approving_document="", approved_on=None, planned_area=None)
    membership.set_membership(db, SYSTEM, project.id, "EX-ZONE", dt.date(2024, 2, 1),
                              dt.date(2025, 1, 31))
    db.commit()
    return fund


@pytest.mark.parametrize("fmt", exports.FORMATS)
@pytest.mark.parametrize("kind", list(EXPORTED))
def test_an_export_imports_back_with_no_change(db, kind, fmt):
    _a_fund_with_everything(db)
    out = io.BytesIO()
    written = exports.export(db, SYSTEM, kind, fmt, out)
    assert written >= 1
    result = import_file(db, SYSTEM, kind, io.BytesIO(out.getvalue()), f"{kind}.{fmt}",
                         dry_run=False)
    assert result.errors == []
    assert (result.total("rows"), result.total("changes"), result.total("unchanged")) == (
        written, 0, written)


def test_a_csv_export_is_utf8_with_bom_in_the_import_layout_with_exact_amounts(db):
    _a_fund_with_everything(db)
    out = io.BytesIO()
    exports.export(db, SYSTEM, "transactions", "csv", out)
    text = out.getvalue().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == [c.name for c in KINDS["transactions"]]
    assert [r[6] for r in rows[1:]] == ["5000000.00", "800000.00", "100000.10", "100000.10"]
    assert rows[-1][7] == rows[-2][0]  # the reversal names the entry it reverses


def test_an_xlsx_export_has_numbers_dates_and_codes_as_such(db):
    _a_fund_with_everything(db)
    out = io.BytesIO()
    exports.export(db, SYSTEM, "funds", "xlsx", out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet.title == "funds"
    header, row = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    values = dict(zip(header, row, strict=True))
    assert (values["target_size"], values["class"], values["sponsor_region"]) == (
        1000000000, "INDUSTRIAL", "440300")
    assert values["term_start"] == dt.datetime(2024, 1, 1)  # noqa: DTZ001 - a date cell


def test_exports_hold_only_what_the_actor_may_read(db):
    _a_fund_with_everything(db)
    other = make_fund(db, "EX-2", sponsor="340100")
    make_project(db, "EX-FAR", source="340102", destination="340104")
    manager = actor_of(db, make_user(db, Role.FUND_MANAGER, other.code))
    bureau = actor_of(db, make_user(db, Role.FINANCE_BUREAU, "441600"))

    def codes(actor, kind):
        return [row[0] for row in exports.export_rows(db, actor, kind)]

    assert codes(manager, "funds") == ["EX-2"]
    assert codes(manager, "movements") == []
    assert codes(bureau, "projects") == ["EX-P"]  # arriving in its region; not EX-FAR
    assert codes(bureau, "observations") == ["EX-P", "EX-P"]
    assert codes(bureau, "funds") == []  # EX-1 is sponsored by Shenzhen, not Heyuan
