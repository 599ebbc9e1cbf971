"""Helpers of the API tests: tokens, authenticated calls, a fund with one of everything."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

from app.domain.codes import ReviewKind, Role, TransactionType
from app.domain.quarter import Quarter
from app.services.access import tokens
from app.services.access.scopes import SYSTEM
from app.services.documents import attachments
from app.services.documents.subjects import Target
from app.services.funds import investments
from app.services.parks import membership
from app.services.reporting import issuing
from app.services.sharing import workflow
from tests.factories import actor_of, call, invest, make_fund, make_project, make_user
from tests.integration.parks_helpers import make_park
from tests.integration.sharing_factories import half_and_half, make_agreement, observe


def token_for(db, user, name: str = "tests") -> str:
    """The secret of a new token of ``user``."""
    return tokens.create_token(db, user.id, name).secret


def bearer(token: str) -> dict:
    """The Authorization header of a token."""
    return {"Authorization": f"Bearer {token}"}


def call_api(client, method: str, url: str, token: str | None, body=None, raw: str | None = None):
    """Call the API with a token (None: without one) and a JSON body (or a raw one)."""
    headers = bearer(token) if token else {}
    data = raw if raw is not None else (None if body is None else json.dumps(body))
    return client.open(url, method=method, headers=headers, data=data,
                       content_type="application/json")


def floats_in(value, path: str = "$") -> list[str]:
    """Where a JSON document holds a float (money must never travel as one)."""
    if isinstance(value, float):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in floats_in(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in floats_in(v, f"{path}[{i}]")]
    return []


def problem_of(response) -> dict:
    """The problem document of an error response (and check it is one)."""
    assert response.mimetype == "application/problem+json", response.get_data(as_text=True)
    body = response.get_json(force=True)
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == response.status_code
    return body


def fields_in_error(response) -> set[str]:
    """The fields a 422 problem names."""
    assert response.status_code == 422, response.get_data(as_text=True)
    return {e["field"] for e in problem_of(response)["errors"]}


@dataclass
class Holding:
    """A fund with a manager (and their token), a project, an investment with a transaction, a
    movement and an agreement covering the project with an observation."""

    fund: object
    manager: object
    token: str
    ids: dict[str, int]


def make_holding(db, sponsor: str = "440300", destination: str = "441602", *,
                 report: bool = False) -> Holding:
    """A holding built through the services, as users build it (with an issued fund report of
    2024Q1 if asked: rendering one takes a moment)."""
    fund = make_fund(db, sponsor=sponsor)
    manager = make_user(db, Role.FUND_MANAGER, fund.code)
    project = make_project(db, destination=destination)
    investment = invest(db, fund, project)
    movement = call(db, fund, "5000000.00", dt.date(2024, 1, 10))
    entry = investments.record_transaction(db, SYSTEM, investment.id, investments.TransactionData(
        TransactionType.DISBURSEMENT, dt.date(2024, 2, 1), Decimal("1000000.00")))
    investments.record_valuation(db, SYSTEM, investment.id, dt.date(2024, 3, 31),
                                 Decimal("1200000.50"))
    agreement = make_agreement(db, f"AG-{fund.code}", [project.code], [half_and_half()])
    observe(db, "2024Q1", {(project.code, "TAX_LOCAL"): "1000.01"})
    park = make_park(db, f"PK-{fund.code}", host=destination, partners=((sponsor, "SOURCE"),))
    membership.set_membership(db, SYSTEM, project.id, park.code, dt.date(2024, 1, 1))
    auditor = make_user(db, Role.AUDITOR)
    query = workflow.review(db, actor_of(db, auditor), agreement.id, Quarter(2024, 1),
                            ReviewKind.QUERY, "where is the original report?")
    contract = attachments.attach(db, actor_of(db, manager), Target("investment", investment.id),
                                  attachments.UploadedFile("contract.pdf", b"%PDF-1.4\n%%EOF"),
                                  max_bytes=1 << 20)
    ids = {"fund_id": fund.id, "project_id": project.id, "investment_id": investment.id,
           "movement_id": movement.id, "transaction_id": entry.id, "agreement_id": agreement.id,
           "review_id": query.id, "attachment_id": contract.id, "park_id": park.id}
    if report:
        ids["report_id"] = issuing.issue(db, SYSTEM, "fund", fund.code, Quarter(2024, 1)).id
    return Holding(fund, manager, token_for(db, manager), ids)
