"""The fund pages: registering and editing a fund, its capital movements, reversals, dashboard."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain.codes import FundClass, Instrument, Role, TransactionType
from app.models import Fund, Movement, RoleGrant
from app.services.access.scopes import SYSTEM
from app.services.funds import investments
from app.services.funds import register as funds
from tests.factories import add_lp, call, invest, make_fund, make_project, make_user
from tests.web.helpers import client_of, count, errors_beside, form_alerts, text_of


def _fund_form(**overrides) -> dict[str, str]:
    form = {"code": "WEB-1", "name": "网页登记的基金", "sponsor_region": "441600",
            "manager": "河源产投", "fund_class": "INDUSTRIAL", "vintage": "2024",
            "target_size": "¥1,000,000,000.00", "term_start_on": "2024-01-01",
            "term_end_on": "2031-12-31", "status": "INVESTING"}
    form.update(overrides)
    return form


def _kpis(response) -> dict[str, str]:
    """The dashboard's key figures, label → value as shown."""
    found = re.findall(r'<div class="label">(.*?)</div><div class="value">(.*?)</div>',
                       text_of(response))
    return {html.unescape(label): html.unescape(value) for label, value in found}


def _manager(app, db, fund=None):
    fund = fund or make_fund(db)
    user = make_user(db, Role.FUND_MANAGER, fund.code)
    db.commit()
    return fund, user, client_of(app, user)


def test_a_fund_manager_registers_a_fund_and_becomes_its_manager(app, db):
    _other, user, client = _manager(app, db)
    response = client.post("/funds/new", data=_fund_form())
    assert response.status_code == 302
    fund = db.scalars(select(Fund).where(Fund.code == "WEB-1")).one()
    assert response.headers["Location"] == f"/funds/{fund.id}"
    assert fund.target_size == Decimal("1000000000.00")
    assert fund.sponsor_region.code == "441600"
    assert [u.id for u in funds.fund_managers(db, fund.id)] == [user.id]
    page = client.get(f"/funds/{fund.id}")
    assert page.status_code == 200 and user.email in text_of(page)
    assert "WEB-1" in text_of(client.get("/funds/"))
    assert client.get(f"/funds/{fund.id}/edit").status_code == 200


@pytest.mark.parametrize("overrides,field,message", [
    ({"target_size": "-5"}, "target_size", "is negative"),
    ({"target_size": "12,3a"}, "target_size", '"12,3a" is not a number'),
    ({"term_start_on": "2024-06-30", "term_end_on": "2024-01-01"}, "term_end_on",
     "is before the term start"),
    ({"sponsor_region": "999999"}, "sponsor_region", '"999999" is not a known region code'),
])
def test_bad_fund_input_is_refused_beside_the_field_and_nothing_is_written(
        app, db, overrides, field, message):
    _other, _user, client = _manager(app, db)
    funds_before, grants_before = count(db, Fund), count(db, RoleGrant)
    response = client.post("/funds/new", data=_fund_form(**overrides))
    assert response.status_code == 422
    assert any(message in e for e in errors_beside(response, field)), errors_beside(response, field)
    assert (count(db, Fund), count(db, RoleGrant)) == (funds_before, grants_before)


def _version_on(response) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"', text_of(response)).group(1)


def test_saving_over_someone_elses_change_shows_a_conflict_and_keeps_theirs(app, db):
    fund, _user, client = _manager(app, db)
    mine = _version_on(client.get(f"/funds/{fund.id}/edit"))
    funds.update_fund(db, SYSTEM, fund.id, int(mine), funds.FundData(
        code=fund.code, name="他们改的名字", sponsor_region="440300", manager="某某资本",
        fund_class=FundClass.INDUSTRIAL, vintage=2023, target_size=Decimal("1000000000.00")))
    db.commit()
    response = client.post(f"/funds/{fund.id}/edit", data=_fund_form(
        code=fund.code, name="我改的名字", version=mine))
    assert response.status_code == 422
    assert any("changed by someone else" in a for a in form_alerts(response))
    db.expire_all()
    assert db.get(Fund, fund.id).name == "他们改的名字"
    # After reloading, the same change goes through.
    fresh = _version_on(client.get(f"/funds/{fund.id}/edit"))
    assert fresh != mine
    response = client.post(f"/funds/{fund.id}/edit", data=_fund_form(
        code=fund.code, name="我改的名字", version=fresh))
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Fund, fund.id).name == "我改的名字"


