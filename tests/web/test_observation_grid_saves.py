"""The observation grid saves only what the user changed, each cell checked against the value
the user was shown: two bureau users on the same grid never silently undo each other's work,
and every refusal (a conflict, a bad cell, an over-long reason, a draft agreement) is a message
beside what it concerns, with the user's typing kept."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from app.domain.codes import Role
from app.models import AuditEntry, Observation, Project
from tests.factories import make_project, make_user
from tests.integration.sharing_factories import (
    DESTINATION,
    half_and_half,
    make_agreement,
    observe,
)
from tests.web.api_helpers import call_api, problem_of, token_for
from tests.web.helpers import client_of, errors_beside, text_of

BEFORE = {("GS-1", "TAX_LOCAL"): "100.00", ("GS-2", "TAX_LOCAL"): "200.00"}


@pytest.fixture
def grid(db, app):
    """Agreement GS over GS-1 and GS-2 (TAX_LOCAL and OUTPUT_VALUE from 2026Q1), 2026Q1 TAX_LOCAL
    entered; two users of the destination bureau, each with a signed-in client of their own."""
    class Grid:
        pass
    g = Grid()
    make_project(db, "GS-1")
    make_project(db, "GS-2")
    g.agreement = make_agreement(db, "GS", ["GS-1", "GS-2"], [
        half_and_half(first="2026Q1"), half_and_half(indicator="OUTPUT_VALUE", first="2026Q1")])
    observe(db, "2026Q1", BEFORE)
    g.alice_user = make_user(db, Role.FINANCE_BUREAU, DESTINATION, email="alice@example.cn")
    g.bob_user = make_user(db, Role.FINANCE_BUREAU, DESTINATION, email="bob@example.cn")
    db.commit()
    g.alice, g.bob = client_of(app, g.alice_user), client_of(app, g.bob_user)
    g.url = f"/agreements/{g.agreement.id}/quarters/2026Q1/observations"
    return g


class _Inputs(HTMLParser):
    """Every input of the page's form with its value, as a browser would post it."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.values[attrs["name"]] = attrs.get("value") or ""


def form_of(response) -> dict[str, str]:
    """What the browser posts when the user saves the grid as shown."""
    parser = _Inputs()
    parser.feed(text_of(response))
    return parser.values


def stored(db) -> dict[tuple[str, str], Decimal]:
    db.expire_all()
    return {(o.project.code, o.indicator_code): o.value for o in db.scalars(
        select(Observation).join(Project).where(Project.code.in_(["GS-1", "GS-2"])))}


def cell_messages(response, name: str) -> list[str]:
    """The messages shown in the grid cell of input ``name``."""
    match = re.search(r'<td class="field[^"]*">\s*<input name="' + re.escape(name)
                      + r'"[^>]*>(.*?)</td>', text_of(response), re.S)
    assert match, f"no cell {name}"
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", m)).split())
            for m in re.findall(r'<small class="error">(.*?)</small>', match.group(1), re.S)]


def test_two_users_changing_different_cells_both_keep_their_change(db, grid):
    alice_form = form_of(grid.alice.get(grid.url))
    bob_form = form_of(grid.bob.get(grid.url))
    assert grid.alice.post(grid.url, data={**alice_form, "GS-1.TAX_LOCAL": "111.00"}) \
        .status_code == 302
    assert grid.bob.post(grid.url, data={**bob_form, "GS-2.TAX_LOCAL": "222.00"}) \
        .status_code == 302
    assert stored(db) == {("GS-1", "TAX_LOCAL"): Decimal("111.00"),
                          ("GS-2", "TAX_LOCAL"): Decimal("222.00")}
    # Bob's save touched only his cell: the audit trail shows no change of Alice's by Bob.
    bob_entries = db.scalars(select(AuditEntry).where(
        AuditEntry.actor_id == grid.bob_user.id, AuditEntry.entity == "observations")).all()
    assert len(bob_entries) == 1
    assert "222" in bob_entries[0].changes and "111" not in bob_entries[0].changes


