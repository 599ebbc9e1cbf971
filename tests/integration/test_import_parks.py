"""Importing and exporting parks and park membership (parks.md): row-numbered errors, all or
nothing, the parks register for administrators only, membership within the importer's scope
and the project's destination, and an agreement covering the park following an imported member.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.domain.codes import Instrument, ParkType, PartnerRole, Role
from app.models import AuditEntry, Park, ParkMembership
from app.services.access.scopes import SYSTEM
from app.services.errors import NotFound
from app.services.exchange import exports
from app.services.exchange.imports import KINDS
from app.services.exchange.imports.templates import write_template
from app.services.funds import investments
from app.services.parks import membership
from app.services.sharing import agreements, coverage
from tests.factories import actor_of, make_fund, make_project, make_user
from tests.integration.parks_helpers import make_park
from tests.integration.sharing_factories import half_and_half, make_agreement, observe
from tests.integration.sharing_helpers import row_of, statement_of, total_of
from tests.integration.test_import_support import csv_bytes, run, xlsx_bytes

PARK_HEADER = [c.name for c in KINDS["parks"]]
MEMBER_HEADER = [c.name for c in KINDS["park_members"]]


def park_row(code="IM-ZONE", **kw):
    """A parks row (a national zone in 河源 with 深圳 as source partner)."""
    row = {"code": code, "name": "河源示范区", "park_type": "NATIONAL_ZONE",
           "host_region": "441600", "partners": "440300:SOURCE; 441400:承接方",
           "approving_document": "发改地区〔2023〕729号", "approved_on": "2023-11-01",
           "cycle_start": "2024-01-01", "cycle_end": "2028-12-31", "planned_area": "12,000.50",
           "industries": "38;3670"} | kw
    return [row[c] for c in PARK_HEADER]


def count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


def test_parks_are_added_then_updated_then_left_unchanged(db):
    result = run(db, SYSTEM, "parks", csv_bytes(PARK_HEADER, [park_row()]))
    assert result.errors == [] and result.total("added") == 1
    park = db.scalar(select(Park).where(Park.code == "IM-ZONE"))
    assert (park.park_type, park.host_region.code, park.planned_area) == (
        ParkType.NATIONAL_ZONE, "441600", Decimal("12000.50"))
    assert sorted((p.region.code, p.role) for p in park.partners) == [
        ("440300", PartnerRole.SOURCE), ("441400", PartnerRole.HOST)]
    assert sorted(i.industry_code for i in park.industries) == ["3670", "38"]
    changed = run(db, SYSTEM, "parks", xlsx_bytes(PARK_HEADER, [park_row(name="河源承接示范区")]),
                  "parks.xlsx")
    assert (changed.total("updated"), changed.total("unchanged")) == (1, 0)
    entry = db.scalars(select(AuditEntry).where(AuditEntry.entity == "parks")
                       .order_by(AuditEntry.seq.desc())).first()
    assert entry.changed_fields == {"name": ["河源示范区", "河源承接示范区"]}
    again = run(db, SYSTEM, "parks", csv_bytes(PARK_HEADER, [park_row(name="河源承接示范区")]))
    assert (again.total("updated"), again.total("unchanged")) == (0, 1)


@pytest.mark.parametrize(("row", "expected"), [
    (park_row(cycle_end="2023-12-31"),
     'row 3, cycle_end: "2023-12-31": the cycle must end after it starts (2024-01-01)'),
    (park_row(host_region="999999"), 'row 3, host_region: "999999"'),
    (park_row(partners="440300=SOURCE"),
     'row 3, partners: "440300=SOURCE" is not region:ROLE (ROLE one of SOURCE, '
     "HOST, CO_INVESTOR, OPERATOR)"),
    (park_row(park_type="THEME_PARK"), 'row 3, park_type: "THEME_PARK" is not one of'),
    (park_row(code="IM-OK"), 'row 3, code: "IM-OK" appears earlier in this file (row 2)'),
])
def test_a_bad_park_row_is_named_and_nothing_is_written(db, row, expected):
    result = run(db, SYSTEM, "parks", csv_bytes(PARK_HEADER, [park_row("IM-OK"), row]))
    assert not result.ok
    assert any(str(e).startswith(expected) for e in result.errors), result.errors
    assert count(db, Park) == 0  # not even the good first row


def test_only_an_administrator_imports_parks(db):
    manager = actor_of(db, make_user(db, Role.FUND_MANAGER, make_fund(db).code))
    with pytest.raises(NotFound):
        run(db, manager, "parks", csv_bytes(PARK_HEADER, [park_row()]))
    with pytest.raises(NotFound):
        run(db, manager, "workbook", xlsx_bytes(PARK_HEADER, [park_row()], title="parks"),
            "all.xlsx")


def test_membership_is_imported_and_an_agreement_covering_the_park_follows_and_conserves(db):
    make_park(db, "HY-ZONE")
    agreement = make_agreement(db, "IMA", [], [half_and_half(first="2026Q1")], activate=False)
    coverage.set_covered_parks(db, SYSTEM, agreement.id, ["HY-ZONE"])
    make_project(db, "IM-EARLY")
    agreements.activate(db, SYSTEM, agreement.id, agreement.version)
    make_project(db, "IM-LATE")
    rows = [["IM-EARLY", "HY-ZONE", "2025-06-01", ""], ["IM-LATE", "HY-ZONE", "2026-05-12", ""]]
    result = run(db, SYSTEM, "park_members", csv_bytes(MEMBER_HEADER, rows))
    assert result.errors == [] and result.total("added") == 2
    observe(db, "2026Q2", {("IM-EARLY", "TAX_LOCAL"): "100.01", ("IM-LATE", "TAX_LOCAL"): "0.03"})
    q2 = statement_of(db, agreement.id, "2026Q2")
    assert sorted(r.project_code for r in q2.rows) == ["IM-EARLY", "IM-LATE"]
    assert row_of(q2, "IM-LATE").via_park is not None
    total = total_of(q2)
    assert total.value == Decimal("100.04")
    assert sum(line.current for line in total.lines.values()) == total.value
    for row in q2.rows:
        assert sum(line.current for line in row.lines.values()) == row.value

    # The export in the import layout imports back unchanged; a leaving day is an update.
    out = io.BytesIO()
    assert exports.export(db, SYSTEM, "park_members", "csv", out) == 2
    again = run(db, SYSTEM, "park_members", out.getvalue())
    assert (again.total("unchanged"), again.total("changes")) == (2, 0)
    rows[0][3] = "2026-09-30"
    left = run(db, SYSTEM, "park_members", csv_bytes(MEMBER_HEADER, rows))
    assert (left.total("updated"), left.total("unchanged")) == (1, 1)
    assert db.scalar(select(ParkMembership.left_on).join(ParkMembership.project)
                     .where(ParkMembership.park.has(code="HY-ZONE"))
                     .order_by(ParkMembership.id)) == dt.date(2026, 9, 30)


def test_a_member_row_of_another_scope_or_destination_is_refused_by_row(db):
    make_park(db, "HY-ZONE")  # 河源, with 深圳 as source partner
    make_park(db, "HF-ZONE", host="340100", partners=())  # 合肥: of no project here
    fund = make_fund(db)
    manager = actor_of(db, make_user(db, Role.FUND_MANAGER, fund.code))
    for code, destination in (("IM-MINE", "441602"), ("IM-AWAY", "440106")):  # 源城区, 天河区
        make_project(db, code, destination=destination)
        investments.open_investment(db, SYSTEM, fund.id, code, Instrument.EQUITY)
    make_project(db, "IM-OTHERS")  # no position of the manager's fund
    rows = [["IM-MINE", "HY-ZONE", "2026-01-01", ""],      # fine alone
            ["IM-OTHERS", "HY-ZONE", "2026-01-01", ""],    # not the manager's project
            ["IM-AWAY", "HF-ZONE", "2026-01-01", ""],      # a park of another scope
            ["IM-MINE", "HF-ZONE", "2026-01-01", ""],      # twice in the file
            ["IM-AWAY", "HY-ZONE", "2026-03-01", "2026-02-01"]]  # twice, and leaves early
    result = run(db, manager, "park_members", csv_bytes(MEMBER_HEADER, rows))
    assert [str(e) for e in result.errors] == [
        'row 3, project_code: no project you can edit has the code "IM-OTHERS"',
        'row 4, park: "HF-ZONE" is not a park you can see',
        'row 5, project_code: "IM-MINE" appears earlier in this file (row 2)',
        'row 6, project_code: "IM-AWAY" appears earlier in this file (row 4)']
    assert count(db, ParkMembership) == 0  # all or nothing: not even row 2

    # A park the importer sees, not of the project's destination: named with both.
    away = run(db, SYSTEM, "park_members", csv_bytes(MEMBER_HEADER, [
        ["IM-AWAY", "HY-ZONE", "2026-03-01", "2026-02-01"]]))
    assert [str(e) for e in away.errors] == [
        'row 2, park: "HY-ZONE": the project goes to 天河区 (440106), outside the park '
        "园区 HY-ZONE (HY-ZONE) (hosted in 441600): a project joins only a park of its destination",
        'row 2, left_on: "2026-02-01": the project cannot leave before it joined (2026-03-01)']
    assert count(db, ParkMembership) == 0

    # The manager puts their project in the park of its destination, then sees that park.
    assert run(db, manager, "park_members", csv_bytes(MEMBER_HEADER, [rows[0]])).ok
    assert [r[:2] for r in exports.export_rows(db, manager, "park_members")] == [
        ("IM-MINE", "HY-ZONE")]
    assert [r[0] for r in exports.export_rows(db, manager, "parks")] == ["HY-ZONE"]
    bureau = actor_of(db, make_user(db, Role.FINANCE_BUREAU, "441600"))
    with pytest.raises(NotFound):  # bureaus do not change projects
        run(db, bureau, "park_members", csv_bytes(MEMBER_HEADER, [rows[0]]))


def test_exports_of_parks_hold_only_the_parks_in_scope(db):
    make_park(db, "HY-ZONE")  # hosted in 河源, 深圳 a partner
    make_park(db, "HF-ZONE", host="340100", partners=())
    project = make_project(db, "IM-P")
    membership.set_membership(db, SYSTEM, project.id, "HY-ZONE", dt.date(2026, 1, 1))
    heyuan = actor_of(db, make_user(db, Role.FINANCE_BUREAU, "441600"))
    shenzhen = actor_of(db, make_user(db, Role.FINANCE_BUREAU, "440300"))
    wuhan = actor_of(db, make_user(db, Role.FINANCE_BUREAU, "420100"))

    def codes(actor, kind):
        return [row[:2] for row in exports.export_rows(db, actor, kind)]

    assert [c for c, _n in codes(SYSTEM, "parks")] == ["HF-ZONE", "HY-ZONE"]
    assert [c for c, _n in codes(heyuan, "parks")] == ["HY-ZONE"]
    assert [c for c, _n in codes(shenzhen, "parks")] == ["HY-ZONE"]  # a partner
    assert codes(wuhan, "parks") == [] and codes(wuhan, "park_members") == []
    assert codes(heyuan, "park_members") == [("IM-P", "HY-ZONE")]


def test_the_templates_of_parks_and_members_have_their_columns(db):
    for kind in ("parks", "park_members"):
        out = io.BytesIO()
        write_template(db, kind, out)
        sheet = load_workbook(io.BytesIO(out.getvalue()))[kind]
        assert [c.value for c in sheet[1]] == [c.name for c in KINDS[kind]]
