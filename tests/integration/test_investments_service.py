"""The investment ledger's rules: entries fit the instrument, a loan is never repaid beyond what is
outstanding, entries are reversed not edited, valuations mark equity only, and scope hides the rest.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain.codes import Instrument, Role, TransactionType
from app.models import InvestmentTransaction, Valuation
from app.services.access.scopes import SYSTEM
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.funds import investments
from app.services.funds.investments import TransactionData
from tests.factories import actor_of, invest, make_fund, make_project, make_user

ON = dt.date(2024, 6, 30)
T = TransactionType


def _fields(excinfo) -> set[str]:
    return set(excinfo.value.errors)


def _position(db, instrument=Instrument.EQUITY, fund_code=None):
    return invest(db, make_fund(db, fund_code), make_project(db), instrument)


def _record(db, investment, type_, amount, on=ON, reference="", actor=SYSTEM):
    return investments.record_transaction(db, actor, investment.id,
                                          TransactionData(type_, on, Decimal(amount), reference))


def _lent(db, amount="1000.00", on=ON):
    """A loan with ``amount`` disbursed on ``on``."""
    loan = _position(db, Instrument.LOAN)
    _record(db, loan, T.DISBURSEMENT, amount, on)
    return loan


NOT_ALLOWED = [  # funds.md: repayment is loan principal, proceeds a sale of equity
    (Instrument.EQUITY, T.REPAYMENT), (Instrument.LOAN, T.PROCEEDS),
    (Instrument.GRANT, T.REPAYMENT), (Instrument.GRANT, T.INCOME), (Instrument.GRANT, T.PROCEEDS),
    (Instrument.GRANT, T.WRITE_OFF),
]


@pytest.mark.parametrize(("instrument", "type_"), NOT_ALLOWED)
def test_an_entry_that_does_not_fit_the_instrument_is_refused(db, instrument, type_):
    position = _position(db, instrument)
    _record(db, position, T.DISBURSEMENT, "1000.00", ON - dt.timedelta(days=1))
    with pytest.raises(ValidationFailed) as excinfo:
        _record(db, position, type_, "1.00")
    assert "type" in _fields(excinfo)


@pytest.mark.parametrize(("instrument", "type_"),
                         [(i, t) for i in Instrument for t in T if (i, t) not in NOT_ALLOWED])
def test_an_entry_that_fits_the_instrument_is_appended(db, instrument, type_):
    position = _position(db, instrument)
    _record(db, position, T.DISBURSEMENT, "1000.00", ON - dt.timedelta(days=1))
    entry = _record(db, position, type_, "1.00")
    assert (entry.type, entry.amount, entry.fund_id) == (type_, Decimal("1.00"), position.fund_id)


@pytest.mark.parametrize("amount", ["0.00", "-1.00"])
def test_an_entry_amount_must_be_positive(db, amount):
    with pytest.raises(ValidationFailed) as excinfo:
        _record(db, _position(db), T.DISBURSEMENT, amount)
    assert _fields(excinfo) == {"amount"}


@pytest.mark.parametrize("type_", [T.REPAYMENT, T.WRITE_OFF])
def test_a_loan_is_not_repaid_or_written_off_beyond_what_is_outstanding(db, type_):
    loan = _lent(db, "1000.00")
    _record(db, loan, T.REPAYMENT, "600.00")
    with pytest.raises(ValidationFailed) as excinfo:
        _record(db, loan, type_, "400.01")
    assert _fields(excinfo) == {"amount"}
    _record(db, loan, type_, "400.00")  # exactly what is left is fine


def test_a_loan_is_not_repaid_before_it_is_disbursed(db):
    loan = _lent(db, "1000.00", ON)
    with pytest.raises(ValidationFailed) as excinfo:
        _record(db, loan, T.REPAYMENT, "1.00", ON - dt.timedelta(days=1))
    assert _fields(excinfo) == {"amount"}


def test_a_back_dated_repayment_cannot_over_repay_the_loan(db):
    loan = _lent(db, "1000.00", dt.date(2024, 1, 10))
    _record(db, loan, T.REPAYMENT, "1000.00", dt.date(2024, 12, 10))
    with pytest.raises(ValidationFailed) as excinfo:
        _record(db, loan, T.REPAYMENT, "500.00", dt.date(2024, 6, 10))
    assert _fields(excinfo) == {"amount"}


def test_a_repaid_loan_can_be_repaid_again_once_the_repayment_is_reversed(db):
    loan = _lent(db, "1000.00")
    repayment = _record(db, loan, T.REPAYMENT, "1000.00")
    investments.reverse_transaction(db, SYSTEM, repayment.id, ON, "the bank returned it")
    _record(db, loan, T.REPAYMENT, "1000.00")  # outstanding is 1,000.00 again
    assert investments.loan_outstanding(
        investments.get_investment(db, SYSTEM, loan.id).transactions, ON) == Decimal("0.00")


def test_a_transaction_reference_is_unique_within_its_fund(db):
    position = _position(db)
    _record(db, position, T.COMMITMENT, "10.00", reference="INV-1")
    with pytest.raises(ValidationFailed) as excinfo:
        _record(db, position, T.DISBURSEMENT, "10.00", reference="INV-1")
    assert _fields(excinfo) == {"reference"}


def test_a_transaction_is_reversed_once_never_before_it_and_with_a_reason(db):
    entry = _record(db, _position(db), T.DISBURSEMENT, "250.00")
    with pytest.raises(ValidationFailed) as excinfo:
        investments.reverse_transaction(db, SYSTEM, entry.id, ON - dt.timedelta(days=1), "early")
    assert _fields(excinfo) == {"date"}
    with pytest.raises(ValidationFailed) as excinfo:
        investments.reverse_transaction(db, SYSTEM, entry.id, ON, "")
    assert _fields(excinfo) == {"note"}
    reversal = investments.reverse_transaction(db, SYSTEM, entry.id, ON, "wrong project")
    assert (reversal.reverses_id, reversal.signed_amount) == (entry.id, Decimal("-250.00"))
    with pytest.raises(ValidationFailed) as excinfo:
        investments.reverse_transaction(db, SYSTEM, entry.id, ON, "again")
    assert _fields(excinfo) == {"reverses"}
    with pytest.raises(ValidationFailed) as excinfo:
        investments.reverse_transaction(db, SYSTEM, reversal.id, ON, "undo the undo")
    assert _fields(excinfo) == {"reverses"}


def test_a_reversal_gets_a_free_reference_even_if_the_obvious_one_is_taken(db):
    position = _position(db)
    entry = _record(db, position, T.DISBURSEMENT, "250.00", reference="D-1")
    _record(db, position, T.DISBURSEMENT, "5.00", reference="D-1-R")
    reversal = investments.reverse_transaction(db, SYSTEM, entry.id, ON, "wrong amount")
    assert reversal.reverses_id == entry.id and reversal.reference != "D-1-R"


@pytest.mark.parametrize("instrument", [Instrument.LOAN, Instrument.GRANT])
def test_only_equity_holdings_are_valued(db, instrument):
    with pytest.raises(ValidationFailed) as excinfo:
        investments.record_valuation(db, SYSTEM, _position(db, instrument).id, ON,
                                     Decimal("1.00"))
    assert _fields(excinfo) == {"value"}


def test_a_valuation_is_not_negative_but_may_be_zero(db):
    holding = _position(db)
    with pytest.raises(ValidationFailed) as excinfo:
        investments.record_valuation(db, SYSTEM, holding.id, ON, Decimal("-0.01"))
    assert _fields(excinfo) == {"value"}
    assert investments.record_valuation(db, SYSTEM, holding.id, ON, Decimal("0")).value == 0


def test_a_second_valuation_on_the_same_date_replaces_the_first(db):
    holding = _position(db)
    first = investments.record_valuation(db, SYSTEM, holding.id, ON, Decimal("100.00"))
    second = investments.record_valuation(db, SYSTEM, holding.id, ON, Decimal("120.00"),
                                          version=first.version)
    rows = db.scalars(select(Valuation).where(Valuation.investment_id == holding.id)).all()
    assert [(v.as_of_on, v.value) for v in rows] == [(ON, Decimal("120.00"))]
    assert second.id == first.id


def test_replacing_a_valuation_with_a_stale_version_raises_conflict(db):
    holding = _position(db)
    read = investments.record_valuation(db, SYSTEM, holding.id, ON, Decimal("100.00")).version
    investments.record_valuation(db, SYSTEM, holding.id, ON, Decimal("120.00"), version=read)
    with pytest.raises(Conflict):
        investments.record_valuation(db, SYSTEM, holding.id, ON, Decimal("90.00"), version=read)
    db.expire_all()
    assert db.scalar(select(Valuation.value).where(Valuation.investment_id == holding.id)) \
        == Decimal("120.00")


def test_opening_a_position_needs_a_project_the_user_can_see_and_is_idempotent(db):
    fund, project = make_fund(db), make_project(db)
    with pytest.raises(ValidationFailed) as excinfo:
        investments.open_investment(db, SYSTEM, fund.id, "NO-SUCH-PROJECT", Instrument.LOAN)
    assert _fields(excinfo) == {"project"}
    first = investments.open_investment(db, SYSTEM, fund.id, project.code, Instrument.LOAN)
    assert investments.open_investment(db, SYSTEM, fund.id, f" {project.code} ",
                                       Instrument.LOAN).id == first.id


@pytest.fixture
def other_fund(db):
    """A fund manager of fund A, and fund B's position, entry and valuation."""
    fund_a = make_fund(db, "INV-SCOPE-A")
    actor = actor_of(db, make_user(db, Role.FUND_MANAGER, fund_a.code))
    project = make_project(db)
    position = invest(db, make_fund(db, "INV-SCOPE-B"), project)
    entry = _record(db, position, T.DISBURSEMENT, "100.00")
    investments.record_valuation(db, SYSTEM, position.id, ON, Decimal("150.00"))
    return actor, fund_a, position, entry, project


