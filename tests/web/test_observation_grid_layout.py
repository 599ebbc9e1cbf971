"""The observation grid as a spreadsheet: values shown with thousands separators at each
indicator's quantum (never the stored "24442361.3300"), earlier quarters only on demand, the
project as each row's header, the keyboard script loaded; the save semantics are
tests/web/test_observation_grid_saves.py's."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from app.domain.codes import Role
from app.web.statements.grid import shown_value
from tests.factories import make_project, make_user
from tests.integration.sharing_factories import DESTINATION, half_and_half, make_agreement, observe
from tests.web.helpers import client_of, text_of
from tests.web.test_observation_grid_saves import form_of


@pytest.fixture
def grid(db, app):
    """Agreement GL over GL-1 (TAX_LOCAL and OUTPUT_VALUE from 2025Q3), a value in 2025Q4 and
    2026Q1; a destination bureau user signed in."""
    make_project(db, "GL-1")
    agreement = make_agreement(db, "GL", ["GL-1"], [
        half_and_half(first="2025Q3"), half_and_half(indicator="OUTPUT_VALUE", first="2025Q3")])
    observe(db, "2025Q4", {("GL-1", "OUTPUT_VALUE"): "1234567.5"})
    observe(db, "2026Q1", {("GL-1", "OUTPUT_VALUE"): "24442361.33"})
    user = make_user(db, Role.FINANCE_BUREAU, DESTINATION, email="grid@example.cn")
    db.commit()
    return client_of(app, user), f"/agreements/{agreement.id}/quarters/2026Q1/observations"


@pytest.mark.parametrize(("value", "quantum", "shown"), [
    (Decimal("24442361.3300"), Decimal("0.01"), "24,442,361.33"),
    (Decimal("-1234.5"), Decimal("0.01"), "-1,234.50"),
    (Decimal("7.0000"), Decimal("1"), "7"),
    (Decimal("0.1234"), Decimal("0.01"), "0.1234"),  # finer than its quantum: never rounded
    (None, Decimal("0.01"), ""),
])
def test_a_value_is_shown_with_separators_at_its_quantum(value, quantum, shown):
    assert shown_value(value, quantum) == shown


def test_the_cell_shows_the_value_as_people_read_it_and_keeps_the_exact_shown_value(grid):
    client, url = grid
    response = client.get(url)
    assert response.status_code == 200
    form = form_of(response)
    assert form["GL-1.OUTPUT_VALUE"] == "24,442,361.33"
    assert Decimal(form["shown:GL-1.OUTPUT_VALUE"]) == Decimal("24442361.33")
    assert form["GL-1.TAX_LOCAL"] == "" and form["shown:GL-1.TAX_LOCAL"] == ""
    assert "24442361.33" not in re.sub(r'<input type="hidden"[^>]*>', "", text_of(response))
    page = text_of(response)
    assert '<th scope="row" class="project">' in page
    assert re.search(r'<script src="/static/grid\.js[^"]*" defer>', page)


def test_saving_the_grid_as_shown_saves_nothing(grid):
    client, url = grid
    response = client.post(url, data=form_of(client.get(url)))
    assert response.status_code == 302


def test_earlier_quarters_only_on_demand(grid):
    client, url = grid
    plain = text_of(client.get(url))
    assert "2025Q4" not in plain and "1,234,567.50" not in plain
    assert f'href="{url}?compare=1"' in plain
    compared = text_of(client.get(url + "?compare=1"))
    assert "2025Q4" in compared and "1,234,567.50" in compared
    assert f'href="{url}"' in compared  # the way back
