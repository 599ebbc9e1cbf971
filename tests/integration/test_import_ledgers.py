"""Importing ledger rows (movements, transactions), valuations and observations: bulk inserts
recorded by chunk in the audit trail, immutable ledger rows, reversals, idempotent re-imports,
corrections of closed quarters, scope row by row, all or nothing."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import func, select

from app.domain.codes import Role
from app.domain.quarter import Quarter
from app.models import (
    AuditEntry,
    Investment,
    InvestmentTransaction,
    Movement,
    Observation,
    ObservationCorrection,
    Valuation,
)
from app.services.access.scopes import SYSTEM
from app.services.exchange.imports import import_rows
from app.services.funds import investments
from app.services.sharing import workflow
from tests.factories import actor_of, invest, make_fund, make_project, make_user
from tests.integration.sharing_helpers import Setting
from tests.integration.test_import_support import (
    MOVEMENT_HEADER,
    OBS_HEADER,
    TX_HEADER,
    csv_bytes,
    run,
)


def count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


def tx(ref, fund="LF", project="LP", instrument="EQUITY", type_="DISBURSEMENT",
       day="2024-03-31", amount="100.00", reverses="", note=""):
    return [ref, fund, project, instrument, type_, day, amount, reverses, note]


def setup_ledger(db):
    make_fund(db, "LF")
    make_project(db, "LP")
    db.commit()


def test_new_ledger_rows_are_inserted_in_bulk_and_audited_by_chunk(db):
    setup_ledger(db)
    rows = [tx(f"T{i:05d}") for i in range(4500)]
    result = run(db, SYSTEM, "transactions", csv_bytes(TX_HEADER, rows), "ledger.csv")
    assert (result.ok, result.total("added")) == (True, 4500)
    entries = db.scalars(select(AuditEntry).where(AuditEntry.action == "IMPORT")
                         .order_by(AuditEntry.seq)).all()
    assert [(e.entity, e.actor) for e in entries] == [("investment_transactions", "tests")] * 3
    first = json.loads(entries[0].changes)
    assert (first["kind"], first["count"], first["rows"], first["file"]) == (
        "transactions", 2000, "2-2001", "ledger.csv")
    assert len(first["file_sha256"]) == 64
    ids = [i for i in db.scalars(select(InvestmentTransaction.id).order_by(
        InvestmentTransaction.id))]
    assert (first["first_id"], json.loads(entries[-1].changes)["last_id"]) == (ids[0], ids[-1])
    assert sum(json.loads(e.changes)["count"] for e in entries) == 4500
    position = db.scalar(select(AuditEntry).where(AuditEntry.entity == "investments"))
    assert position.action == "INSERT"  # the position opened on the way, through the service


def test_the_same_file_twice_changes_nothing_the_second_time(db):
    setup_ledger(db)
    data = csv_bytes(TX_HEADER, [tx("T1"), tx("T2", amount="5.00"),
                                 tx("T3", amount="5.00", reverses="T2", note="重复录入")])
    first = run(db, SYSTEM, "transactions", data)
    assert (first.total("added"), first.total("unchanged")) == (3, 0)
    entries = count(db, AuditEntry)
    second = run(db, SYSTEM, "transactions", data)
    assert (second.ok, second.total("changes"), second.total("unchanged")) == (True, 0, 3)
    assert count(db, AuditEntry) == entries


def test_a_known_reference_with_other_content_is_an_error_naming_what_differs(db):
    setup_ledger(db)
    run(db, SYSTEM, "transactions", csv_bytes(TX_HEADER, [tx("T1")]))
    result = run(db, SYSTEM, "transactions", csv_bytes(TX_HEADER, [
        tx("T1", amount="101.00", day="2024-04-01"), tx("T2")]))
    assert result.errors == [
        'row 2, reference: "T1" is in this fund\'s ledger already with another date, amount; '
        "a ledger row never changes: post a reversal instead"]
    assert count(db, InvestmentTransaction) == 1  # T2 neither: all or nothing


def test_a_reference_twice_in_a_file_is_reported_in_the_same_chunk_and_across_chunks(db):
    setup_ledger(db)
    rows = [tx(f"T{i:05d}") for i in range(2100)] + [tx("T00005"), tx("T02050")]
    result = run(db, SYSTEM, "transactions", csv_bytes(TX_HEADER, rows))
    assert result.errors == [
        'row 2102, reference: "T00005" appears earlier in this file',
        'row 2103, reference: "T02050" appears earlier in this file (row 2052)']
    assert count(db, InvestmentTransaction) == 0


def test_reversals_follow_the_ledger_rules(db):
    setup_ledger(db)
    run(db, SYSTEM, "transactions", csv_bytes(TX_HEADER, [tx("T1"), tx("T2")]))
    rows = [tx("R1", reverses="T1", note="录错"), tx("R2", reverses="T1", note="again"),
            tx("R3", reverses="T2", day="2024-01-01"), tx("R4", reverses="NOPE", note="x"),
            tx("R5", reverses="R1", note="x"), tx("R6", reverses="T2", amount="1", note="x")]
    result = run(db, SYSTEM, "transactions", csv_bytes(TX_HEADER, rows))
    assert result.errors == [
        'row 3, reverses: "T1": this entry has been reversed already',
        'row 4, date: "2024-01-01" is before the entry it reverses (2024-03-31)',
        "row 4, note: say why the entry is reversed",
        'row 5, reverses: "NOPE" is not a reference in this fund',
        'row 6, reverses: "R1": a reversing entry cannot itself be reversed',
        'row 7, amount: "1" differs from the entry it reverses: a reversal repeats its amount']
    good = run(db, SYSTEM, "transactions", csv_bytes(TX_HEADER, rows[:1]))
    assert good.ok
    db.expire_all()
    reversal = db.scalar(select(InvestmentTransaction).where(
        InvestmentTransaction.reference == "R1"))
    assert (reversal.reverses.reference, reversal.signed_amount) == ("T1", Decimal("-100.00"))


def test_instrument_rules_and_loan_balances_are_the_services_own(db):
    setup_ledger(db)
    rows = [tx("G1", instrument="GRANT", type_="REPAYMENT"),
            tx("L1", instrument="LOAN", amount="1000.00"),
            tx("L2", instrument="LOAN", type_="REPAYMENT", day="2024-04-30", amount="600.00"),
            tx("L3", instrument="LOAN", type_="WRITE_OFF", day="2024-05-31", amount="500.00")]
    result = run(db, SYSTEM, "transactions", csv_bytes(TX_HEADER, rows))
    assert result.errors == [
        'row 2, type: "REPAYMENT": a GRANT investment has no REPAYMENT',
        'row 5, amount: "500.00" is more than the 400.00 outstanding on 2024-05-31 or later']


def test_a_fund_manager_imports_only_into_their_funds_and_learns_nothing_else(db):
    mine = make_fund(db, "MINE")
    make_fund(db, "OTHER")
    project = make_project(db, "LP")
    invest(db, mine, project)
    manager = actor_of(db, make_user(db, Role.FUND_MANAGER, "MINE"))
    rows = [tx("T1", fund="MINE"), tx("T2", fund="OTHER"), tx("T3", fund="NO-SUCH-FUND")]
    result = run(db, manager, "transactions", csv_bytes(TX_HEADER, rows))
    assert result.errors == ['row 3, fund_code: no fund you can edit has the code "OTHER"',
                             'row 4, fund_code: no fund you can edit has the code "NO-SUCH-FUND"']


def test_movements_are_keyed_by_reference_and_may_reverse(db):
    make_fund(db, "MF")
    rows = [["M1", "MF", "实缴出资", "2024-01-31", "1,000,000", "深圳市财政局", "", ""],
            ["M2", "MF", "FEE", "2024-02-29", "5000", "", "", ""],
            ["M3", "MF", "FEE", "2024-03-01", "5000", "", "M2", "重复计费"]]
    assert run(db, SYSTEM, "movements", csv_bytes(MOVEMENT_HEADER, rows)).total("added") == 3
    again = run(db, SYSTEM, "movements", csv_bytes(MOVEMENT_HEADER, rows))
    assert again.total("unchanged") == 3
    db.expire_all()
    m3 = db.scalar(select(Movement).where(Movement.reference == "M3"))
    assert (m3.signed_amount, m3.reverses.reference) == (Decimal("-5000.00"), "M2")


def test_valuations_are_inserted_then_updated_through_the_service(db):
    fund, project = make_fund(db, "VF"), make_project(db, "VP")
    invest(db, fund, project)
    loan_only = make_project(db, "VL")
    investments.open_investment(db, SYSTEM, fund.id, "VL", investments.Instrument.LOAN)
    header = ["fund_code", "project_code", "as_of", "value"]
    rows = [["VF", "VP", "2024-12-31", "62,000,000"], ["VF", loan_only.code, "2024-12-31", "1"]]
    result = run(db, SYSTEM, "valuations", csv_bytes(header, rows))
    assert result.errors == ['row 3, project_code: "VL": fund "VF" holds no equity investment '
                             "in it"]
    assert run(db, SYSTEM, "valuations", csv_bytes(header, rows[:1])).total("added") == 1
    changed = run(db, SYSTEM, "valuations", csv_bytes(header, [["VF", "VP", "2024-12-31",
                                                                "63000000"]]))
    assert changed.total("updated") == 1
    db.expire_all()
    assert db.scalar(select(Valuation.value)) == Decimal("63000000.00")
    update = db.scalars(select(AuditEntry).where(AuditEntry.entity == "valuations")
                        .order_by(AuditEntry.seq.desc())).first()
    assert update.changed_fields["value"] == ["62000000.00", "63000000"]


def test_observations_update_an_open_quarter_and_correct_a_closed_one_with_the_note(db):
    setting = Setting(db)  # WF-1 and WF-2 under agreement WF, 2026Q1 observed
    setting.close(db, "2026Q1")
    db.commit()
    rows = [["WF-1", "TAX_LOCAL", "2026Q1", "200.00", ""],
            ["WF-2", "TAX_LOCAL", "2026Q2", "8.00", ""]]
    result = run(db, setting.dest, "observations", csv_bytes(OBS_HEADER, rows))
    assert result.errors == ["row 2, note: this quarter is closed: say why the value is "
                             "corrected"]
    rows[0][4] = "税务局更正"
    result = run(db, setting.dest, "observations", csv_bytes(OBS_HEADER, rows))
    assert (result.total("added"), result.total("updated")) == (1, 1)
    correction = db.scalar(select(ObservationCorrection))
    assert (correction.old_value, correction.new_value, correction.reason) == (
        Decimal("100.0100"), Decimal("200.0000"), "税务局更正")
    assert run(db, setting.dest, "observations", csv_bytes(OBS_HEADER, rows)).total(
        "unchanged") == 2


def test_a_bureau_enters_observations_only_for_projects_arriving_in_its_region(db):
    setting = Setting(db)
    elsewhere = make_project(db, "FAR", destination="340102")
    rows = [["WF-1", "TAX_LOCAL", "2026Q2", "1", ""], [elsewhere.code, "TAX_LOCAL", "2026Q2",
                                                         "1", ""]]
    result = run(db, setting.dest, "observations", csv_bytes(OBS_HEADER, rows))
    assert result.errors == ['row 3, project_code: no project you can enter observations for '
                             'has the code "FAR"']
    assert count(db, Observation) == 2  # only the setting's own


def test_a_new_value_returns_a_submitted_quarter_to_open(db):
    setting = Setting(db)
    workflow.submit(db, setting.dest, setting.id, Quarter(2026, 1))
    db.commit()
    rows = [["WF-1", "OUTPUT_VALUE", "2026Q1", "5", ""]]
    assert run(db, setting.dest, "observations", csv_bytes(OBS_HEADER, rows)).ok
    assert setting.state(db).state.value == "SUBMITTED"  # no rule for OUTPUT_VALUE: untouched
    rows = [["WF-2", "TAX_LOCAL", "2026Q1", "9.00", ""]]
    assert run(db, setting.dest, "observations", csv_bytes(OBS_HEADER, rows)).total("updated")
    assert setting.state(db).state.value == "OPEN"


def test_rows_given_as_mappings_get_the_very_messages_of_a_file(db):
    setup_ledger(db)
    row = dict(zip(TX_HEADER, tx("T1", amount="12,3a"), strict=True))
    from_file = run(db, SYSTEM, "transactions", csv_bytes(TX_HEADER, [tx("T1", amount="12,3a")]))
    from_api = import_rows(db, SYSTEM, "transactions", [row | {"colour": "red"}], dry_run=True)
    assert from_file.errors == ['row 2, amount: "12,3a" is not a number']
    assert from_api.errors == ['row 2, "colour" is not a column of transactions',
                               'row 2, amount: "12,3a" is not a number']


def test_a_dry_run_counts_what_would_change_and_writes_nothing(db):
    setup_ledger(db)
    audit = count(db, AuditEntry)
    result = run(db, SYSTEM, "transactions", csv_bytes(TX_HEADER, [tx("T1"), tx("T2")]),
                 dry_run=True)
    assert (result.ok, result.dry_run, result.total("added")) == (True, True, 2)
    assert (count(db, InvestmentTransaction), count(db, Investment), count(db, AuditEntry)) \
        == (0, 0, audit)


def test_rows_are_stored_exactly_as_typed_across_chunks_and_a_late_bad_row_writes_nothing(db):
    """On PostgreSQL the new rows go in with COPY: notes with tabs, backslashes, quotes and
    line breaks, amounts to the fen, and dates come back exactly as typed; a bad row in the
    third chunk names its row and leaves the ledger empty."""
    setup_ledger(db)
    odd = ["a\tb", "back\\slash \\N", '"quoted", comma', "line\nbreak", "重复录入 ¥", ""]
    rows = [tx(f"T{i:05d}", amount=f"{i + 1}.{i % 100:02d}", day=f"2024-0{1 + i % 9}-1{i % 10}",
               note=odd[i % len(odd)]) for i in range(4100)]
    bad = [*rows[:4050], tx("TBAD", amount="-"), *rows[4050:]]
    refused = run(db, SYSTEM, "transactions", csv_bytes(TX_HEADER, bad))
    assert not refused.ok and any(e.startswith("row 4052, amount:") for e in refused.errors)
    assert count(db, InvestmentTransaction) == 0
    assert run(db, SYSTEM, "transactions", csv_bytes(TX_HEADER, rows)).ok
    db.expire_all()
    stored = {t.reference: (t.amount, t.occurred_on.isoformat(), t.note or "")
              for t in db.scalars(select(InvestmentTransaction))}
    assert stored == {r[0]: (Decimal(r[6]), r[5], r[8]) for r in rows}
