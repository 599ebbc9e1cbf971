"""The reversal pages under four eyes: the reverse form says when approval is needed, the request
waits on the fund's reversals page, a second manager approves or rejects it there (enforced on
the server), markers on the ledgers, scope, and the API's refusal."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain.codes import ReversalStatus, Role, TransactionType
from app.domain.quarter import Quarter
from app.models import InvestmentTransaction, Movement, ReversalRequest
from app.services.access.scopes import SYSTEM
from app.services.funds import investments
from app.services.reporting import issuing
from tests.factories import add_lp, call, invest, make_fund, make_project, make_user
from tests.web.api_helpers import call_api, problem_of, token_for
from tests.web.helpers import client_of, text_of

Q3 = Quarter(2025, 3)


class Setting:
    """Fund FW-1 with a call and a disbursement in 2025Q3 (reported) and a call in 2025Q4, two
    managers, and a manager of another fund."""

    def __init__(self, db):
        self.fund = make_fund(db, "FW-1")
        add_lp(db, self.fund, "100000000.00", on=dt.date(2025, 1, 1))
        self.call = call(db, self.fund, "30000000.00", dt.date(2025, 8, 10))
        self.late_call = call(db, self.fund, "5000000.00", dt.date(2025, 11, 5))
        self.investment = invest(db, self.fund, make_project(db))
        self.disbursement = investments.record_transaction(
            db, SYSTEM, self.investment.id, investments.TransactionData(
                TransactionType.DISBURSEMENT, dt.date(2025, 9, 1), Decimal("12000000.00")))
        self.asker = make_user(db, Role.FUND_MANAGER, "FW-1")
        self.approver = make_user(db, Role.FUND_MANAGER, "FW-1")
        self.stranger = make_user(db, Role.FUND_MANAGER, make_fund(db, "FW-2").code)
        issuing.issue(db, SYSTEM, "fund", "FW-1", Q3)
        db.commit()

    def reverse_url(self, movement=None) -> str:
        return f"/funds/{self.fund.id}/movements/{(movement or self.call).id}/reverse"

    @property
    def page(self) -> str:
        return f"/funds/{self.fund.id}/reversals"


@pytest.fixture
def setting(db):
    return Setting(db)


def _ask(app, setting):
    client = client_of(app, setting.asker)
    response = client.post(setting.reverse_url(),
                           data={"reversed_on": "2025-09-20", "note": "录错了金额"})
    return client, response


def _request(db) -> ReversalRequest:
    db.expire_all()
    return db.scalars(select(ReversalRequest)).one()


def _decide(client, setting, request, action, note="", version=None):
    return client.post(setting.page, data={
        "request_id": str(request.id), "version": str(version or request.version),
        "note": note, action: "1"})


def test_the_reverse_form_says_when_approval_will_be_needed(app, db, setting):
    client = client_of(app, setting.asker)
    reported = text_of(client.get(setting.reverse_url()))
    assert "whose fund report has been issued" in reported and "2025Q3" in reported
    assert "Ask for approval" in reported
    unreported = text_of(client.get(setting.reverse_url(setting.late_call)))
    assert "whose fund report has been issued" not in unreported
    assert "Ask for approval" not in unreported


def test_reversing_an_entry_of_a_reported_quarter_files_a_request_shown_pending(app, db, setting):
    client, response = _ask(app, setting)
    assert response.status_code == 302 and response.headers["Location"].endswith(setting.page)
    page = text_of(client.get(setting.page))
    assert "needs a second person&#39;s approval" in page or "needs a second person's" in page
    assert "Awaiting approval" in page and "录错了金额" in page
    assert "Approve and reverse" not in page and "Withdraw" in page  # the requester's view
    assert db.scalar(select(Movement.id).where(Movement.reverses_id == setting.call.id)) is None
    dashboard = text_of(client.get(f"/funds/{setting.fund.id}?quarter=2025Q3"))
    assert "reversal awaiting approval" in dashboard
    assert "1 reversal awaits approval" in dashboard


def test_reversing_an_entry_of_an_unreported_quarter_is_written_at_once(app, db, setting):
    client = client_of(app, setting.asker)
    response = client.post(setting.reverse_url(setting.late_call),
                           data={"reversed_on": "2025-11-20", "note": "typed twice"})
    assert response.status_code == 302 and "#movements" in response.headers["Location"]
    db.expire_all()
    assert db.scalar(select(Movement.id).where(Movement.reverses_id == setting.late_call.id))
    assert db.scalar(select(ReversalRequest.id)) is None


def test_a_second_manager_approves_on_the_page_and_the_reversal_is_written(app, db, setting):
    _ask(app, setting)
    request = _request(db)
    client = client_of(app, setting.approver)
    page = text_of(client.get(setting.page))
    assert "Approve and reverse" in page and 'name="csrf_token"' in page
    assert re.search(rf'name="version" value="{request.version}"', page)
    response = _decide(client, setting, request, "approve", "checked the bank statement")
    assert response.status_code == 302
    request = _request(db)
    assert request.status is ReversalStatus.APPROVED
    assert request.reversal_movement.reverses_id == setting.call.id
    after = text_of(client.get(setting.page))
    assert "Approved" in after and request.reversal_movement.reference in after
    assert "reversal awaiting approval" not in text_of(client.get(f"/funds/{setting.fund.id}"))


def test_the_requester_cannot_approve_even_by_posting_the_form(app, db, setting):
    client, _response = _ask(app, setting)
    request = _request(db)
    refused = _decide(client, setting, request, "approve")
    assert refused.status_code == 422 and "four eyes" in text_of(refused)
    assert _request(db).status is ReversalStatus.PENDING
    assert db.scalar(select(Movement.id).where(Movement.reverses_id == setting.call.id)) is None


def test_a_stale_version_is_a_conflict_and_a_decided_request_cannot_be_decided_again(
        app, db, setting):
    _ask(app, setting)
    request = _request(db)
    client = client_of(app, setting.approver)
    stale = _decide(client, setting, request, "approve", version=request.version + 3)
    assert stale.status_code == 409 and "version" in text_of(stale)
    assert _decide(client, setting, request, "approve").status_code == 302
    twice = _decide(client, setting, request, "approve")
    assert twice.status_code == 422 and "approved already" in text_of(twice)
    assert len(db.scalars(select(Movement).where(
        Movement.reverses_id == setting.call.id)).all()) == 1


def test_a_rejection_needs_a_note_and_leaves_the_ledger_unchanged(app, db, setting):
    _ask(app, setting)
    request = _request(db)
    client = client_of(app, setting.approver)
    assert _decide(client, setting, request, "reject").status_code == 422
    assert _decide(client, setting, request, "reject", "the call was right").status_code == 302
    assert _request(db).status is ReversalStatus.REJECTED
    assert "the call was right" in text_of(client.get(setting.page))
    assert db.scalar(select(Movement.id).where(Movement.reverses_id == setting.call.id)) is None


def test_another_funds_manager_and_readers_get_404(app, db, setting):
    _ask(app, setting)
    request = _request(db)
    auditor = make_user(db, Role.AUDITOR)
    db.commit()
    for user in (setting.stranger, auditor):
        client = client_of(app, user)
        assert client.get(setting.page).status_code == 404
        assert _decide(client, setting, request, "approve").status_code == 404
    assert _request(db).status is ReversalStatus.PENDING


def test_a_request_of_another_fund_cannot_be_decided_through_this_funds_page(app, db, setting):
    _ask(app, setting)
    request = _request(db)
    admin = make_user(db, Role.ADMIN)
    db.commit()
    client = client_of(app, admin)
    other = db.scalar(select(Movement.fund_id).where(Movement.fund_id != setting.fund.id)) \
        or make_fund(db).id
    db.commit()
    response = client.post(f"/funds/{other}/reversals", data={
        "request_id": str(request.id), "version": str(request.version), "approve": "1"})
    assert response.status_code == 404
    assert _request(db).status is ReversalStatus.PENDING


def test_a_transaction_of_a_reported_quarter_waits_too_and_is_marked_on_its_ledger(
        app, db, setting):
    client = client_of(app, setting.asker)
    url = (f"/investments/{setting.investment.id}/transactions/"
           f"{setting.disbursement.id}/reverse")
    assert "Ask for approval" in text_of(client.get(url))
    response = client.post(url, data={"reversed_on": "2025-09-20", "note": "wrong project"})
    assert response.headers["Location"].endswith(setting.page)
    assert "reversal awaiting approval" in text_of(
        client.get(f"/investments/{setting.investment.id}"))
    assert db.scalar(select(InvestmentTransaction.id).where(
        InvestmentTransaction.reverses_id == setting.disbursement.id)) is None


def test_the_api_refuses_a_reversal_of_a_reported_quarter_and_points_to_the_web(
        app, client, db, setting):
    token = token_for(db, setting.asker)
    db.commit()
    url = f"/api/v1/funds/{setting.fund.id}/movements/{setting.call.id}/reversal"
    refused = call_api(client, "POST", url, token, {"reversed_on": "2025-09-20", "note": "x"})
    assert refused.status_code == 422
    [error] = problem_of(refused)["errors"]
    message = error["message"]
    assert error["field"] == "reversed_on"
    assert "2025Q3" in message and "approval of a second person" in message
    assert db.scalar(select(Movement.id).where(Movement.reverses_id == setting.call.id)) is None
    late = f"/api/v1/funds/{setting.fund.id}/movements/{setting.late_call.id}/reversal"
    done = call_api(client, "POST", late, token, {"reversed_on": "2025-11-20", "note": "x"})
    assert done.status_code == 201