def test_calls_distributions_and_fees_recorded_on_the_form_change_the_dashboard(app, db):
    fund = make_fund(db)
    add_lp(db, fund, "500000000.00")
    fund, _user, client = _manager(app, db, fund)
    empty = _kpis(client.get(f"/funds/{fund.id}?quarter=2024Q2"))
    assert (empty["Paid-in (yuan)"], empty["Distributed (yuan)"], empty["Fees (yuan)"]) == \
        ("0.00", "0.00", "0.00")
    for kind, on, amount in (("CAPITAL_CALL", "2024-02-01", "¥300,000,000.00"),
                             ("DISTRIBUTION", "2024-05-10", "50,000,000"),
                             ("FEE", "2024-06-30", "2,000,000.50")):
        response = client.post(f"/funds/{fund.id}/movements/new",
                               data={"type": kind, "moved_on": on, "amount": amount})
        assert response.status_code == 302, errors_beside(response, "amount")
    q2 = _kpis(client.get(f"/funds/{fund.id}?quarter=2024Q2"))
    assert q2["Paid-in (yuan)"] == "300,000,000.00"
    assert q2["Distributed (yuan)"] == "50,000,000.00"
    assert q2["Fees (yuan)"] == "2,000,000.50"
    assert q2["Unfunded (yuan)"] == "200,000,000.00"
    q1 = _kpis(client.get(f"/funds/{fund.id}?quarter=2024Q1"))  # as of the end of Q1
    assert (q1["Paid-in (yuan)"], q1["Distributed (yuan)"]) == ("300,000,000.00", "0.00")


def test_a_movement_amount_that_is_not_a_number_is_refused_beside_it(app, db):
    fund, _user, client = _manager(app, db)
    response = client.post(f"/funds/{fund.id}/movements/new",
                           data={"type": "FEE", "moved_on": "2024-01-05", "amount": "12,3a"})
    assert response.status_code == 422
    assert errors_beside(response, "amount") == ['"12,3a" is not a number']
    assert count(db, Movement) == 0


def _reverse(client, fund, movement_id):
    return client.post(f"/funds/{fund.id}/movements/{movement_id}/reverse",
                       data={"reversed_on": "2024-03-31", "note": "录错了金额"})


def test_reversing_a_movement_appends_a_reversal_and_keeps_the_original(app, db):
    fund = make_fund(db)
    original = call(db, fund, "1000000.00", dt.date(2024, 2, 1))
    fund, _user, client = _manager(app, db, fund)
    link = f"/funds/{fund.id}/movements/{original.id}/reverse"
    assert link in text_of(client.get(f"/funds/{fund.id}"))
    assert _reverse(client, fund, original.id).status_code == 302
    db.expire_all()
    rows = db.scalars(select(Movement).where(Movement.fund_id == fund.id)
                      .order_by(Movement.id)).all()
    assert [(m.id, m.amount, m.reverses_id) for m in rows] == [
        (original.id, Decimal("1000000.00"), None),
        (rows[1].id, Decimal("1000000.00"), original.id)]
    page = client.get(f"/funds/{fund.id}?quarter=2024Q1")
    assert "/reverse" not in text_of(page)  # neither the original nor the reversal offers it
    assert _kpis(page)["Paid-in (yuan)"] == "0.00"
    again = _reverse(client, fund, original.id)
    assert again.status_code == 422
    assert any("reversed already" in a for a in form_alerts(again))
    of_reversal = _reverse(client, fund, rows[1].id)
    assert of_reversal.status_code == 422
    assert count(db, Movement) == 2


def test_an_empty_fund_shows_a_dash_for_ratios_that_are_undefined(app, db):
    fund, _user, client = _manager(app, db)
    shown = _kpis(client.get(f"/funds/{fund.id}"))
    for ratio in ("DPI", "RVPI", "TVPI", "Net IRR", "Leverage multiple", "Deployment rate"):
        assert shown[ratio] == "—", ratio
    assert shown["Paid-in (yuan)"] == "0.00"


