"""Scope through the API is the web's: whatever id of another fund or region is guessed, the
answer is 404 (never 403), for every route, read or write, and the denial is logged."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from app.domain.codes import Role
from app.models import AuditEntry, Movement, Notification
from app.services.notifications.outbox import Event, raise_event
from tests.factories import make_user
from tests.web.api_helpers import call_api, make_holding, problem_of, token_for
from tests.web.helpers import count

ID_ARGUMENTS = ("fund_id", "investment_id", "movement_id", "transaction_id", "project_id",
                "agreement_id", "report_id", "review_id", "attachment_id",
                "notification_id", "park_id")
FIXED = {"quarter": "2024Q1", "code": "440300", "fiscal_year": 2024,
         "run_id": 1}  # no holding has a settlement run (four closed quarters): see the API tests
                       # of settlement for its scope on real runs
REFERENCE = ("edition_id",)
"""Ids of reference data every user reads (catalogue editions): no scope to cross."""
FUND_SIDE = ("fund_id", "investment_id", "movement_id", "transaction_id", "report_id",
             "attachment_id")
# Well-formed bodies: a malformed one is refused (422) before any id is looked at, whatever the id.
BODIES = {
    "api.add_commitment": {"investor": "某LP", "investor_type": "SOE",
                           "committed_on": "2024-01-01", "amount": "100.00"},
    "api.record_movement": {"type": "CAPITAL_CALL", "moved_on": "2024-05-01", "amount": "100.00"},
    "api.reverse_movement": {"reversed_on": "2024-06-01", "note": "wrong"},
    "api.open_investment": {"project": "P-NONE", "instrument": "EQUITY"},
    "api.record_transaction": {"type": "DISBURSEMENT", "occurred_on": "2024-05-01",
                               "amount": "100.00"},
    "api.reverse_transaction": {"reversed_on": "2024-06-01", "note": "wrong"},
    "api.record_valuation": {"as_of_on": "2024-06-30", "value": "100.00"},
}


def _api_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")]


def _urls(app, rule, own: dict, other: dict):
    """The rule's URL for every mix of own and other ids with at least one other id."""
    names = [n for n in ID_ARGUMENTS if n in rule.arguments]
    adapter = app.url_map.bind("localhost")
    for picks in itertools.product((own, other), repeat=len(names)):
        if any(p is other for p in picks):
            values = {k: v for k, v in FIXED.items() if k in rule.arguments}
            values.update({n: p[n] for n, p in zip(names, picks, strict=True)})
            yield adapter.build(rule.endpoint, values)


def _methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def test_every_api_route_takes_only_arguments_this_walk_knows(app):
    for rule in _api_rules(app):
        assert set(rule.arguments) <= set(ID_ARGUMENTS) | FIXED.keys() | set(REFERENCE), \
            rule.rule


def test_a_fund_managers_token_gets_404_on_every_url_of_another_fund(app, client, db):
    mine, theirs = make_holding(db, report=True), make_holding(db, report=True)
    db.commit()
    before = count(db, Movement)
    wrong, asked = [], 0
    for rule in _api_rules(app):
        if not set(rule.arguments) & set(FUND_SIDE):
            continue
        for url in _urls(app, rule, mine.ids, theirs.ids):
            for method in _methods(rule):
                asked += 1
                response = call_api(client, method, url, mine.token, BODIES.get(rule.endpoint))
                if response.status_code != 404:
                    wrong.append(f"{method} {url} answered {response.status_code}")
                else:
                    problem_of(response)
    assert wrong == []
    assert asked >= 12
    assert count(db, Movement) == before


def test_the_same_urls_with_the_managers_own_ids_answer(app, client, db):
    mine = make_holding(db, report=True)
    db.commit()
    adapter = app.url_map.bind("localhost")
    for rule in _api_rules(app):
        if "GET" in rule.methods and set(rule.arguments) & set(FUND_SIDE):
            url = adapter.build(rule.endpoint, {k: mine.ids[k] for k in rule.arguments})
            assert call_api(client, "GET", url, mine.token).status_code == 200, url


def test_a_manager_sees_only_their_fund_in_the_list(app, client, db):
    mine, theirs = make_holding(db), make_holding(db)
    db.commit()
    codes = [f["code"] for f in call_api(client, "GET", "/api/v1/funds",
                                         mine.token).get_json()["items"]]
    assert codes == [mine.fund.code]
    assert theirs.fund.code not in codes


