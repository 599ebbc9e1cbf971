"""Importing funds, LP commitments and projects: keyed by code (or fund, investor and date),
updated through the services with field-level audit entries, idempotent, scoped per row; and a
whole fund moving in from one workbook, all or nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.domain.codes import InvestorType, Role
from app.models import AuditEntry, Commitment, Fund, Project, RoleGrant
from app.services.access.scopes import SYSTEM
from app.services.errors import NotFound
from tests.factories import actor_of, make_fund, make_project, make_user
from tests.integration.test_import_support import FUND_HEADER, TX_HEADER, csv_bytes, run, xlsx_bytes

COMMITMENT_HEADER = ["fund_code", "investor", "investor_type", "date", "amount"]
PROJECT_HEADER = ["code", "name", "enterprise", "uscc", "industry", "intensity", "source_region",
                  "destination_region", "cooperation_mode", "park", "status",
                  "planned_investment", "planned_jobs", "land_area", "production_start",
                  "two_high", "capacity_replacement"]


def fund_row(code="IF-1", name="产业基金一号", region="440300", target="1,000,000,000.00", **kw):
    """A funds row."""
    row = {"code": code, "name": name, "sponsor_region": region, "manager": "粤财资本",
           "class": "产业投资基金", "vintage": "2024", "target_size": target,
           "term_start": "2024-01-01", "term_end": ""} | kw
    return [row[c] for c in FUND_HEADER]


def project_row(code="IP-1", **kw):
    """A projects row."""
    row = {"code": code, "name": "电池模组", "enterprise": "深圳某某科技有限公司", "uscc": "",
           "industry": "38", "intensity": "TECHNOLOGY", "source_region": "440306",
           "destination_region": "441602", "cooperation_mode": "共建园区", "park": "",
           "status": "在建", "planned_investment": "¥500,000,000", "planned_jobs": "800",
           "land_area": "120.5", "production_start": "2026-06-30", "two_high": "否",
           "capacity_replacement": ""} | kw
    return [row[c] for c in PROJECT_HEADER]


def count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


def test_funds_are_added_then_updated_field_by_field_then_left_unchanged(db):
    assert run(db, SYSTEM, "funds", csv_bytes(FUND_HEADER, [fund_row()])).total("added") == 1
    fund = db.scalar(select(Fund).where(Fund.code == "IF-1"))
    assert (fund.target_size, fund.sponsor_region.code) == (Decimal("1000000000.00"), "440300")
    changed = run(db, SYSTEM, "funds", csv_bytes(FUND_HEADER, [fund_row(name="产业基金 I")]))
    assert (changed.total("updated"), changed.total("unchanged")) == (1, 0)
    entry = db.scalars(select(AuditEntry).where(AuditEntry.entity == "funds")
                       .order_by(AuditEntry.seq.desc())).first()
    assert (entry.action, entry.changed_fields) == (
        "UPDATE", {"name": ["产业基金一号", "产业基金 I"]})
    again = run(db, SYSTEM, "funds", csv_bytes(FUND_HEADER, [fund_row(name="产业基金 I")]))
    assert (again.total("changes"), again.total("unchanged")) == (0, 1)
    db.refresh(fund)
    assert fund.version == 2


def test_service_rules_are_reported_by_row_and_column(db):
    rows = [fund_row("IF-1", region="449999", vintage="1980"),
            fund_row("IF-2", term_start="2030-01-01", term_end="2029-12-31"), fund_row("IF-1")]
    result = run(db, SYSTEM, "funds", csv_bytes(FUND_HEADER, rows))
    assert result.errors == [
        'row 2, vintage: "1980" is not a year between 1990 and 2100',
        'row 3, term_end: "2029-12-31" is before the term start 2030-01-01',
        'row 4, code: "IF-1" appears earlier in this file (row 2)']
    assert count(db, Fund) == 0


def test_a_fund_manager_updates_only_their_funds_and_learns_nothing_of_others(db):
    mine, theirs = make_fund(db, "MY-1"), make_fund(db, "THEIRS-1")
    manager = actor_of(db, make_user(db, Role.FUND_MANAGER, mine.code))
    rows = [fund_row("MY-1"), fund_row("THEIRS-1"), fund_row("NEW-1")]
    result = run(db, manager, "funds", csv_bytes(FUND_HEADER, rows), dry_run=True)
    assert result.errors == ['row 3, code: no fund you can edit has the code "THEIRS-1"']
    assert theirs.version == 1
    result = run(db, manager, "funds", csv_bytes(FUND_HEADER, [fund_row("MY-1"),
                                                                fund_row("NEW-1")]))
    assert (result.total("added"), result.total("updated")) == (1, 1)
    new = db.scalar(select(Fund).where(Fund.code == "NEW-1"))
    assert db.scalar(select(RoleGrant.user_id).where(RoleGrant.fund_id == new.id)) \
        == manager.user_id  # registered by the manager: theirs to fill in, as on the web


def test_bureaus_and_auditors_cannot_import_the_fund_side_at_all(db):
    bureau = actor_of(db, make_user(db, Role.FINANCE_BUREAU, "440300"))
    auditor = actor_of(db, make_user(db, Role.AUDITOR))
    for actor in (bureau, auditor):
        with pytest.raises(NotFound):
            run(db, actor, "funds", csv_bytes(FUND_HEADER, [fund_row()]))


def test_commitments_are_keyed_by_fund_investor_and_date(db):
    make_fund(db, "CF-1")
    rows = [["CF-1", "深圳市财政局", "政府出资", "2024-01-15", "300,000,000"],
            ["CF-1", "社会资本甲", "PRIVATE", "2024-01-15", "100000000"]]
    assert run(db, SYSTEM, "commitments", csv_bytes(COMMITMENT_HEADER, rows)).total("added") == 2
    rows[1][4] = "120000000"
    result = run(db, SYSTEM, "commitments", csv_bytes(COMMITMENT_HEADER, rows))
    assert (result.total("added"), result.total("updated"), result.total("unchanged")) \
        == (0, 1, 1)
    db.expire_all()
    assert {(c.investor, c.investor_type, c.amount) for c in db.scalars(select(Commitment))} == {
        ("深圳市财政局", InvestorType.GOVERNMENT, Decimal("300000000.00")),
        ("社会资本甲", InvestorType.PRIVATE, Decimal("120000000.00"))}


def test_projects_are_added_updated_and_checked_by_the_project_rules(db):
    assert run(db, SYSTEM, "projects", csv_bytes(PROJECT_HEADER, [project_row()])).ok
    rows = [project_row(status="OPERATING"),
            project_row("IP-2", uscc="91440300MA5F000001", destination_region="440306"),
            project_row("IP-3", two_high="是")]
    result = run(db, SYSTEM, "projects", csv_bytes(PROJECT_HEADER, rows))
    assert result.errors == [
        'row 3, uscc: "91440300MA5F000001": wrong check character: expected 7, found 1',
        'row 3, destination_region: "440306" must differ from the source region',
        "row 4, capacity_replacement: a two-high project needs its capacity-replacement reference"]
    assert db.scalar(select(Project.status).where(Project.code == "IP-1")).value == "IMPLEMENTATION"
    result = run(db, SYSTEM, "projects", csv_bytes(PROJECT_HEADER, rows[:1]))
    assert result.total("updated") == 1


def test_a_fund_manager_cannot_overwrite_a_project_registered_by_others(db):
    make_project(db, "OTHER-P")
    manager = actor_of(db, make_user(db, Role.FUND_MANAGER, make_fund(db).code))
    result = run(db, manager, "projects", csv_bytes(PROJECT_HEADER, [project_row("OTHER-P")]))
    assert result.errors == ['row 2, code: no project you can edit has the code "OTHER-P"']


def test_a_fund_kept_in_excel_moves_in_from_one_workbook_in_dependency_order(db):
    sheets = {
        "transactions": (TX_HEADER, [["WB-T1", "WB-1", "IP-1", "股权", "拨付", "2024-06-30",
                                      50000000, "", ""]]),
        "commitments": (COMMITMENT_HEADER, [["WB-1", "深圳市财政局", "GOVERNMENT", "2024-01-15",
                                             300000000]]),
        "projects": (PROJECT_HEADER, [project_row()]),
    }
    xlsx = xlsx_bytes(FUND_HEADER, [fund_row("WB-1")], title="funds", sheets=sheets)
    result = run(db, SYSTEM, "workbook", xlsx, "fund.xlsx")
    assert result.ok, result.errors
    assert [(p.kind, p.added) for p in result.parts] == [
        ("funds", 1), ("commitments", 1), ("projects", 1), ("transactions", 1)]
    again = run(db, SYSTEM, "workbook", xlsx, "fund.xlsx")
    assert (again.total("changes"), again.total("unchanged")) == (0, 4)


def test_an_error_on_the_last_sheet_of_a_workbook_writes_nothing_of_any_sheet(db):
    sheets = {"transactions": (TX_HEADER, [["WB-T1", "WB-1", "NOPE", "EQUITY", "DISBURSEMENT",
                                            "2024-06-30", 1, "", ""]])}
    xlsx = xlsx_bytes(FUND_HEADER, [fund_row("WB-1")], title="funds", sheets=sheets)
    result = run(db, SYSTEM, "workbook", xlsx, "fund.xlsx")
    assert result.errors == [
        'transactions: row 2, project_code: no project you can see has the code "NOPE"']
    assert count(db, Fund) == 0


def test_a_workbook_sheet_named_after_no_kind_is_refused_but_hidden_ones_are_ignored(db):
    xlsx = xlsx_bytes(FUND_HEADER, [fund_row()], title="funds",
                      sheets={"说明": (["x"], [["notes"]])})
    assert run(db, SYSTEM, "workbook", xlsx, "f.xlsx").errors == [
        'sheet "说明" is not a kind (funds, commitments, projects, parks, park_members, movements, '
        "transactions, valuations, observations, notices): rename it, hide it or start its name "
        "with _"]
    renamed = xlsx_bytes(FUND_HEADER, [fund_row()], title="funds",
                         sheets={"_说明": (["x"], [["notes"]])})
    assert run(db, SYSTEM, "workbook", renamed, "f.xlsx").ok
