"""Hostile files: wrong headers, merged cells, formulas, dates as text and as serials, full-width
digits and ¥, thousands separators, empty trailing rows, GBK, files of the wrong type. Each is
read as the user meant it or refused with a message naming the row, the column and the value."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.models import InvestmentTransaction
from app.services.access.scopes import SYSTEM
from tests.factories import make_fund, make_project
from tests.integration.test_import_support import (
    TX_HEADER,
    csv_bytes,
    run,
    with_cached_value,
    xlsx_bytes,
)


@pytest.fixture
def ledger(db):
    """A fund HF and a project HP to book transactions against."""
    make_fund(db, "HF")
    make_project(db, "HP")
    db.commit()


def tx(reference, amount="100.00", day="2024-03-31", **other):
    """A transactions row (EQUITY disbursement of HF in HP unless told otherwise)."""
    row = {"reference": reference, "fund_code": "HF", "project_code": "HP",
           "instrument": "EQUITY", "type": "DISBURSEMENT", "date": day, "amount": amount,
           "reverses": "", "note": ""} | other
    return [row[c] for c in TX_HEADER]


def stored(db) -> dict[str, tuple[dt.date, Decimal]]:
    """Reference → (date, amount) of the transactions in the database."""
    db.expire_all()
    return {t.reference: (t.occurred_on, t.amount)
            for t in db.scalars(select(InvestmentTransaction))}


def test_unknown_missing_and_doubled_headers_are_reported_against_row_1(db, ledger):
    header = ["reference", "fund", "project_code", "instrument", "type", "date", "amount",
              "amount", "备注"]
    result = run(db, SYSTEM, "transactions", csv_bytes(header, [["T1"] * 9]))
    assert result.errors == [
        'row 1, "fund": is not a column of transactions (the columns are reference, fund_code, '
        "project_code, instrument, type, date, amount, reverses, note)",
        "row 1, amount: the column appears twice",
        'row 1, "备注": is not a column of transactions (the columns are reference, fund_code, '
        "project_code, instrument, type, date, amount, reverses, note)",
        "row 1, fund_code: the column is missing"]
    assert stored(db) == {}


def test_columns_come_in_any_order_with_any_case_and_optional_stars(db, ledger):
    header = ["Amount", "DATE", "type", "instrument", "project_code", "fund_code", "reference",
              "note*"]
    result = run(db, SYSTEM, "transactions", csv_bytes(header, [
        ["1,000.50", "2024-03-31", "DISBURSEMENT", "EQUITY", "HP", "HF", "T1", ""]]))
    assert result.ok, result.errors
    assert stored(db) == {"T1": (dt.date(2024, 3, 31), Decimal("1000.50"))}


def test_every_bad_cell_of_every_row_is_reported_and_nothing_is_written(db, ledger):
    rows = [tx("T1"), tx("T2", amount="12,3a"), tx("T3", day="2024-02-30", type="PAYMENT"),
            tx("", amount="")]
    result = run(db, SYSTEM, "transactions", csv_bytes(TX_HEADER, rows))
    assert result.errors == [
        'row 3, amount: "12,3a" is not a number',
        'row 4, type: "PAYMENT" is not one of COMMITMENT, DISBURSEMENT, REPAYMENT, INCOME, '
        "PROCEEDS, WRITE_OFF",
        'row 4, date: "2024-02-30" is not a date like 2026-09-30',
        "row 5, reference: is required", "row 5, amount: is required"]
    assert stored(db) == {}


def test_full_width_digits_yuan_signs_and_thousands_separators_are_exact(db, ledger):
    rows = [tx("T1", "¥1,234,567.89"), tx("T2", "１２３４．５０"), tx("T3", "￥ 12,345"),
            tx("T4", "0.01")]
    assert run(db, SYSTEM, "transactions", csv_bytes(TX_HEADER, rows)).ok
    assert {k: v[1] for k, v in stored(db).items()} == {
        "T1": Decimal("1234567.89"), "T2": Decimal("1234.50"), "T3": Decimal("12345.00"),
        "T4": Decimal("0.01")}


def test_badly_grouped_thousands_and_fractions_of_a_fen_are_refused(db, ledger):
    rows = [tx("T1", "1,23,456"), tx("T2", "10.005")]
    result = run(db, SYSTEM, "transactions", csv_bytes(TX_HEADER, rows))
    assert result.errors == ['row 2, amount: "1,23,456" is not a number',
                             'row 3, amount: "10.005" is not a whole multiple of 0.01']


@pytest.mark.parametrize("text", ["2024-03-31", "2024/3/31", "2024.03.31", "2024年3月31日",
                                  "20240331", "２０２４-０３-３１", "45382", "2024-03-31 00:00:00"])
def test_dates_typed_as_text_or_saved_as_excel_serials_in_csv_are_read(db, ledger, text):
    assert run(db, SYSTEM, "transactions", csv_bytes(TX_HEADER, [tx("T1", day=text)])).ok
    assert stored(db)["T1"][0] == dt.date(2024, 3, 31)


def test_xlsx_dates_as_date_cells_serial_numbers_and_text_are_read(db, ledger):
    rows = [tx("T1", day=dt.datetime(2024, 3, 31, tzinfo=None)), tx("T2", day=45382),  # noqa: DTZ001
            tx("T3", day="2024/3/31"), tx("T4", day=45382.0)]
    assert run(db, SYSTEM, "transactions", xlsx_bytes(TX_HEADER, rows), "t.xlsx").ok
    assert {v[0] for v in stored(db).values()} == {dt.date(2024, 3, 31)}


def test_xlsx_numbers_are_read_from_their_shortest_form_never_through_float_sums(db, ledger):
    rows = [tx("T1", amount=1234567.89), tx("T2", amount=0.1), tx("T3", amount=5)]
    assert run(db, SYSTEM, "transactions", xlsx_bytes(TX_HEADER, rows), "t.xlsx").ok
    assert {k: v[1] for k, v in stored(db).items()} == {
        "T1": Decimal("1234567.89"), "T2": Decimal("0.10"), "T3": Decimal("5.00")}


def test_formulas_give_their_cached_value_and_one_never_calculated_is_a_clear_error(db, ledger):
    xlsx = xlsx_bytes(TX_HEADER, [tx("T1", amount="=100*2"), tx("T2", amount="=SUM(1,2)")])
    result = run(db, SYSTEM, "transactions", xlsx, "t.xlsx", dry_run=True)
    assert result.errors == [
        f"row {n}, amount: the cell holds a formula saved without its value: open the file in "
        "Excel (or another spreadsheet program), let it calculate, and save it again"
        for n in (2, 3)]
    calculated = with_cached_value(with_cached_value(xlsx, "G2", "200"), "G3", "3")
    assert run(db, SYSTEM, "transactions", calculated, "t.xlsx").ok
    assert {k: v[1] for k, v in stored(db).items()} == {"T1": Decimal("200.00"),
                                                         "T2": Decimal("3.00")}


def test_a_formula_error_in_a_cell_is_reported_as_such(db, ledger):
    xlsx = with_cached_value(xlsx_bytes(TX_HEADER, [tx("T1", amount="=1/0")]), "G2", "#DIV/0!",
                             "e")
    result = run(db, SYSTEM, "transactions", xlsx, "t.xlsx")
    assert result.errors == ['row 2, amount: "#DIV/0!" is an error of a formula in the '
                             "spreadsheet; correct it"]


def test_cells_merged_down_a_column_give_every_row_their_value(db, ledger):
    rows = [tx("T1"), tx("T2", fund_code=None, project_code=None),
            tx("T3", fund_code=None, project_code=None)]
    xlsx = xlsx_bytes(TX_HEADER, rows, merge=("B2:B4", "C2:C4"))
    result = run(db, SYSTEM, "transactions", xlsx, "t.xlsx")
    assert result.ok, result.errors
    assert sorted(stored(db)) == ["T1", "T2", "T3"]


def test_cells_merged_across_columns_are_refused(db, ledger):
    rows = [tx("T1", fund_code="HF", project_code=None)]
    result = run(db, SYSTEM, "transactions", xlsx_bytes(TX_HEADER, rows, merge=("B2:C2",)),
                 "t.xlsx")
    assert result.errors == ["row 2, project_code: the cell is merged with its neighbour "
                             "(B2:C2); one value cannot fill two columns: unmerge the cells"]


def test_empty_trailing_rows_of_csv_and_xlsx_are_ignored(db, ledger):
    csv_data = csv_bytes(TX_HEADER, [tx("T1"), [""] * 9, ["", " ", "", "", "", "", "", "", ""],
                                     []]) + b",,,,,,,,\r\n\r\n"
    result = run(db, SYSTEM, "transactions", csv_data)
    assert (result.ok, result.total("rows")) == (True, 1)
    xlsx = xlsx_bytes(TX_HEADER, [tx("T2"), [None] * 9, ["", "  "], [None] * 3])
    result = run(db, SYSTEM, "transactions", xlsx, "t.xlsx")
    assert (result.ok, result.total("rows")) == (True, 1)


def test_a_gbk_csv_is_detected_and_decoded_and_the_result_says_so(db, ledger):
    data = csv_bytes(TX_HEADER, [tx("T1", instrument="股权", type="拨付", note="首期拨付")], "gbk")
    result = run(db, SYSTEM, "transactions", data)
    assert result.ok, result.errors
    assert result.parts[0].encoding == "gb18030"
    db.expire_all()
    assert db.scalar(select(InvestmentTransaction.note)) == "首期拨付"


def test_a_utf8_csv_with_the_bom_excel_writes_is_read_like_one_without(db, ledger):
    result = run(db, SYSTEM, "transactions", csv_bytes(TX_HEADER, [tx("T1", note="备注")],
                                                       "utf-8-sig"))
    assert result.ok and result.parts[0].encoding == "utf-8-sig"


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old.xls",
     "this is an old-format Excel file (.xls): save it as .xlsx (Excel workbook) or as CSV "
     "UTF-8, then upload it again"),
    (b"reference,amount\r\n", "fake.xlsx", "the file is named .xlsx but is not an Excel workbook"),
    (b"PK\x03\x04" + bytes(50), "zip.csv",
     "the file is named .csv but is an Excel workbook: name it .xlsx"),
    (b"PK\x03\x04" + bytes(50), "broken.xlsx", None),
    (b"\x00\x01\x02binary", "x.csv", "the file is not text: upload a CSV or an XLSX file"),
    (b"\xff\xfer\x00e\x00", "unicode.csv",
     'the file is UTF-16 text (Excel\'s "Unicode text"): save it as "CSV UTF-8" instead'),
    (b"a,b", "notes.docx", '"notes.docx" is neither a .csv nor an .xlsx file'),
], ids=["xls", "csv-named-xlsx", "zip-named-csv", "broken-zip", "binary", "utf-16", "docx"])
def test_files_of_the_wrong_type_are_refused_with_a_clear_message(db, ledger, data, name,
                                                                  message):
    result = run(db, SYSTEM, "transactions", data, name)
    assert not result.ok
    if message:
        assert result.errors == [message]
    else:
        assert result.errors[0].startswith("the file is not a readable XLSX workbook")


def test_text_that_stops_being_utf8_halfway_is_refused_naming_the_row(db, ledger):
    rows = [tx(f"T{i}") for i in range(3000)] + [tx("T-last", note="备注")]
    data = csv_bytes(TX_HEADER, rows[:-1]) + csv_bytes(TX_HEADER, rows[-1:], "gbk").split(
        b"\r\n", 1)[1]
    result = run(db, SYSTEM, "transactions", data)
    assert result.errors == ['row 3002: the text is not valid UTF-8 from here on: save the file '
                             'as "CSV UTF-8" and upload it again']
    assert stored(db) == {}
