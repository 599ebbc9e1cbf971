"""Deadlines on the web and in the API: due dates and standing on the agreement page, the grid
header and the home to-dos; the grid and the API refuse a locked quarter; an administrator
grants and revokes lock exceptions and sets the days; bad input is named beside its field.

The fixture's 2025Q3 (timely 2025-10-15, lock 2025-10-20) is locked on any date this suite
runs on; exceptions are granted until a date counted from the real local today."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from app.domain.codes import PartyRole, Role
from app.domain.quarter import Quarter
from app.models import LockException
from app.services.access.scopes import SYSTEM
from app.services.sharing import agreements, workflow
from tests.factories import make_project, make_user
from tests.integration.sharing_factories import DESTINATION, SOURCE, half_and_half, observe
from tests.web.api_helpers import call_api, fields_in_error, problem_of, token_for
from tests.web.helpers import client_of, count, errors_beside, text_of

Q3 = "2025Q3"


def local_today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture
def dl(db, app):
    """Agreement DLW (Heyuan ← Shenzhen) from 2025Q1, active since 2024-12-31; 2025Q1 closed
    on time; bureaus of both parties and an administrator, signed in."""
    class W:
        pass
    w = W()
    make_project(db, "DLW-1")
    w.agreement = agreements.create_agreement(db, SYSTEM, agreements.AgreementData(
        code="DLW", title="期限协议", parties=[
            agreements.PartyData(DESTINATION, PartyRole.DESTINATION),
            agreements.PartyData(SOURCE, PartyRole.SOURCE)]))
    agreements.set_covered_projects(db, SYSTEM, w.agreement.id, ["DLW-1"])
    agreements.set_rule(db, SYSTEM, w.agreement.id, half_and_half(first="2025Q1"))
    agreements.activate(db, SYSTEM, w.agreement.id, w.agreement.version,
                        on=dt.date(2024, 12, 31))
    w.dest_user = make_user(db, Role.FINANCE_BUREAU, DESTINATION)
    w.src_user = make_user(db, Role.FINANCE_BUREAU, SOURCE)
    w.admin_user = make_user(db, Role.ADMIN)
    w.dest_zh_user = make_user(db, Role.FINANCE_BUREAU, DESTINATION, locale="zh")
    w.admin_zh_user = make_user(db, Role.ADMIN, locale="zh")
    from tests.factories import actor_of
    dest, src = actor_of(db, w.dest_user), actor_of(db, w.src_user)
    observe(db, "2025Q1", {("DLW-1", "TAX_LOCAL"): "100.00"})
    aq = workflow.submit(db, dest, w.agreement.id, Quarter(2025, 1),
                         at=dt.datetime(2025, 4, 10, 2, tzinfo=dt.UTC))
    workflow.confirm(db, src, w.agreement.id, Quarter(2025, 1), SOURCE, aq.fingerprint)
    workflow.confirm(db, dest, w.agreement.id, Quarter(2025, 1), DESTINATION, aq.fingerprint)
    db.commit()
    w.dest = client_of(app, w.dest_user)
    w.admin = client_of(app, w.admin_user)
    w.dest_zh = client_of(app, w.dest_zh_user)
    w.admin_zh = client_of(app, w.admin_zh_user)
    w.page = f"/agreements/{w.agreement.id}"
    w.grid = f"/agreements/{w.agreement.id}/quarters/2025Q2/observations"
    return w


def _row(body: str, quarter: str) -> str:
    match = re.search(rf"<tr><td>{quarter}</td>(.*?)</tr>", body, re.S)
    assert match, quarter
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_the_agreement_page_shows_each_quarters_due_dates_and_standing(dl):
    body = text_of(dl.dest.get(dl.page))
    assert "on time within 15 days of the quarter end, and entry locks after 20 days" in body
    assert "2025-10-15" in _row(body, Q3) and "2025-10-20" in _row(body, Q3)
    overdue = (local_today() - dt.date(2025, 10, 15)).days
    assert f"locked · overdue {overdue} days" in _row(body, Q3)
    assert "submitted" in _row(body, "2025Q1")
    chinese = text_of(dl.dest_zh.get(dl.page))
    assert f"已锁定 · 逾期 {overdue} 天" in _row(chinese, Q3)


def test_the_grid_header_shows_the_lock_and_a_bureaus_save_is_refused(dl, db):
    response = dl.dest.get(dl.grid)
    body = text_of(response)
    assert "2025Q2 is locked: entry closed after 2025-07-20." in body
    assert "entry until 2025-07-20" in body
    saved = dl.dest.post(dl.grid, data={"DLW-1.TAX_LOCAL": "5.00", "shown:DLW-1.TAX_LOCAL": ""})
    assert saved.status_code == 422
    assert "2025Q2 is locked: entry closed after 2025-07-20" in text_of(saved)
    chinese = text_of(dl.dest_zh.get(dl.grid))
    assert "2025Q2 已锁定：填报已于 2025-07-20 后关闭" in chinese


def test_an_administrator_grants_an_exception_the_bureau_enters_then_it_is_revoked(dl, db):
    until = local_today() + dt.timedelta(days=7)
    form = dl.admin.get(f"{dl.page}/exceptions/new?quarter=2025Q2")
    assert 'value="2025Q2"' in text_of(form)
    granted = dl.admin.post(f"{dl.page}/exceptions/new", data={
        "quarter": "2025Q2", "region": DESTINATION, "until": until.isoformat(),
        "reason": "税务部门更正申报，数据延迟"})
    assert granted.status_code == 302
    page = text_of(dl.admin.get(dl.page))
    assert "税务部门更正申报，数据延迟" in page and "in force" in page
    assert f"lock exception until {until.isoformat()}" in _row(page, "2025Q2")
    saved = dl.dest.post(dl.grid, data={"DLW-1.TAX_LOCAL": "5.00", "shown:DLW-1.TAX_LOCAL": ""})
    assert saved.status_code == 302
    exception = db.query(LockException).one()
    revoked = dl.admin.post(f"{dl.page}/exceptions/{exception.id}/revoke",
                            data={"version": exception.version})
    assert revoked.status_code == 302
    assert "revoked" in text_of(dl.admin.get(dl.page))
    again = dl.dest.post(dl.grid, data={"DLW-1.TAX_LOCAL": "6.00",
                                        "shown:DLW-1.TAX_LOCAL": "5.00"})
    assert again.status_code == 422


def test_an_exception_needs_a_reason_and_an_end_date_not_in_the_past(dl, db):
    yesterday = local_today() - dt.timedelta(days=1)
    response = dl.admin.post(f"{dl.page}/exceptions/new", data={
        "quarter": "2025Q2", "region": "", "until": yesterday.isoformat(), "reason": ""})
    assert response.status_code == 422
    assert errors_beside(response, "reason")
    response = dl.admin.post(f"{dl.page}/exceptions/new", data={
        "quarter": "2025Q2", "region": "", "until": yesterday.isoformat(), "reason": "x"})
    assert response.status_code == 422
    assert errors_beside(response, "until") == [
        f"{yesterday.isoformat()} is in the past: the exception must last at least until today "
        f"({local_today().isoformat()})"]
    assert count(db, LockException) == 0
    assert dl.dest.get(f"{dl.page}/exceptions/new").status_code == 404  # administrators only


def test_the_administrator_sets_the_default_days_and_bad_days_are_named(dl):
    page = dl.admin.get("/admin/deadlines")
    assert page.status_code == 200 and 'value="15"' in text_of(page)
    bad = dl.admin.post("/admin/deadlines", data={"timely_days": "-1", "lock_days": "9999",
                                                  "version": "1"})
    assert bad.status_code == 422
    assert errors_beside(bad, "timely_days") == [
        "must be a whole number of days from 1 to 365"]
    assert errors_beside(bad, "lock_days") == ["must be a whole number of days from 1 to 365"]
    before = dl.admin.post("/admin/deadlines", data={"timely_days": "30", "lock_days": "20",
                                                     "version": "1"})
    assert "must be at least the days to the timely date" in errors_beside(before,
                                                                            "lock_days")[0]
    chinese = dl.admin_zh.post("/admin/deadlines", data={"timely_days": "0", "lock_days": "20",
                                                         "version": "1"})
    assert errors_beside(chinese, "timely_days") == ["必须是 1 至 365 之间的整数天数"]
    saved = dl.admin.post("/admin/deadlines", data={"timely_days": "30", "lock_days": "60",
                                                    "version": "1"})
    assert saved.status_code == 302
    assert "entry locks after 60 days" in text_of(dl.dest.get(dl.page))
    assert dl.dest.get("/admin/deadlines").status_code == 404


def test_a_party_bureau_sets_the_agreements_own_days(dl):
    response = dl.dest.post(f"{dl.page}/deadlines", data={
        "timely_days": "", "lock_days": "400", "version": dl.agreement.version})
    assert response.status_code == 422
    assert errors_beside(response, "lock_days") == ["must be a whole number of days from 1 to 365"]
    saved = dl.dest.post(f"{dl.page}/deadlines", data={
        "timely_days": "", "lock_days": "60", "version": dl.agreement.version})
    assert saved.status_code == 302
    body = text_of(dl.dest.get(dl.page))
    assert "This agreement has its own days." in body
    assert "2025-11-29" in _row(body, Q3)  # 2025-09-30 + 60 days


def test_the_bureaus_home_shows_the_deadline_of_the_quarter_waiting_for_data(dl):
    body = text_of(dl.dest.get("/"))
    row = re.search(r'<table id="home-data">.*?</table>', body, re.S).group(0)
    overdue = (local_today() - dt.date(2025, 7, 15)).days
    assert "2025Q2" in row and f"locked · overdue {overdue} days" in row
    assert "entry until 2025-07-20" in row


def test_the_api_gives_the_deadlines_and_refuses_a_locked_put(dl, db):
    token = token_for(db, dl.dest_user)
    db.commit()
    found = call_api(dl.dest, "GET", f"/api/v1/agreements/{dl.agreement.id}/quarters/{Q3}"
                     "/statement", token).get_json()
    deadlines = found["deadlines"]
    assert {k: deadlines[k] for k in ("opens", "timely", "lock", "status", "days_left")} == {
        "opens": "2025-10-01", "timely": "2025-10-15", "lock": "2025-10-20",
        "status": "LOCKED", "days_left": None}
    assert deadlines["days_overdue"] == (local_today() - dt.date(2025, 10, 15)).days
    closed = call_api(dl.dest, "GET", f"/api/v1/agreements/{dl.agreement.id}", token)
    assert closed.get_json()["quarters"][0]["deadlines"]["status"] == "SUBMITTED"
    refused = call_api(dl.dest, "PUT", f"/api/v1/observations/{Q3}", token, {"cells": [
        {"project": "DLW-1", "indicator": "TAX_LOCAL", "value": "1.00"}]})
    assert refused.status_code == 422
    assert fields_in_error(refused) == {"cells.0.value"}
    assert "2025Q3 is locked" in problem_of(refused)["errors"][0]["message"]


def test_the_region_page_shows_the_bureaus_timeliness(dl):
    body = text_of(dl.admin.get(f"/regions/{DESTINATION}"))
    table = re.search(r'<table id="region-timeliness">.*?</table>', body, re.S).group(0)
    assert "DLW" in table and "2025" in table
    # 2025: four quarters due, one submitted (on time): 25.0 % both.
    assert re.search(r"<td>2025</td>\s*<td class=\"num\">4</td><td class=\"num\">1</td>"
                     r"<td class=\"num\">1</td>\s*<td class=\"num\">25.0 %</td>", table)
