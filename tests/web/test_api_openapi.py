"""The OpenAPI document describes every route, and requests generated from it (schemathesis,
with an administrator's real token) never get a 5xx and get answers that match it."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import negative_data_rejection
from sqlalchemy import select

from app.domain.codes import Role
from app.models import Notification
from app.services.notifications.outbox import Event, raise_event
from app.web.api.spec import DECIMAL_INPUT
from tests.factories import make_user
from tests.web.api_helpers import bearer, floats_in, make_holding, token_for

CHECKS = None
"""Every check schemathesis has (server errors, status codes, content types, headers and
bodies against the document, negative data rejected, positive data accepted, invalid
credentials refused …)."""
EXCLUDED = [negative_data_rejection]
"""Not run: every call here carries the administrator's token, so a case generated without the
Authorization header is sent with it and accepted; and the API ignores query parameters it
does not know, by design. Negative cases are still sent and must get no 5xx."""
CONFIG = SchemathesisConfig.from_dict({"checks": {"positive_data_acceptance": {
    # Schema-valid requests the business rules refuse: an id that names nothing (404), a state
    # that forbids the change (409), a rule the schema cannot state (422: a cursor this list
    # never gave out, a date before the entry it reverses …).
    "expected-statuses": ["2xx", "404", "409", "422"]}}})
_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([a-z_]+)>")


def test_the_document_is_public_and_describes_every_route_of_the_api(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    routes = {(_ARGUMENT.sub(r"{\1}", r.rule), m.lower())
              for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")
              for m in r.methods - {"HEAD", "OPTIONS"}}
    described = {(path, method) for path, item in document["paths"].items() for method in item}
    assert described == routes
    schemathesis.openapi.from_dict(document).validate()  # against the OpenAPI 3.1 meta-schema


def test_the_document_declares_bearer_tokens_problems_and_string_decimals(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert document["security"] == [{"bearer": []}]
    assert {"type", "title", "status", "detail"} <= set(
        document["components"]["schemas"]["Problem"]["required"])
    assert "errors" in document["components"]["schemas"]["ValidationProblem"]["required"]
    movement_input = document["components"]["schemas"]["MovementInput"]["properties"]["amount"]
    assert movement_input == {"type": "string", "pattern": DECIMAL_INPUT,
                              "examples": ["1234.50"]}
    post = document["paths"]["/api/v1/funds/{fund_id}/movements"]["post"]
    assert {"201", "400", "401", "404", "409", "422"} <= post["responses"].keys()
    assert document["paths"]["/api/v1/openapi.json"]["get"]["security"] == []
    inbox = document["paths"]["/api/v1/notifications"]["get"]
    assert {p["name"] for p in inbox["parameters"]} == {"show", "kind", "limit", "cursor"}
    assert "/api/v1/notifications/{notification_id}/read" in document["paths"]
    assert "/api/v1/notifications/read-all" in document["paths"]


def test_the_document_describes_the_deadlines_of_every_agreement_quarter(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    deadlines = schemas["Deadlines"]
    assert set(deadlines["required"]) == {"opens", "timely", "lock", "status", "days_left",
                                          "days_overdue", "exception_until"}
    assert deadlines["properties"]["status"]["enum"] == [
        "NOT_OPEN", "OPEN", "LATE", "LOCKED", "SUBMITTED"]
    assert schemas["QuarterState"]["properties"]["deadlines"] == {
        "$ref": "#/components/schemas/Deadlines"}
    assert "`deadlines`" in document["info"]["description"]


@pytest.fixture
def fuzz_data(app, db, request):
    """An administrator's token and the ids of a fund with one of everything."""
    path = getattr(request.node, "callspec", None) and request.node.callspec.params["path"]
    holding = make_holding(db, report="/reports" in (path or ""))  # rendering takes a moment
    admin = make_user(db, Role.ADMIN)
    token = token_for(db, admin, "fuzz")
    raise_event(db, Event("query_answered", "fuzz:1", {"answer": "ok"}, "/"), {admin.id})
    notification_id = db.scalar(select(Notification.id).where(Notification.user_id == admin.id))
    db.commit()
    return token, {**holding.ids, "quarter": "2024Q1", "code": "441602",
                   "notification_id": notification_id}


def _operations() -> list[tuple[str, str]]:
    from app.web.api.openapi import document

    return [(path, method) for path, item in document()["paths"].items() for method in item]


def _towards_real_data(case, ids: dict) -> None:
    """Point about half of the generated ids at rows that exist, so that answers other than 404
    are exercised (and checked against the document) too."""
    for name, value in list((case.path_parameters or {}).items()):
        if name in ids and sum(map(ord, str(value))) % 2 == 0:
            case.path_parameters[name] = ids[name]


def _examples(is_postgres: bool) -> tuple[tuple[GenerationMode, int], ...]:
    """Examples per operation: the CI's acceptance run on PostgreSQL (``make test`` with
    ``TEST_DATABASE_URL``) generates 200; SQLite, the quick local run, 35."""
    if is_postgres:
        return (GenerationMode.POSITIVE, 150), (GenerationMode.NEGATIVE, 50)
    return (GenerationMode.POSITIVE, 25), (GenerationMode.NEGATIVE, 10)


@pytest.mark.parametrize(("path", "method"), _operations())
def test_generated_requests_get_no_5xx_and_answers_that_match_the_document(app, fuzz_data,
                                                                           is_postgres, path,
                                                                           method):
    """All of schemathesis's checks (``checks=None``), as an authenticated administrator."""
    token, ids = fuzz_data
    # The invalid-credentials check sends hundreds of refused tokens: no 429 for it here.
    app.config["API_REFUSALS_PER_MINUTE"] = 10**9
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app,
                                               config=CONFIG)[path][method]
    # (The schemathesis pytest plugin does not run under pytest 9, so hypothesis drives it.)
    for mode, examples in _examples(is_postgres):
        @settings(max_examples=examples, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            _towards_real_data(case, ids)
            response = case.call_and_validate(headers=bearer(token), checks=CHECKS,
                                              excluded_checks=EXCLUDED)
            if response.headers.get("Content-Type", "").startswith("application/json"):
                assert floats_in(response.json()) == []

        try:
            run()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # nothing to get wrong (no parameters)
