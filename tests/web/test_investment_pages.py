"""The investment pages: opening a position, its ledger by instrument, valuations, reversals;
and the project form those positions are opened in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain.codes import Instrument, Role, TransactionType
from app.domain.uscc import CHARSET, make_uscc
from app.models import Investment, InvestmentTransaction, Project, Valuation
from app.services.access.scopes import SYSTEM
from app.services.funds import investments
from tests.factories import invest, make_fund, make_project, make_user
from tests.web.helpers import client_of, count, errors_beside, form_alerts, text_of

GOOD_USCC = make_uscc("91441600MA5F0001X")


def _project_form(**overrides) -> dict[str, str]:
    form = {"code": "WEB-P1", "name": "网页登记的项目", "enterprise": "河源某某电子有限公司",
            "uscc": GOOD_USCC, "industry": "39", "intensity": "TECHNOLOGY",
            "source_region": "440306", "destination_region": "441602",
            "cooperation_mode": "JOINT_PARK", "status": "IMPLEMENTATION",
            "planned_investment": "¥120,000,000.00", "planned_jobs": "300"}
    form.update(overrides)
    return form


@pytest.fixture
def manager(app, db):
    """A fund, its manager, and the manager's signed-in client."""
    fund = make_fund(db)
    user = make_user(db, Role.FUND_MANAGER, fund.code)
    db.commit()
    return fund, client_of(app, user)


def _position(db, fund, instrument: Instrument) -> Investment:
    investment = invest(db, fund, make_project(db), instrument)
    db.commit()
    return investment


def _entry(client, investment, kind: str, on: str, amount: str):
    return client.post(f"/investments/{investment.id}/transactions/new",
                       data={"type": kind, "occurred_on": on, "amount": amount})


def test_a_manager_registers_a_project_and_opens_a_loan_in_it(app, db, manager):
    fund, client = manager
    response = client.post("/projects/new", data=_project_form())
    assert response.status_code == 302
    project = db.scalars(select(Project).where(Project.code == "WEB-P1")).one()
    assert (project.uscc, project.planned_investment) == (GOOD_USCC, Decimal("120000000.00"))
    response = client.post(f"/funds/{fund.id}/investments/new",
                           data={"project": "WEB-P1", "instrument": "LOAN"})
    assert response.status_code == 302
    investment = db.scalars(select(Investment).where(Investment.project_id == project.id)).one()
    assert (investment.fund_id, investment.instrument) == (fund.id, Instrument.LOAN)
    assert response.headers["Location"] == f"/investments/{investment.id}"
    assert "WEB-P1" in text_of(client.get(f"/funds/{fund.id}"))


def test_a_project_outside_the_managers_scope_cannot_be_invested_in(app, db, manager):
    fund, client = manager
    foreign = make_project(db)  # registered by someone else, financed by no fund of theirs
    db.commit()
    response = client.post(f"/funds/{fund.id}/investments/new",
                           data={"project": foreign.code, "instrument": "EQUITY"})
    assert response.status_code == 422
    assert errors_beside(response, "project") == [
        f'"{foreign.code}" is not a project you can see']
    assert count(db, Investment) == 0


def test_commitment_disbursement_and_repayment_go_into_the_loan_ledger(app, db, manager):
    fund, client = manager
    loan = _position(db, fund, Instrument.LOAN)
    for kind, on, amount in (("COMMITMENT", "2024-01-10", "10,000,000.00"),
                             ("DISBURSEMENT", "2024-02-01", "8,000,000.00"),
                             ("REPAYMENT", "2024-06-01", "¥3,000,000.00")):
        assert _entry(client, loan, kind, on, amount).status_code == 302
    db.expire_all()
    ledger = db.scalars(select(InvestmentTransaction).where(
        InvestmentTransaction.investment_id == loan.id).order_by(InvestmentTransaction.id)).all()
    assert [(t.type, t.amount) for t in ledger] == [
        (TransactionType.COMMITMENT, Decimal("10000000.00")),
        (TransactionType.DISBURSEMENT, Decimal("8000000.00")),
        (TransactionType.REPAYMENT, Decimal("3000000.00"))]
    page = text_of(client.get(f"/investments/{loan.id}"))
    assert all(amount in page for amount in ("10,000,000.00", "8,000,000.00", "3,000,000.00"))


def test_a_grant_cannot_be_repaid(app, db, manager):
    fund, client = manager
    grant = _position(db, fund, Instrument.GRANT)
    assert _entry(client, grant, "COMMITMENT", "2024-01-10", "500,000.00").status_code == 302
    assert _entry(client, grant, "DISBURSEMENT", "2024-02-01", "500,000.00").status_code == 302
    response = _entry(client, grant, "REPAYMENT", "2024-03-01", "100,000.00")
    assert response.status_code == 422
    assert errors_beside(response, "type") == ["a GRANT investment has no REPAYMENT"]
    assert count(db, InvestmentTransaction) == 2


