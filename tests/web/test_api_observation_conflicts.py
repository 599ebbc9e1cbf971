"""PUT /observations with the value each cell replaces: two clients that read the same values
never silently undo each other's writes; a mismatch is a 409 naming the observation and both
values, and writes nothing."""

from __future__ import annotations

from app.domain.codes import Role
from tests.factories import make_project, make_user
from tests.integration.sharing_factories import DESTINATION, half_and_half, make_agreement, observe
from tests.web.api_helpers import call_api, problem_of, token_for

URL = "/api/v1/observations/2026Q3"


def _setup(db):
    make_project(db, "AC-1")
    make_project(db, "AC-2")
    agreement = make_agreement(db, "AC", ["AC-1", "AC-2"], [half_and_half(first="2026Q1")])
    observe(db, "2026Q3", {("AC-1", "TAX_LOCAL"): "100.00"})
    tokens = [token_for(db, make_user(db, Role.FINANCE_BUREAU, DESTINATION)) for _ in range(2)]
    db.commit()
    return agreement, tokens


def _values(client, token) -> dict[str, str]:
    items = call_api(client, "GET", "/api/v1/observations?quarter=2026Q3&indicator=TAX_LOCAL",
                     token).get_json()["items"]
    return {o["project"]: o["value"] for o in items if o["project"].startswith("AC-")}


def _cell(project, value, expected, **more):
    return {"project": project, "indicator": "TAX_LOCAL", "value": value, "expected": expected,
            **more}


def test_a_cell_changed_since_it_was_read_is_a_409_naming_it_and_both_values(app, db):
    _agreement, (a, b) = _setup(db)
    first, second = app.test_client(), app.test_client()
    seen = _values(first, a)
    assert seen == {"AC-1": "100.00"}
    done = call_api(first, "PUT", URL, a, {"cells": [_cell("AC-1", "111.00", "100.00")]})
    assert done.status_code == 200, done.get_data(as_text=True)
    # The second client read before the first wrote: its AC-1 expectation is stale.
    refused = call_api(second, "PUT", URL, b, {"cells": [
        _cell("AC-2", "5.00", None), _cell("AC-1", "999.00", seen["AC-1"])]})
    assert refused.status_code == 409
    problem = problem_of(refused)
    assert problem["type"] == "/api/v1/problems/conflict"
    assert "AC-1.TAX_LOCAL" in problem["detail"] and '"111.00"' in problem["detail"]
    assert problem["conflicts"] == [{
        "field": "cells.1", "observation": "AC-1.TAX_LOCAL", "project": "AC-1",
        "indicator": "TAX_LOCAL", "quarter": "2026Q3", "current": "111.00",
        "expected": "100.00", "value": "999.00"}]
    assert _values(first, a) == {"AC-1": "111.00"}  # and AC-2 was not written either


def test_expected_null_means_no_value_yet_and_matching_expectations_are_written(app, db):
    _agreement, (a, b) = _setup(db)
    client = app.test_client()
    assert call_api(client, "PUT", URL, a, {"cells": [_cell("AC-2", "7.00", None)]}) \
        .status_code == 200
    late = call_api(client, "PUT", URL, b, {"cells": [_cell("AC-2", "8.00", None)]})
    assert late.status_code == 409
    assert problem_of(late)["conflicts"][0]["current"] == "7.00"
    # Removing a value is checked the same way; the same value twice is no conflict.
    assert call_api(client, "PUT", URL, b, {"cells": [_cell("AC-2", None, "7.00")]}) \
        .status_code == 200
    assert call_api(client, "PUT", URL, a, {"cells": [_cell("AC-2", None, "7.00")]}) \
        .get_json() == {"quarter": "2026Q3", "changed": 0}
    assert _values(client, a) == {"AC-1": "100.00"}


def test_a_cell_without_expected_replaces_whatever_is_stored_as_before(app, db):
    _agreement, (a, _b) = _setup(db)
    client = app.test_client()
    response = call_api(client, "PUT", URL, a, {"cells": [
        {"project": "AC-1", "indicator": "TAX_LOCAL", "value": "123.00"}]})
    assert response.get_json() == {"quarter": "2026Q3", "changed": 1}
    assert _values(client, a) == {"AC-1": "123.00"}


def test_the_openapi_document_declares_expected_and_the_conflicts(app, client, db):
    document = client.get("/api/v1/openapi.json").get_json()
    cell = document["components"]["schemas"]["ObservationGrid"]["properties"]["cells"]["items"]
    assert cell["properties"]["expected"]["type"] == ["string", "null"]
    assert "expected" not in cell["required"]
    assert "conflicts" in document["components"]["schemas"]["Problem"]["properties"]