def test_an_equity_holding_without_a_mark_in_the_quarter_is_flagged(app, db):
    fund = make_fund(db)
    call(db, fund, "10000000.00", dt.date(2024, 1, 5))
    holding = invest(db, fund, make_project(db), Instrument.EQUITY)
    investments.record_transaction(db, SYSTEM, holding.id, investments.TransactionData(
        TransactionType.DISBURSEMENT, dt.date(2024, 1, 20), Decimal("5000000.00")))
    investments.record_valuation(db, SYSTEM, holding.id, dt.date(2024, 3, 31),
                                 Decimal("6000000.00"))
    fund, _user, client = _manager(app, db, fund)
    flag = "not marked this quarter"
    assert flag not in text_of(client.get(f"/funds/{fund.id}?quarter=2024Q1"))
    assert flag in text_of(client.get(f"/funds/{fund.id}?quarter=2024Q2"))


@pytest.mark.parametrize("path", ["/funds/{id}?quarter=2025Q9", "/funds/?quarter=2025Q9",
                                  "/funds/{id}?quarter=soon"])
def test_a_bad_quarter_shows_a_message_instead_of_failing(app, db, path):
    fund, _user, client = _manager(app, db)
    response = client.get(path.format(id=fund.id))
    assert response.status_code == 200
    assert re.search(r'class="flash error"[^>]*>quarter: .*is not a quarter like 2026Q3',
                     text_of(response))


def _schedule(response) -> str:
    """The schedule of investments section of the dashboard (up to the next table's end)."""
    page = text_of(response)
    start = page.index('id="investments"')
    return page[start:page.index("</table>", start)]


def test_the_schedule_shows_the_largest_holdings_and_the_fund_totals(app, db):
    """A fund with one holding more than the dashboard shows: the 50 largest by value, a line
    saying so with a link to all of them, and the fund's totals (all holdings) below."""
    from app.services.funds.metrics import HOLDINGS_SHOWN
    fund = make_fund(db)
    call(db, fund, "100000000.00", dt.date(2024, 1, 5))
    for n in range(1, HOLDINGS_SHOWN + 2):  # 1,000 … 51,000 yuan disbursed
        holding = invest(db, fund, make_project(db, code=f"H-{n:03d}"), Instrument.LOAN)
        investments.record_transaction(db, SYSTEM, holding.id, investments.TransactionData(
            TransactionType.DISBURSEMENT, dt.date(2024, 2, 1), Decimal(n * 1000)))
    fund, _user, client = _manager(app, db, fund)
    shown = _schedule(client.get(f"/funds/{fund.id}?quarter=2024Q1"))
    assert "Showing the 50 largest of 51 holdings by value." in shown
    assert f'/funds/{fund.id}?quarter=2024Q1&amp;holdings=all#investments' in shown
    assert shown.count("/investments/") == HOLDINGS_SHOWN
    assert "H-051" in shown and "H-002" in shown and "H-001" not in shown
    assert shown.index("H-051") < shown.index("H-050")  # largest first
    total = re.search(r"Fund total, all 51 holdings</th>\s*<td class=\"num\">([\d,.]+)</td>",
                      shown)
    assert total and total.group(1) == "1,326,000.00"  # every holding's cost, not the shown 50
    every = _schedule(client.get(f"/funds/{fund.id}?quarter=2024Q1&holdings=all"))
    assert every.count("/investments/") == HOLDINGS_SHOWN + 1
    assert "Showing" not in every and "Fund total" not in every


def test_a_fund_with_few_holdings_shows_them_all_without_a_note(app, db):
    fund = make_fund(db)
    invest(db, fund, make_project(db), Instrument.EQUITY)
    fund, _user, client = _manager(app, db, fund)
    shown = _schedule(client.get(f"/funds/{fund.id}"))
    assert shown.count("/investments/") == 1
    assert "Showing" not in shown and "Fund total" not in shown