def test_a_loan_repayment_beyond_the_outstanding_principal_is_refused(app, db, manager):
    fund, client = manager
    loan = _position(db, fund, Instrument.LOAN)
    assert _entry(client, loan, "COMMITMENT", "2024-01-10", "8,000,000.00").status_code == 302
    assert _entry(client, loan, "DISBURSEMENT", "2024-02-01", "8,000,000.00").status_code == 302
    assert _entry(client, loan, "REPAYMENT", "2024-04-01", "3,000,000.00").status_code == 302
    response = _entry(client, loan, "REPAYMENT", "2024-05-01", "5,000,000.01")
    assert response.status_code == 422
    [error] = errors_beside(response, "amount")
    assert error.startswith("5000000.01 is more than the 5000000.00 outstanding")
    # Exactly what is outstanding is fine.
    assert _entry(client, loan, "REPAYMENT", "2024-05-01", "5,000,000.00").status_code == 302
    assert count(db, InvestmentTransaction) == 4


def test_only_equity_holdings_take_valuations(app, db, manager):
    fund, client = manager
    loan, equity = _position(db, fund, Instrument.LOAN), _position(db, fund, Instrument.EQUITY)
    mark = {"as_of_on": "2024-06-30", "value": "¥6,500,000.00", "note": "第三方评估"}
    refused = client.post(f"/investments/{loan.id}/valuations/new", data=mark)
    assert refused.status_code == 422
    assert errors_beside(refused, "value") == [
        "only equity holdings are valued; loans and grants are not"]
    assert f"/investments/{loan.id}/valuations/new" not in text_of(
        client.get(f"/investments/{loan.id}"))
    assert client.post(f"/investments/{equity.id}/valuations/new", data=mark).status_code == 302
    db.expire_all()
    [valuation] = db.scalars(select(Valuation)).all()
    assert (valuation.investment_id, valuation.as_of_on, valuation.value) == (
        equity.id, dt.date(2024, 6, 30), Decimal("6500000.00"))
    assert "6,500,000.00" in text_of(client.get(f"/investments/{equity.id}"))


def test_reversing_a_transaction_appends_a_reversal_once(app, db, manager):
    fund, client = manager
    equity = _position(db, fund, Instrument.EQUITY)
    original = investments.record_transaction(db, SYSTEM, equity.id, investments.TransactionData(
        TransactionType.DISBURSEMENT, dt.date(2024, 2, 1), Decimal("2000000.00")))
    db.commit()
    link = f"/investments/{equity.id}/transactions/{original.id}/reverse"
    assert link in text_of(client.get(f"/investments/{equity.id}"))
    reason = {"reversed_on": "2024-02-05", "note": "重复录入"}
    assert client.post(link, data=reason).status_code == 302
    db.expire_all()
    rows = db.scalars(select(InvestmentTransaction).order_by(InvestmentTransaction.id)).all()
    assert [(t.id, t.reverses_id, t.amount) for t in rows] == [
        (original.id, None, Decimal("2000000.00")),
        (rows[1].id, original.id, Decimal("2000000.00"))]
    page = text_of(client.get(f"/investments/{equity.id}"))
    assert "/reverse" not in page and "-2,000,000.00" in page
    again = client.post(link, data=reason)
    assert again.status_code == 422
    assert any("reversed already" in a for a in form_alerts(again))
    assert count(db, InvestmentTransaction) == 2


def test_a_reversal_dated_before_the_entry_is_refused(app, db, manager):
    fund, client = manager
    equity = _position(db, fund, Instrument.EQUITY)
    original = investments.record_transaction(db, SYSTEM, equity.id, investments.TransactionData(
        TransactionType.DISBURSEMENT, dt.date(2024, 2, 1), Decimal("2000000.00")))
    db.commit()
    response = client.post(f"/investments/{equity.id}/transactions/{original.id}/reverse",
                           data={"reversed_on": "2024-01-31", "note": "日期错了"})
    assert response.status_code == 422
    assert count(db, InvestmentTransaction) == 1


def _with_wrong_check_character(code: str) -> str:
    return code[:-1] + next(c for c in CHARSET if c != code[-1])


@pytest.mark.parametrize("uscc,message", [
    (_with_wrong_check_character(GOOD_USCC), "wrong check character"),
    ("91441600MA5F0001", "has 18 characters, not 16"),
    ("91441600MA5F0001IO", 'invalid character "I"'),
])
def test_a_bad_uscc_is_refused_beside_the_field_and_nothing_is_written(
        app, db, manager, uscc, message):
    _fund, client = manager
    before = count(db, Project)
    response = client.post("/projects/new", data=_project_form(uscc=uscc))
    assert response.status_code == 422
    assert any(message in e for e in errors_beside(response, "uscc")), errors_beside(
        response, "uscc")
    assert count(db, Project) == before