def test_a_cell_changed_meanwhile_is_a_conflict_showing_both_values_and_typing_is_kept(db, grid):
    alice_form = form_of(grid.alice.get(grid.url))
    bob_form = form_of(grid.bob.get(grid.url))
    grid.alice.post(grid.url, data={**alice_form, "GS-1.TAX_LOCAL": "111.00"})
    refused = grid.bob.post(grid.url, data={**bob_form, "GS-1.TAX_LOCAL": "999.00",
                                            "GS-2.TAX_LOCAL": "222.00",
                                            "GS-2.OUTPUT_VALUE": "5.00"})
    assert refused.status_code == 409
    [message] = cell_messages(refused, "GS-1.TAX_LOCAL")
    assert "111.00" in message and "999.00" in message
    assert cell_messages(refused, "GS-2.TAX_LOCAL") == []
    # Nothing of Bob's submit was saved; Alice's value stands.
    assert stored(db) == {("GS-1", "TAX_LOCAL"): Decimal("111.00"),
                          ("GS-2", "TAX_LOCAL"): Decimal("200.00")}
    again = form_of(refused)
    assert again["GS-1.TAX_LOCAL"] == "999.00"
    assert again["GS-2.TAX_LOCAL"] == "222.00"
    assert again["GS-2.OUTPUT_VALUE"] == "5.00"
    # Saving again, having seen Alice's value, replaces it deliberately.
    assert grid.bob.post(grid.url, data=again).status_code == 302
    assert stored(db) == {("GS-1", "TAX_LOCAL"): Decimal("999.00"),
                          ("GS-2", "TAX_LOCAL"): Decimal("222.00"),
                          ("GS-2", "OUTPUT_VALUE"): Decimal("5.00")}


def test_a_cell_removed_meanwhile_is_a_conflict_too(db, grid):
    alice_form = form_of(grid.alice.get(grid.url))
    bob_form = form_of(grid.bob.get(grid.url))
    assert grid.alice.post(grid.url, data={**alice_form, "GS-2.TAX_LOCAL": ""}).status_code == 302
    refused = grid.bob.post(grid.url, data={**bob_form, "GS-2.TAX_LOCAL": "250.00"})
    assert refused.status_code == 409
    assert any("250.00" in m for m in cell_messages(refused, "GS-2.TAX_LOCAL"))
    assert ("GS-2", "TAX_LOCAL") not in stored(db)


def test_a_grid_of_a_draft_agreement_says_observations_are_for_signed_agreements(db, app, grid):
    draft = make_agreement(db, "GS-DRAFT", ["GS-1"], [half_and_half(first="2026Q1")],
                           activate=False)
    db.commit()
    url = f"/agreements/{draft.id}/quarters/2026Q1/observations"
    for response in (grid.alice.get(url), grid.alice.post(url, data={"GS-1.TAX_LOCAL": "1"})):
        assert response.status_code == 409
        text = text_of(response)
        assert "signed agreements" in text or "已签署" in text
    assert stored(db)[("GS-1", "TAX_LOCAL")] == Decimal("100.00")


def test_an_over_long_reason_is_named_beside_its_field_and_typing_is_kept(db, grid):
    form = form_of(grid.alice.get(grid.url))
    response = grid.alice.post(grid.url, data={**form, "GS-1.TAX_LOCAL": "123.00",
                                               "reason": "x" * 501})
    assert response.status_code == 422
    [message] = errors_beside(response, "reason")
    assert "500" in message
    assert "Reason" in text_of(response) or "原因" in text_of(response)
    assert form_of(response)["GS-1.TAX_LOCAL"] == "123.00"
    assert form_of(response)["reason"] == "x" * 501
    assert stored(db)[("GS-1", "TAX_LOCAL")] == Decimal("100.00")


def test_thousands_separators_are_accepted_and_garbage_is_named_by_project_and_indicator(
        db, grid):
    form = form_of(grid.alice.get(grid.url))
    refused = grid.alice.post(grid.url, data={**form, "GS-1.TAX_LOCAL": "24,442,361.33",
                                              "GS-2.OUTPUT_VALUE": "12,3a"})
    assert refused.status_code == 422
    [message] = cell_messages(refused, "GS-2.OUTPUT_VALUE")
    assert "GS-2" in message and "OUTPUT_VALUE" in message and "12,3a" in message
    assert cell_messages(refused, "GS-1.TAX_LOCAL") == []
    again = form_of(refused)
    assert again["GS-1.TAX_LOCAL"] == "24,442,361.33"
    assert grid.alice.post(grid.url, data={**again, "GS-2.OUTPUT_VALUE": ""}).status_code == 302
    assert stored(db)[("GS-1", "TAX_LOCAL")] == Decimal("24442361.33")



def test_the_api_on_a_draft_agreement_answers_a_problem_not_a_server_error(db, grid):
    draft = make_agreement(db, "GS-DRAFT", ["GS-1"], [half_and_half(first="2026Q1")],
                           activate=False)
    token = token_for(db, grid.alice_user)
    db.commit()
    base = f"/api/v1/agreements/{draft.id}/quarters/2026Q1"
    assert call_api(grid.alice, "GET", f"{base}/statement", token).status_code == 200
    refused = call_api(grid.alice, "POST", f"{base}/submit", token)
    assert refused.status_code == 422
    assert "signed" in problem_of(refused)["errors"][0]["message"]
