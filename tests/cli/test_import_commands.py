"""``flask import KIND FILE [--dry-run]``, ``flask import workbook FILE.xlsx`` and ``flask export
KIND -o FILE``: all or nothing, errors on standard error with exit status 1, idempotent, and a
dry run of 200,000 rows in flat memory (the 1,000,000-row run is in benchmarks/bench_import.py)."""

from __future__ import annotations

import csv
import tracemalloc

import pytest
from sqlalchemy import func, select

from app.models import AuditEntry, Fund, InvestmentTransaction
from tests.cli.running import run_command
from tests.factories import make_fund, make_project
from tests.integration.test_import_support import FUND_HEADER, TX_HEADER, csv_bytes, xlsx_bytes

FUND = ["CLI-F", "命令行基金", "440300", "粤财资本", "INDUSTRIAL", "2024", "1000000000", "", ""]


@pytest.fixture
def flask_cmd(app, runner):
    """Run ``flask ARGS…`` against the test database."""
    return lambda *args: run_command(app, runner, *args)


def _count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


def _file(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_import_writes_the_file_once_and_says_so_the_second_time(db, flask_cmd, tmp_path):
    path = _file(tmp_path, "funds.csv", csv_bytes(FUND_HEADER, [FUND]))
    first = flask_cmd("import", "funds", path)
    assert (first.exit_code, first.stdout) == (
        0, "funds: 1 rows: 1 added, 0 updated, 0 unchanged\n")
    second = flask_cmd("import", "funds", path)
    assert second.exit_code == 0
    assert second.stdout == ("funds: 1 rows: 0 added, 0 updated, 1 unchanged\n"
                             "0 changes: everything in the file is there already.\n")
    entry = db.scalar(select(AuditEntry).where(AuditEntry.entity == "funds"))
    assert entry.actor == "cli:import"


def test_a_dry_run_reports_and_writes_nothing(db, flask_cmd, tmp_path):
    path = _file(tmp_path, "funds.csv", csv_bytes(FUND_HEADER, [FUND]))
    result = flask_cmd("import", "funds", path, "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.endswith("Dry run: nothing was written.\n")
    assert _count(db, Fund) == 0


def test_errors_go_to_standard_error_with_status_1_and_nothing_is_written(db, flask_cmd,
                                                                           tmp_path):
    bad = [*FUND[:6], "12,3a", "", ""]
    path = _file(tmp_path, "funds.csv", csv_bytes(FUND_HEADER, [["OK-1", *FUND[1:]], bad]))
    result = flask_cmd("import", "funds", path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ('Error: nothing was written: 1 error in funds.csv:\n'
                             '  row 3, target_size: "12,3a" is not a number\n')
    assert "Traceback" not in result.output
    assert _count(db, Fund) == 0


def test_a_workbook_moves_a_fund_in_with_one_command(db, flask_cmd, tmp_path):
    make_project(db, "CLI-P")
    db.commit()
    sheets = {"transactions": (TX_HEADER, [["T1", "CLI-F", "CLI-P", "EQUITY", "DISBURSEMENT",
                                            "2024-06-30", 1000, "", ""]])}
    path = _file(tmp_path, "fund.xlsx", xlsx_bytes(FUND_HEADER, [FUND], title="funds",
                                                  sheets=sheets))
    result = flask_cmd("import", "workbook", path)
    assert result.exit_code == 0, result.output
    assert result.stdout == ("funds: 1 rows: 1 added, 0 updated, 0 unchanged\n"
                             "transactions: 1 rows: 1 added, 0 updated, 0 unchanged\n")


def test_an_unreadable_file_is_refused_on_standard_error(db, flask_cmd, tmp_path):
    path = _file(tmp_path, "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64))
    result = flask_cmd("import", "funds", path)
    assert result.exit_code == 1
    assert "old-format Excel file (.xls)" in result.stderr


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_writes_the_import_layout_that_imports_back_unchanged(db, flask_cmd, tmp_path,
                                                                     fmt):
    make_fund(db, "EXP-1")
    make_fund(db, "EXP-2")
    db.commit()
    target = tmp_path / f"funds.{fmt}"
    result = flask_cmd("export", "funds", "-o", str(target))
    assert (result.exit_code, result.stdout) == (0, f"2 funds rows written to {target}.\n")
    again = flask_cmd("import", "funds", str(target))
    assert again.stdout.endswith("0 changes: everything in the file is there already.\n")


def test_export_needs_a_format_it_can_tell(flask_cmd, tmp_path):
    result = flask_cmd("export", "funds", "-o", str(tmp_path / "funds.txt"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: --format: give csv or xlsx")
    assert not (tmp_path / "funds.txt").exists()


def _ledger_file(path, rows: int) -> None:
    """A CSV of ``rows`` transactions, written as it goes (never held in memory)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(TX_HEADER)
        for i in range(rows):
            writer.writerow([f"B{i:07d}", "BIG-F", "BIG-P", "EQUITY", "DISBURSEMENT",
                             f"2024-{i % 12 + 1:02d}-15", f"{i % 9973 + 1}.{i % 100:02d}", "",
                             ""])


def test_a_dry_run_of_200000_rows_completes_in_flat_memory(db, flask_cmd, tmp_path):
    make_fund(db, "BIG-F")
    make_project(db, "BIG-P")
    db.commit()
    peaks = {}
    for rows in (25_000, 200_000):
        path = tmp_path / f"big-{rows}.csv"
        _ledger_file(path, rows)
        tracemalloc.start()
        result = flask_cmd("import", "transactions", str(path), "--dry-run")
        peaks[rows] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(f"transactions: {rows} rows: {rows} added")
    assert peaks[200_000] < 1.5 * peaks[25_000], peaks
    assert _count(db, InvestmentTransaction) == 0


def test_parks_and_members_import_with_row_numbered_errors_and_export_back(db, flask_cmd,
                                                                            tmp_path):
    from app.models import Park, ParkMembership
    from tests.integration.test_import_parks import MEMBER_HEADER, PARK_HEADER, park_row
    make_project(db, "CLI-P")  # to 441602, within 河源
    db.commit()
    bad = _file(tmp_path, "parks.csv", csv_bytes(PARK_HEADER, [
        park_row("CLI-ZONE"), park_row("CLI-LATE", cycle_end="2020-01-01")]))
    refused = flask_cmd("import", "parks", bad)
    assert refused.exit_code == 1
    assert 'row 3, cycle_end: "2020-01-01": the cycle must end after it starts (2024-01-01)' \
        in refused.stderr
    assert _count(db, Park) == 0
    good = _file(tmp_path, "parks.csv", csv_bytes(PARK_HEADER, [park_row("CLI-ZONE")]))
    assert flask_cmd("import", "parks", good).stdout.startswith("parks: 1 rows: 1 added")
    members = _file(tmp_path, "members.csv", csv_bytes(MEMBER_HEADER, [
        ["CLI-P", "CLI-ZONE", "2026-02-01", ""]]))
    assert flask_cmd("import", "park_members", members).exit_code == 0
    assert _count(db, ParkMembership) == 1
    out = tmp_path / "members-out.csv"
    assert flask_cmd("export", "park_members", "-o", str(out)).exit_code == 0
    with open(out, encoding="utf-8-sig", newline="") as exported:
        assert list(csv.reader(exported)) == [MEMBER_HEADER, ["CLI-P", "CLI-ZONE", "2026-02-01",
                                                              ""]]
