"""The investment entry form stops what does not fit before it is written: only the entry types
the instrument takes are offered, the page shows what remains of the commitment, and a
disbursement beyond it is refused beside the amount, in the user's language, with nothing
written. The rule is the service's (one source): the page is given its result."""

from __future__ import annotations

import re

import pytest

from app.domain.codes import Instrument, Role
from app.models import InvestmentTransaction
from tests.factories import invest, make_fund, make_project, make_user
from tests.web.helpers import client_of, count, errors_beside, text_of


@pytest.fixture
def fund(db):
    return make_fund(db)


def _client(app, db, fund, locale="en"):
    user = make_user(db, Role.FUND_MANAGER, fund.code, locale=locale)
    db.commit()
    return client_of(app, user)


def _position(db, fund, instrument):
    investment = invest(db, fund, make_project(db), instrument)
    db.commit()
    return investment


def _entry(client, investment, kind, amount, on="2024-03-01"):
    return client.post(f"/investments/{investment.id}/transactions/new",
                       data={"type": kind, "occurred_on": on, "amount": amount})


def _offered(page: str) -> list[str]:
    select = re.search(r'<select[^>]*name="type".*?</select>', page, re.S).group(0)
    return re.findall(r'<option[^>]*value="([A-Z_]+)"', select)


@pytest.mark.parametrize("instrument,types", [
    (Instrument.EQUITY, ["COMMITMENT", "DISBURSEMENT", "INCOME", "PROCEEDS", "WRITE_OFF"]),
    (Instrument.LOAN, ["COMMITMENT", "DISBURSEMENT", "REPAYMENT", "INCOME", "WRITE_OFF"]),
    (Instrument.GRANT, ["COMMITMENT", "DISBURSEMENT"]),
])
def test_only_the_types_the_instrument_takes_are_offered(app, db, fund, instrument, types):
    client = _client(app, db, fund)
    investment = _position(db, fund, instrument)
    assert _offered(text_of(client.get(f"/investments/{investment.id}/transactions/new"))) \
        == types


def test_a_type_the_form_does_not_offer_is_still_refused_by_the_server(app, db, fund):
    client = _client(app, db, fund)
    equity = _position(db, fund, Instrument.EQUITY)
    response = _entry(client, equity, "REPAYMENT", "100.00")
    assert response.status_code == 422
    assert errors_beside(response, "type") == ["a EQUITY investment has no REPAYMENT"]
    assert count(db, InvestmentTransaction) == 0


def test_the_form_shows_the_commitment_what_was_disbursed_and_what_remains(app, db, fund):
    client = _client(app, db, fund)
    loan = _position(db, fund, Instrument.LOAN)
    assert _entry(client, loan, "COMMITMENT", "10,000,000.00", "2024-01-10").status_code == 302
    assert _entry(client, loan, "DISBURSEMENT", "2,500,000.50", "2024-02-01").status_code == 302
    page = text_of(client.get(f"/investments/{loan.id}/transactions/new"))
    facts = re.search(r'<dl class="facts commitment".*?</dl>', page, re.S).group(0)
    assert 'data-remaining-fen="749999950"' in facts
    assert re.findall(r'<dd class="num"[^>]*>([^<]*)</dd>', facts) == [
        "10,000,000.00", "2,500,000.50", "7,499,999.50"]
    assert "investment-entry.js" in page


def test_a_disbursement_beyond_what_remains_is_refused_beside_the_amount(app, db, fund):
    client = _client(app, db, fund)
    equity = _position(db, fund, Instrument.EQUITY)
    assert _entry(client, equity, "COMMITMENT", "1,000,000.00", "2024-01-10").status_code == 302
    assert _entry(client, equity, "DISBURSEMENT", "600,000.00").status_code == 302

    response = _entry(client, equity, "DISBURSEMENT", "400,000.01")
    assert response.status_code == 422
    assert errors_beside(response, "amount") == [
        "400,000.01 is more than the 400,000.00 that remains of the commitment (committed "
        "1,000,000.00, disbursed 600,000.00): record a further commitment first"]
    assert count(db, InvestmentTransaction) == 2
    # Exactly what remains is fine; then nothing remains.
    assert _entry(client, equity, "DISBURSEMENT", "400,000.00").status_code == 302
    assert _entry(client, equity, "DISBURSEMENT", "0.01").status_code == 422
    # A further commitment makes room again.
    assert _entry(client, equity, "COMMITMENT", "50,000.00").status_code == 302
    assert _entry(client, equity, "DISBURSEMENT", "50,000.00").status_code == 302
    assert count(db, InvestmentTransaction) == 5


def test_a_disbursement_without_any_commitment_is_refused(app, db, fund):
    client = _client(app, db, fund)
    grant = _position(db, fund, Instrument.GRANT)
    response = _entry(client, grant, "DISBURSEMENT", "1.00")
    assert response.status_code == 422
    assert errors_beside(response, "amount")[0].startswith(
        "1.00 is more than the 0.00 that remains of the commitment")
    assert count(db, InvestmentTransaction) == 0


def test_the_refusal_and_the_facts_are_in_chinese_for_a_chinese_user(app, db, fund):
    client = _client(app, db, fund, locale="zh")
    grant = _position(db, fund, Instrument.GRANT)
    assert _entry(client, grant, "COMMITMENT", "300.00").status_code == 302
    response = _entry(client, grant, "DISBURSEMENT", "1,000.00")
    assert response.status_code == 422
    assert errors_beside(response, "amount") == [
        "1,000.00 超过承诺尚未拨付的 300.00（已承诺 300.00，已拨付 0.00）：请先登记追加承诺"]
    page = text_of(response)
    assert "尚可拨付（元）" in page and "补助投资可登记：承诺 · 拨付。" in page
    assert "此笔拨付超过承诺尚未拨付的 300.00 元" in page  # the live warning's text
    assert count(db, InvestmentTransaction) == 1
