"""Messages that quote what someone typed quote at most 80 characters and "…": a 100,000-
character entry is never echoed back whole (web forms, and service messages the API and the web
both show)."""

from __future__ import annotations

from app.domain.codes import Role
from app.domain.messages import N_, quoted
from tests.factories import make_fund, make_user
from tests.web.helpers import client_of, errors_beside

HUGE = "9x" * 50_000  # 100,000 characters, no number


def test_quoted_cuts_long_values_to_80_characters_and_an_ellipsis():
    assert quoted("short") == "short"
    assert quoted("a" * 80) == "a" * 80
    assert quoted(HUGE) == HUGE[:80] + "…"
    message = N_('"%(value)s" is not a known region code', value=HUGE)
    assert str(message) == f'"{HUGE[:80]}…" is not a known region code'
    assert message.values["value"] == HUGE[:80] + "…"  # the web translates this one
    nested = N_("row %(row)s: %(message)s", row=3, message=message)
    assert str(nested).endswith(str(message))  # a message inside a message is not cut
    columns = ", ".join(["a_long_column_name"] * 10)  # the app's own text, not quoted
    assert str(N_("the columns are %(columns)s", columns=columns)).endswith(columns)


def test_a_huge_amount_is_quoted_short_beside_its_field(app, db):
    fund = make_fund(db)
    user = make_user(db, Role.FUND_MANAGER, fund.code, locale="en")
    db.commit()
    client = client_of(app, user)
    response = client.post(f"/funds/{fund.id}/movements/new", data={
        "type": "CAPITAL_CALL", "moved_on": "2024-03-01", "amount": HUGE})
    assert response.status_code == 422
    [message] = errors_beside(response, "amount")
    assert message == f'"{HUGE[:80]}…" is not a number'
