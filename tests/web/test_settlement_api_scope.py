"""The settlement API on real runs (four closed quarters, confirmed, booked): a bureau outside
the agreement gets the API's not-found for the agreement's runs, lines, notices and
reconciliation, read or write, and nothing is written; a bureau of a party and an auditor in
scope see them."""

from __future__ import annotations

import pytest

from app.domain.codes import Role
from app.models import SettlementConfirmation, SettlementNotice, SettlementRun
from tests.factories import make_user
from tests.integration.settlement_helpers import Example
from tests.integration.sharing_factories import DESTINATION, SOURCE
from tests.web.api_helpers import call_api, problem_of, token_for
from tests.web.helpers import count

API = "/api/v1"


@pytest.fixture
def world(db):
    """The worked example's first year confirmed and booked, the second computed (unconfirmed)."""
    example = Example(db, years=2)
    run, _ = example.compute(db, example.first)
    example.confirm(db, run)
    example.notice(db, example.first, "15000000.00", number="N-1")
    example.second, _ = example.compute(db, example.first + 1)
    example.run = run
    db.commit()
    return example


def _reads(world) -> list[str]:
    year = world.first
    return [f"{API}/agreements/{world.id}/settlement/runs",
            f"{API}/settlement/runs/{world.run.id}",
            f"{API}/settlement/runs/{world.run.id}/lines",
            f"{API}/agreements/{world.id}/settlement/{year}/reconciliation"]


def _writes(world) -> list[tuple[str, dict]]:
    return [
        (f"{API}/agreements/{world.id}/settlement/runs", {"fiscal_year": world.first + 1}),
        (f"{API}/settlement/runs/{world.second.id}/confirm",
         {"party": SOURCE, "fingerprint": world.second.fingerprint}),
        (f"{API}/agreements/{world.id}/settlement/{world.first}/notices",
         {"level": "CENTRAL", "number": "N-2", "issued_on": f"{world.first + 1}-06-01",
          "payer": DESTINATION, "payee": SOURCE, "amount": "0.00"})]


@pytest.mark.parametrize("outsider_role", [(Role.FINANCE_BUREAU, "340100"),
                                           (Role.AUDITOR, "340100")])
def test_outside_the_agreement_everything_is_not_found_and_nothing_written(
        app, db, world, outsider_role):
    token = token_for(db, make_user(db, *outsider_role))  # 合肥市: no party of SE
    db.commit()
    client = app.test_client()
    for url in _reads(world):
        response = call_api(client, "GET", url, token)
        assert response.status_code == 404, url
        assert problem_of(response)["status"] == 404
    for url, body in _writes(world):
        response = call_api(client, "POST", url, token, body)
        assert response.status_code == 404, (url, response.get_data(as_text=True))
    assert (count(db, SettlementRun), count(db, SettlementConfirmation),
            count(db, SettlementNotice)) == (2, 2, 1)


def test_a_party_bureau_and_an_auditor_in_scope_see_the_runs_lines_notices_reconciliation(
        app, db, world):
    bureau = token_for(db, world.src_user)
    auditor = token_for(db, make_user(db, Role.AUDITOR, DESTINATION))
    db.commit()
    client = app.test_client()
    for token in (bureau, auditor):
        runs, run, lines, reconciliation = (call_api(client, "GET", url, token)
                                            for url in _reads(world))
        assert all(r.status_code == 200 for r in (runs, run, lines, reconciliation))
        assert sorted(r["fiscal_year"] for r in runs.get_json()) == [world.first,
                                                                     world.first + 1]
        assert run.get_json()["fingerprint"] == world.run.fingerprint
        assert [x["amount"] for x in lines.get_json()] == ["15000000.00"]
        body = reconciliation.get_json()
        assert [n["number"] for n in body["notices"]] == ["N-1"]
        assert [(p["due"], p["booked"]) for p in body["pairs"]] == [("15000000.00",
                                                                     "15000000.00")]
    confirmed = call_api(client, "POST", f"{API}/settlement/runs/{world.second.id}/confirm",
                         bureau, {"party": SOURCE, "fingerprint": world.second.fingerprint})
    assert confirmed.status_code == 200, confirmed.get_data(as_text=True)
    refused = call_api(client, "POST", f"{API}/settlement/runs/{world.second.id}/confirm",
                       auditor, {"party": DESTINATION, "fingerprint": world.second.fingerprint})
    assert refused.status_code in (403, 404)  # an auditor reads, never confirms
