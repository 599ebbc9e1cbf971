"""Done when (issue 18), on the demo: the Shenzhen–Heyuan agreement's fully closed 2024 is
settled and confirmed by both bureaus, the notice booked with a difference, and the difference
carried into 2025's run, which both bureaus then confirm through the API. Every run equals the
sum of its quarters' statements, recomputed here from the statements' API responses."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import create_app
from app.models import Agreement, User, set_actor
from app.services.access import tokens

AGREEMENT = "SZHY-2024-01"
HEYUAN, SHENZHEN = "441600", "440300"


@pytest.fixture
def api(e2e_database_url, e2e_engine):
    """A test client of the app on this test's copy of the demo, and a token per demo user."""
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": e2e_database_url,
                      "SECRET_KEY": "e2e-secret-not-for-production"})
    with Session(e2e_engine) as session:
        set_actor(session, None, "tests")
        secrets = {email: tokens.create_token(session, session.scalar(
            select(User.id).where(User.email == email)), "settlement").secret
            for email in ("bureau.heyuan@demo.example", "bureau.shenzhen@demo.example",
                          "auditor@demo.example")}
        agreement_id = session.scalar(select(Agreement.id).where(Agreement.code == AGREEMENT))
        session.commit()
    client = app.test_client()

    def call(method, url, who, body=None):
        response = client.open(f"/api/v1{url}", method=method, json=body,
                               headers={"Authorization": f"Bearer {secrets[who]}"})
        assert response.status_code < 300, response.get_data(as_text=True)
        return response.get_json()

    yield call, agreement_id
    app.extensions["db_engine"].dispose()


def _from_statements(call, agreement_id: int, year: int, who: str) -> dict:
    """Per (project, payee): the sum of the four statements' total lines of TAX_LOCAL for every
    party other than the one where the project's enterprise pays (its destination, Heyuan)."""
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for q in range(1, 5):
        body = call("GET", f"/agreements/{agreement_id}/quarters/{year}Q{q}/statement", who)
        assert body["state"] == "CLOSED"
        for row in body["statement"]["rows"]:
            if row["indicator"] != "TAX_LOCAL":
                continue
            for party, line in row["lines"].items():
                if party != HEYUAN:
                    sums[row["project_code"], party] += Decimal(line["total"])
    return dict(sums)


def test_the_demo_settles_confirms_books_and_carries_and_each_run_equals_its_statements(api):
    call, agreement_id = api
    heyuan, shenzhen = "bureau.heyuan@demo.example", "bureau.shenzhen@demo.example"
    listed = call("GET", f"/agreements/{agreement_id}/settlement/runs", heyuan)
    by_year = {r["fiscal_year"]: r for r in listed}
    assert by_year[2024]["state"] == "CONFIRMED" and by_year[2024]["foots"]
    assert sorted(c["party"] for c in by_year[2024]["confirmations"]) == [SHENZHEN, HEYUAN]
    booked = call("GET", f"/agreements/{agreement_id}/settlement/2024/reconciliation",
                  "auditor@demo.example")
    [pair] = booked["pairs"]
    assert Decimal(pair["difference"]) < 0 and pair["reason"] == "REFUND_AFTER_CUTOFF"
    assert pair["open"] and len(booked["notices"]) == 1
    run_2025 = call("GET", f"/settlement/runs/{by_year[2025]['id']}", shenzhen)
    assert run_2025["carried"] == [{"fiscal_year": 2024, "payer": HEYUAN, "payee": SHENZHEN,
                                    "amount": f"{-Decimal(pair['difference']):f}",
                                    "reason": "REFUND_AFTER_CUTOFF"}]
    for who, party in ((shenzhen, SHENZHEN), (heyuan, HEYUAN)):
        confirmed = call("POST", f"/settlement/runs/{run_2025['id']}/confirm", who,
                         {"party": party, "fingerprint": run_2025["fingerprint"]})
    assert confirmed["state"] == "CONFIRMED"
    for year, run in ((2024, by_year[2024]), (2025, run_2025)):
        lines = call("GET", f"/settlement/runs/{run['id']}/lines", heyuan)
        assert {(x["project"], x["payee"]): Decimal(x["amount"]) for x in lines} == \
            _from_statements(call, agreement_id, year, heyuan)
        assert all(x["payer"] == HEYUAN for x in lines)
    net = Decimal(run_2025["net"][0]["amount"])
    assert net == sum(Decimal(x["amount"]) for x in run_2025["lines"]) \
        + Decimal(run_2025["carried"][0]["amount"])
