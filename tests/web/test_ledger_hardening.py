"""Ledger hardening on the web and the API (issue 12): an entry whose reference has the full 64
characters can be reversed (the reversal's reference is shortened with a hash, never a 500)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from app.domain.codes import MovementType, Role
from app.models import Movement
from app.services.access.scopes import SYSTEM
from app.services.funds import register as funds
from app.services.funds.ledger import REFERENCE_LENGTH
from tests.factories import make_fund, make_user
from tests.web.api_helpers import call_api, make_holding
from tests.web.helpers import client_of


def _long_movement(db, fund) -> Movement:
    reference = (fund.code + "-" + "9" * REFERENCE_LENGTH)[:REFERENCE_LENGTH]
    return funds.record_movement(db, SYSTEM, fund.id, funds.MovementData(
        MovementType.CAPITAL_CALL, dt.date(2024, 1, 5), Decimal("10.00"), reference=reference))


def _reversal_of(db, movement_id: int) -> Movement:
    db.expire_all()
    return db.scalars(select(Movement).where(Movement.reverses_id == movement_id)).one()


def test_the_web_form_reverses_an_entry_with_a_64_character_reference(app, db):
    fund = make_fund(db)
    original = _long_movement(db, fund)
    user = make_user(db, Role.FUND_MANAGER, fund.code)
    db.commit()
    client = client_of(app, user)
    response = client.post(f"/funds/{fund.id}/movements/{original.id}/reverse",
                           data={"reversed_on": "2024-03-31", "note": "录错了"})
    assert response.status_code == 302, response.get_data(as_text=True)
    reversal = _reversal_of(db, original.id)
    assert len(reversal.reference) == REFERENCE_LENGTH and reversal.reference.endswith("-R")


def test_the_api_reverses_an_entry_with_a_64_character_reference(app, client, db):
    holding = make_holding(db)
    original = _long_movement(db, holding.fund)
    db.commit()
    url = f"/api/v1/funds/{holding.fund.id}/movements/{original.id}/reversal"
    response = call_api(client, "POST", url, holding.token,
                        {"reversed_on": "2024-02-01", "note": "typo"})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["reference"] == _reversal_of(db, original.id).reference
    assert len(response.get_json()["reference"]) == REFERENCE_LENGTH