@pytest.mark.parametrize("use", ["open_investment", "get_investment", "record_transaction",
                                 "reverse_transaction", "record_valuation"])
def test_another_funds_investments_are_not_found_for_a_fund_manager(db, other_fund, use):
    actor, _, position, entry, project = other_fund
    calls = {
        "open_investment": lambda: investments.open_investment(
            db, actor, position.fund_id, project.code, Instrument.LOAN),
        "get_investment": lambda: investments.get_investment(db, actor, position.id),
        "record_transaction": lambda: _record(db, position, T.INCOME, "1.00", actor=actor),
        "reverse_transaction": lambda: investments.reverse_transaction(db, actor, entry.id, ON,
                                                                       "not mine"),
        "record_valuation": lambda: investments.record_valuation(db, actor, position.id, ON,
                                                                 Decimal("1.00")),
    }
    with pytest.raises(NotFound):
        calls[use]()
    assert db.scalar(select(InvestmentTransaction.id)
                     .where(InvestmentTransaction.reverses_id == entry.id)) is None


def test_a_fund_manager_cannot_invest_their_fund_in_a_project_they_cannot_see(db, other_fund):
    actor, fund_a, _, _, project = other_fund
    with pytest.raises(ValidationFailed) as excinfo:
        investments.open_investment(db, actor, fund_a.id, project.code, Instrument.EQUITY)
    assert _fields(excinfo) == {"project"}