def test_a_manager_lists_and_issues_reports_of_their_own_fund_only(app, client, db):
    mine, theirs = make_holding(db, report=True), make_holding(db, report=True)
    db.commit()
    listed = call_api(client, "GET", "/api/v1/reports", mine.token).get_json()["items"]
    assert [r["subject_code"] for r in listed] == [mine.fund.code]
    refused = call_api(client, "POST", "/api/v1/reports", mine.token,
                       {"kind": "fund", "code": theirs.fund.code, "quarter": "2024Q2"})
    assert refused.status_code == 404


def test_a_bureau_token_gets_404_on_an_agreement_of_other_regions(app, client, db):
    elsewhere = make_holding(db, sponsor="340100")  # agreement between 441600 and 440300
    bureau = make_user(db, Role.FINANCE_BUREAU, "340100")
    home = make_user(db, Role.FINANCE_BUREAU, "441600")
    token, home_token = token_for(db, bureau), token_for(db, home)
    db.commit()
    agreement = elsewhere.ids["agreement_id"]
    urls = [f"/api/v1/agreements/{agreement}",
            f"/api/v1/agreements/{agreement}/quarters/2024Q1/statement"]
    for url in urls:
        assert call_api(client, "GET", url, token).status_code == 404, url
        assert call_api(client, "GET", url, home_token).status_code == 200, url
    for action, body in (("submit", None), ("confirm", {"party": "340100", "fingerprint": "x"})):
        url = f"/api/v1/agreements/{agreement}/quarters/2024Q1/{action}"
        assert call_api(client, "POST", url, token, body).status_code == 404, url
    listed = call_api(client, "GET", "/api/v1/agreements", token).get_json()["items"]
    assert listed == []
    # The fund sponsored in its region is readable, not writable.
    fund_url = f"/api/v1/funds/{elsewhere.fund.id}"
    assert call_api(client, "GET", fund_url, token).status_code == 200
    response = call_api(client, "POST", fund_url + "/movements", token,
                        {"type": "FEE", "moved_on": "2024-05-01", "amount": "1.00"})
    assert response.status_code == 404


def test_observations_of_projects_out_of_scope_are_neither_listed_nor_written(app, client, db):
    holding = make_holding(db, destination="441602")
    bureau = make_user(db, Role.FINANCE_BUREAU, "340100")
    token = token_for(db, bureau)
    db.commit()
    assert call_api(client, "GET", "/api/v1/observations", token).get_json()["items"] == []
    project = call_api(client, "GET", f"/api/v1/projects/{holding.ids['project_id']}",
                       holding.token).get_json()["code"]
    response = call_api(client, "PUT", "/api/v1/observations/2024Q2", token, {"cells": [
        {"project": project, "indicator": "TAX_LOCAL", "value": "5.00"}]})
    assert response.status_code == 404


def test_audit_entries_are_for_auditors_and_administrators_only(app, client, db):
    holding = make_holding(db)
    auditor = make_user(db, Role.AUDITOR)
    auditor_token = token_for(db, auditor)
    db.commit()
    assert call_api(client, "GET", "/api/v1/audit-entries", holding.token).status_code == 404
    assert call_api(client, "GET", "/api/v1/audit-entries", auditor_token).status_code == 200


def test_an_api_access_denial_is_logged_with_the_tokens_user(app, client, db):
    mine, theirs = make_holding(db), make_holding(db)
    db.commit()
    url = f"/api/v1/funds/{theirs.fund.id}"
    assert call_api(client, "GET", url, mine.token).status_code == 404
    db.expire_all()
    denial = db.scalars(select(AuditEntry).where(AuditEntry.action == "ACCESS_DENIED")
                        .order_by(AuditEntry.seq.desc())).first()
    assert denial.changed_fields["path"] == url
    assert (denial.actor_id, denial.actor) == (mine.manager.id, mine.manager.email)


def test_a_token_gets_404_on_another_users_notification_and_marks_nothing(app, client, db):
    mine, theirs = make_holding(db), make_holding(db)
    raise_event(db, Event("query_answered", "scope:1", {"answer": "x"}, "/"), {theirs.manager.id})
    db.commit()
    theirs_id = db.scalar(select(Notification.id).where(
        Notification.user_id == theirs.manager.id))
    assert call_api(client, "POST", f"/api/v1/notifications/{theirs_id}/read",
                    mine.token).status_code == 404
    assert call_api(client, "GET", "/api/v1/notifications", mine.token).get_json()["items"] == []
    db.expire_all()
    assert db.get(Notification, theirs_id).read_at is None

