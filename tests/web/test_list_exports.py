"""Every list exports what it shows: agreements, observations, audit trail and users as CSV and
XLSX, filtered as the page is, with no cell a spreadsheet would read as a formula."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re

import pytest
from openpyxl import load_workbook

from app.domain.codes import Role
from app.models import Agreement, User
from tests.factories import add_lp, make_fund, make_project, make_user
from tests.integration.sharing_factories import half_and_half, make_agreement, observe
from tests.web.helpers import client_of, text_of

EVIL = "=HYPERLINK(\"http://evil\",\"x\")"


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def _xlsx(response) -> list[list]:
    assert response.status_code == 200 and "spreadsheetml" in response.mimetype
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    return [[c.value for c in row] for row in sheet.iter_rows()]


def _inert(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not (cell[:1] in "=+@" and cell), cell


@pytest.fixture
def world(db):
    make_project(db, "EX-1", name=EVIL)
    make_project(db, "EX-2")
    first = make_agreement(db, "EX-AG", ["EX-1"], [half_and_half(first="2024Q1")])
    make_agreement(db, "EX-OTHER", ["EX-2"], [half_and_half(first="2024Q1")])
    db.get(Agreement, first.id).title = EVIL
    observe(db, "2024Q1", {("EX-1", "TAX_LOCAL"): "1.50", ("EX-2", "TAX_LOCAL"): "2.00"})
    admin = make_user(db, Role.ADMIN)
    db.get(User, admin.id).name = "+cmd|' /C calc'!A0"
    make_fund(db, "EX-F")
    db.commit()
    return admin


def test_agreements_export_the_filtered_list(app, world):
    client = client_of(app, world)
    page = text_of(client.get("/agreements/?q=EX-AG"))
    assert "format=csv" in page and "q=EX-AG" in page
    rows = _csv(client.get("/agreements/?q=EX-AG&format=csv"))
    assert rows[0][0] == "Code" and [r[0] for r in rows[1:]] == ["EX-AG"]
    assert rows[1][1] == "'" + EVIL
    _inert(rows)
    sheet = _xlsx(client.get("/agreements/?q=EX-AG&format=xlsx"))
    assert sheet[1][:2] == ["EX-AG", EVIL]


def test_observations_export_the_filtered_list(app, world):
    client = client_of(app, world)
    rows = _csv(client.get("/observations/?project=EX-1&format=csv"))
    assert [(r[0], r[1], r[4]) for r in rows[1:]] == [("2024Q1", "EX-1", "TAX_LOCAL")]
    assert float(rows[1][6]) == 1.5
    assert rows[1][2] == "'" + EVIL
    _inert(rows)
    sheet = _xlsx(client.get("/observations/?project=EX-1&format=xlsx"))
    assert len(sheet) == 2 and sheet[1][2] == EVIL


def test_the_audit_trail_exports_the_filtered_list(app, world):
    client = client_of(app, world)
    rows = _csv(client.get("/audit/?entity=agreements&format=csv"))
    assert rows[0] == ["#", "When", "Who", "What happened", "Record", "Table", "Id", "Action",
                       "Changes"]
    assert len(rows) > 1 and {r[5] for r in rows[1:]} == {"agreements"}
    assert "tests created EX-AG (Agreements)" in [r[3] for r in rows]
    _inert(rows)
    assert len(_xlsx(client.get("/audit/?entity=agreements&format=xlsx"))) == len(rows)


def test_users_export(app, world, db):
    client = client_of(app, world)
    assert "format=csv" in text_of(client.get("/admin/users"))
    rows = _csv(client.get("/admin/users?format=csv"))
    assert rows[0][:2] == ["E-mail", "Name"]
    assert [r[1] for r in rows[1:] if "calc" in r[1]] == ["'+cmd|' /C calc'!A0"]
    _inert(rows)
    _xlsx(client.get("/admin/users?format=xlsx"))
    bureau = client_of(app, make_user(db, Role.FINANCE_BUREAU, "441600"))
    db.commit()
    assert bureau.get("/admin/users?format=csv").status_code in (403, 404)


def _codes(rows: list[list[str]]) -> list[str]:
    return [r[0] for r in rows[1:]]


def test_the_projects_export_holds_every_page_the_filters_select_in_the_pages_order(app, db):
    """More rows than the largest page (100) and the export's own page: every one of them,
    only those the search and filters select, in the order the page is sorted by."""
    for n in range(105):
        make_project(db, f"PX-{n:03d}", destination="441602")
    make_project(db, "PX-900", destination="441400")  # another destination: filtered out
    make_project(db, "PY-000", destination="441602")  # the search does not match
    admin = make_user(db, Role.ADMIN)
    db.commit()
    client = client_of(app, admin)
    query = "q=PX-&destination_region=441602&sort=-code&per_page=25"
    page = text_of(client.get(f"/projects/?{query}"))
    assert "Export every row these filters select, in this order (all pages)" in page
    link = re.search(r'href="(/projects/\?[^"]*format=csv[^"]*)"', page).group(1)
    rows = _csv(client.get(html.unescape(link)))
    assert _codes(rows) == [f"PX-{n:03d}" for n in reversed(range(105))]
    assert rows[0][:2] == ["Code", "Name"] and rows[1][6] == "Implementation"
    sheet = _xlsx(client.get(f"/projects/?{query}&format=xlsx"))
    assert [r[0] for r in sheet[1:]] == _codes(rows)


def test_the_funds_export_follows_the_filters_and_sort_with_the_figures(app, db):
    for n in range(30):
        fund = make_fund(db, f"FX-{n:02d}", sponsor="440300" if n % 3 else "441600")
    add_lp(db, fund, "1234567.80", on=dt.date(2025, 1, 1))  # FX-29, the first row
    make_fund(db, "FY-00")
    admin = make_user(db, Role.ADMIN, locale="zh")
    db.commit()
    client = client_of(app, admin)
    query = "q=FX-&sponsor_region=440300&sort=-code&per_page=25&quarter=2026Q3"
    page = text_of(client.get(f"/funds/?{query}"))
    assert "导出筛选出的全部行（所有页，按当前排序）" in page
    link = re.search(r'href="(/funds/\?[^"]*format=csv[^"]*)"', page).group(1)
    assert "quarter=2026Q3" in link
    rows = _csv(client.get(html.unescape(link)))
    assert _codes(rows) == [f"FX-{n:02d}" for n in reversed(range(30)) if n % 3]
    assert rows[0][:3] == ["编码", "名称", "发起方"]
    assert {r[2] for r in rows[1:]} == {"深圳市"}
    assert [r[5] for r in rows[1:3]] == ["1234567.80", "0.00"]  # committed, in yuan


def test_a_bad_filter_exports_nothing_and_the_page_says_why(app, db):
    admin = make_user(db, Role.ADMIN)
    db.commit()
    response = client_of(app, admin).get("/projects/?destination_region=99&format=csv")
    assert response.status_code == 422 and response.mimetype == "text/html"
