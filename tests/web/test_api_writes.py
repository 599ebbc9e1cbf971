"""Writing through the API: the web's services in one transaction, audited as the token's user;
exact amounts as strings only; every failure a problem document and nothing written."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.domain.codes import Role
from app.models import AuditEntry, Fund, Movement
from app.services.funds import register as fund_service
from tests.factories import make_user
from tests.integration.sharing_factories import DESTINATION, SOURCE
from tests.web.api_helpers import (
    bearer,
    call_api,
    fields_in_error,
    make_holding,
    problem_of,
    token_for,
)
from tests.web.helpers import count

MOVEMENT = {"type": "CAPITAL_CALL", "moved_on": "2024-05-01", "amount": "1234.50"}


def _movements_url(holding) -> str:
    return f"/api/v1/funds/{holding.fund.id}/movements"


def test_a_movement_posted_with_a_token_is_audited_as_the_tokens_user(app, client, db):
    holding = make_holding(db)
    db.commit()
    response = call_api(client, "POST", _movements_url(holding), holding.token, MOVEMENT)
    assert response.status_code == 201, response.get_data(as_text=True)
    movement = response.get_json()
    assert (movement["amount"], movement["type"]) == ("1234.50", "CAPITAL_CALL")
    db.expire_all()
    entry = db.scalars(select(AuditEntry).where(AuditEntry.entity == "movements",
                                                AuditEntry.entity_id == str(movement["id"]))).one()
    assert (entry.action, entry.actor_id, entry.actor) == (
        "INSERT", holding.manager.id, holding.manager.email)
    assert entry.changed_fields["amount"] == [None, "1234.50"]


def test_a_float_amount_is_refused_naming_the_field_and_nothing_is_written(app, client, db):
    holding = make_holding(db)
    db.commit()
    before = count(db, Movement)
    for amount in (1234.5, 1234, "12,34", "1e3", "1234.505"):
        response = call_api(client, "POST", _movements_url(holding), holding.token,
                            {**MOVEMENT, "amount": amount})
        assert fields_in_error(response) == {"amount"}, amount
        assert problem_of(response)["type"] == "/api/v1/problems/validation-failed"
    float_problem = call_api(client, "POST", _movements_url(holding), holding.token,
                             {**MOVEMENT, "amount": 1234.5}).get_json()
    assert "not exact" in float_problem["errors"][0]["message"]
    assert count(db, Movement) == before


def test_bodies_that_are_not_json_are_400_and_shapes_that_are_wrong_are_422(app, client, db):
    holding = make_holding(db)
    db.commit()
    url = _movements_url(holding)
    for raw in ('{"type": ', "", "NaN", "[" * 100000):
        response = call_api(client, "POST", url, holding.token, raw=raw)
        assert response.status_code == 400, raw[:10]
        problem_of(response)
    assert fields_in_error(call_api(client, "POST", url, holding.token, raw="[1]")) == {"body"}
    assert fields_in_error(call_api(client, "POST", url, holding.token,
                                    {**MOVEMENT, "colour": "red"})) == {"colour"}
    assert fields_in_error(call_api(client, "POST", url, holding.token, {
        "type": "LOAN", "moved_on": "2024-13-01"})) == {"type", "moved_on", "amount"}
    assert fields_in_error(call_api(client, "POST", url, holding.token,
                                    {**MOVEMENT, "note": "a\x00b"})) == {"note"}


def test_business_rules_are_the_services_and_name_their_fields(app, client, db):
    holding = make_holding(db)
    db.commit()
    url = _movements_url(holding)
    first = call_api(client, "POST", url, holding.token, {**MOVEMENT, "reference": "R-1"})
    assert first.status_code == 201
    again = call_api(client, "POST", url, holding.token, {**MOVEMENT, "reference": "R-1"})
    assert fields_in_error(again) == {"reference"}
    assert fields_in_error(call_api(client, "POST", url, holding.token,
                                    {**MOVEMENT, "amount": "0.00"})) == {"amount"}


def test_a_fund_is_registered_through_the_api_with_its_location(app, client, db):
    admin = make_user(db, Role.ADMIN)
    token = token_for(db, admin)
    db.commit()
    body = {"code": "API-1", "name": "接口基金", "sponsor_region": "441600", "manager": "某某资本",
            "fund_class": "INDUSTRIAL", "vintage": 2024, "target_size": "500000000.00"}
    response = call_api(client, "POST", "/api/v1/funds", token, body)
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/funds/{created['id']}")
    assert (created["target_size"], created["status"]) == ("500000000.00", "INVESTING")
    assert fields_in_error(call_api(client, "POST", "/api/v1/funds", token, body)) == {"code"}
    bureau = token_for(db, make_user(db, Role.FINANCE_BUREAU, "441600"))
    db.commit()
    refused = call_api(client, "POST", "/api/v1/funds", bureau, {**body, "code": "API-2"})
    assert refused.status_code == 404
    assert db.scalar(select(Fund.id).where(Fund.code == "API-2")) is None


def test_a_reversal_names_its_date_field_as_the_api_does(app, client, db):
    holding = make_holding(db)
    db.commit()
    url = f"{_movements_url(holding)}/{holding.ids['movement_id']}/reversal"
    early = call_api(client, "POST", url, holding.token,
                     {"reversed_on": "2023-01-01", "note": "typo"})
    assert fields_in_error(early) == {"reversed_on"}
    done = call_api(client, "POST", url, holding.token,
                    {"reversed_on": "2024-02-01", "note": "typo"})
    assert done.status_code == 201
    assert done.get_json()["signed_amount"] == "-5000000.00"


def test_a_valuation_changed_meanwhile_is_a_409_conflict(app, client, db):
    holding = make_holding(db)
    db.commit()
    url = f"/api/v1/investments/{holding.ids['investment_id']}/valuations"
    stale = call_api(client, "POST", url, holding.token,
                     {"as_of_on": "2024-03-31", "value": "1.00", "version": 99})
    assert stale.status_code == 409
    assert problem_of(stale)["type"] == "/api/v1/problems/conflict"


@pytest.mark.parametrize("race", [
    StaleDataError("UPDATE statement on table 'funds' expected to update 1 row"),
    IntegrityError("INSERT INTO movements", {}, Exception("UNIQUE constraint failed"))])
def test_a_write_that_raced_another_is_a_409_and_not_a_500(app, client, db, monkeypatch, race):
    holding = make_holding(db)
    db.commit()

    def racing(*_args, **_kwargs):
        raise race

    monkeypatch.setattr(fund_service, "record_movement", racing)
    response = call_api(client, "POST", _movements_url(holding), holding.token, MOVEMENT)
    assert response.status_code == 409
    problem_of(response)


def test_observations_are_entered_as_a_grid_and_a_bad_cell_is_named(app, client, db):
    holding = make_holding(db)
    bureau = make_user(db, Role.FINANCE_BUREAU, DESTINATION)
    token = token_for(db, bureau)
    db.commit()
    project = call_api(client, "GET", f"/api/v1/projects/{holding.ids['project_id']}",
                       token).get_json()["code"]
    url = "/api/v1/observations/2024Q2"
    cells = [{"project": project, "indicator": "TAX_LOCAL", "value": "200.00"},
             {"project": project, "indicator": "REVENUE", "value": "1.001"}]
    assert fields_in_error(call_api(client, "PUT", url, token, {"cells": cells})) == {
        "cells.1.value"}
    assert fields_in_error(call_api(client, "PUT", url, token,
                                    {"cells": [cells[0], cells[0]]})) == {"cells.1"}
    response = call_api(client, "PUT", url, token, {"cells": cells[:1]})
    assert response.get_json() == {"quarter": "2024Q2", "changed": 1}
    listed = call_api(client, "GET", f"/api/v1/observations?project={project}&quarter=2024Q2",
                      token).get_json()["items"]
    assert [o["value"] for o in listed] == ["200.00"]


def test_a_quarter_is_submitted_and_confirmed_by_both_parties_through_the_api(app, client, db):
    holding = make_holding(db)
    destination = token_for(db, make_user(db, Role.FINANCE_BUREAU, DESTINATION))
    source = token_for(db, make_user(db, Role.FINANCE_BUREAU, SOURCE))
    db.commit()
    base = f"/api/v1/agreements/{holding.ids['agreement_id']}/quarters/2024Q1"
    submitted = call_api(client, "POST", f"{base}/submit", destination)
    assert submitted.status_code == 200, submitted.get_data(as_text=True)
    fingerprint = submitted.get_json()["fingerprint"]
    assert submitted.get_json()["state"] == "SUBMITTED"
    assert fields_in_error(call_api(client, "POST", f"{base}/submit", destination)) == {"state"}
    wrong = call_api(client, "POST", f"{base}/confirm", source,
                     {"party": SOURCE, "fingerprint": "0" * 64})
    assert wrong.status_code == 409
    assert call_api(client, "POST", f"{base}/confirm", source,
                    {"party": DESTINATION, "fingerprint": fingerprint}).status_code == 404
    for token, party in ((source, SOURCE), (destination, DESTINATION)):
        response = call_api(client, "POST", f"{base}/confirm", token,
                            {"party": party, "fingerprint": fingerprint})
        assert response.status_code == 200, response.get_data(as_text=True)
    closed = call_api(client, "GET", f"{base}/statement", source).get_json()
    assert closed["state"] == "CLOSED"
    assert [c["party"] for c in closed["confirmations"]] == [SOURCE, DESTINATION]
    assert closed["statement"]["fingerprint"] == fingerprint


def test_unknown_routes_and_methods_under_the_api_are_problems_too(app, client, db):
    holding = make_holding(db)
    db.commit()
    missing = call_api(client, "GET", "/api/v1/nothing-here", holding.token)
    assert missing.status_code == 404 and problem_of(missing)
    wrong_method = call_api(client, "DELETE", f"/api/v1/funds/{holding.fund.id}", holding.token)
    assert wrong_method.status_code == 405 and "GET" in wrong_method.headers["Allow"]
    problem_of(wrong_method)
    huge_id = call_api(client, "GET", "/api/v1/funds/99999999999", holding.token)
    assert huge_id.status_code == 404 and problem_of(huge_id)
    assert client.get("/nothing-here").mimetype == "text/html"  # the web keeps its pages


def test_an_unexpected_error_is_a_500_problem_and_writes_nothing(app, client, db, monkeypatch):
    holding = make_holding(db)
    db.commit()
    app.config["PROPAGATE_EXCEPTIONS"] = False
    before = count(db, Movement)
    original = fund_service.record_movement

    def failing(session, *args, **kwargs):
        original(session, *args, **kwargs)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(fund_service, "record_movement", failing)
    response = call_api(client, "POST", _movements_url(holding), holding.token, MOVEMENT)
    assert response.status_code == 500
    assert "disk" not in problem_of(response)["detail"]
    assert count(db, Movement) == before


def test_a_report_is_issued_listed_and_fetched_exactly_as_issued(app, client, db):
    holding = make_holding(db)
    db.commit()
    body = {"kind": "fund", "code": holding.fund.code, "quarter": "2024Q1"}
    response = call_api(client, "POST", "/api/v1/reports", holding.token, body)
    assert response.status_code == 201, response.get_data(as_text=True)
    report = response.get_json()
    assert (report["version"], report["issued_by"]) == (1, holding.manager.email)
    pdf = client.get(report["pdf"], headers=bearer(holding.token))
    assert pdf.mimetype == "application/pdf"
    assert hashlib.sha256(pdf.data).hexdigest() == report["sha256"]
    again = call_api(client, "POST", "/api/v1/reports", holding.token, body)
    assert fields_in_error(again) == {"report"}  # nothing changed: no new version
    listed = call_api(client, "GET", f"/api/v1/reports?code={holding.fund.code}",
                      holding.token).get_json()["items"]
    assert [r["id"] for r in listed] == [report["id"]]
