"""The displayed project status (``status_shown``) on the project page, the project list and the
API: a PIPELINE project with money disbursed shows IMPLEMENTATION, the record is kept, and the
look-up is one query per page, not one per row."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal

from app.domain.codes import ProjectStatus, Role, TransactionType
from app.models import Project
from app.services.access.scopes import SYSTEM
from app.services.funds import investments
from tests.factories import invest, make_fund, make_project, make_user
from tests.web.api_helpers import call_api, token_for
from tests.web.helpers import client_of, statements_of_get, text_of


def visible(response) -> str:
    """The page's text without tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", text_of(response)).split())

_numbers = itertools.count(1)


def _disburse(db, fund, project, amount="1000000.00"):
    position = invest(db, fund, project)
    return investments.record_transaction(db, SYSTEM, position.id, investments.TransactionData(
        TransactionType.DISBURSEMENT, dt.date(2025, 3, 1), Decimal(amount)))


def _projects(db):
    """SS-PAID (pipeline, disbursed), SS-UNDONE (pipeline, disbursement reversed), SS-WAIT
    (pipeline, only committed), SS-OPER (operating, disbursed)."""
    fund = make_fund(db, "SS-F")
    paid = make_project(db, "SS-PAID", status=ProjectStatus.PIPELINE)
    undone = make_project(db, "SS-UNDONE", status=ProjectStatus.PIPELINE)
    wait = make_project(db, "SS-WAIT", status=ProjectStatus.PIPELINE)
    oper = make_project(db, "SS-OPER", status=ProjectStatus.OPERATING)
    _disburse(db, fund, paid)
    row = _disburse(db, fund, undone)
    investments.reverse_transaction(db, SYSTEM, row.id, dt.date(2025, 3, 2), "typed twice")
    position = invest(db, fund, wait)
    investments.record_transaction(db, SYSTEM, position.id, investments.TransactionData(
        TransactionType.COMMITMENT, dt.date(2025, 3, 1), Decimal("500.00")))
    _disburse(db, fund, oper)
    db.commit()
    return {p.code: p for p in (paid, undone, wait, oper)}


def test_the_project_page_shows_implementation_and_says_what_was_recorded(app, db):
    projects = _projects(db)
    client = client_of(app, make_user(db, Role.ADMIN))
    paid = visible(client.get(f"/projects/{projects['SS-PAID'].id}"))
    assert "Status Implementation (recorded: Pipeline; a disbursement was made)" in paid
    for code in ("SS-UNDONE", "SS-WAIT"):
        page = visible(client.get(f"/projects/{projects[code].id}"))
        assert "Status Pipeline" in page and "recorded:" not in page, code
    assert db.get(Project, projects["SS-PAID"].id).status is ProjectStatus.PIPELINE


def test_the_project_list_shows_the_displayed_status(app, db):
    _projects(db)
    client = client_of(app, make_user(db, Role.ADMIN))
    html = text_of(client.get("/projects/?q=SS-"))
    cells = [" ".join(re.sub(r"<[^>]+>", " ", tr).split())
             for tr in re.findall(r"<tr>(.*?)</tr>", html, re.S)]
    rows = {cell.split()[0]: cell for cell in cells if cell.startswith("SS-")}
    assert set(rows) == {"SS-PAID", "SS-UNDONE", "SS-WAIT", "SS-OPER"}
    assert "Implementation (recorded: Pipeline)" in rows["SS-PAID"]
    assert "Pipeline" in rows["SS-WAIT"] and "recorded" not in rows["SS-WAIT"]
    assert "Pipeline" in rows["SS-UNDONE"] and "recorded" not in rows["SS-UNDONE"]
    assert "Operating" in rows["SS-OPER"] and "recorded" not in rows["SS-OPER"]


def test_the_api_keeps_status_as_recorded_and_adds_status_shown(app, client, db):
    projects = _projects(db)
    token = token_for(db, make_user(db, Role.ADMIN))
    db.commit()
    items = call_api(client, "GET", "/api/v1/projects?limit=100", token).get_json()["items"]
    got = {i["code"]: (i["status"], i["status_shown"]) for i in items if i["code"] in projects}
    assert got == {"SS-PAID": ("PIPELINE", "IMPLEMENTATION"),
                   "SS-UNDONE": ("PIPELINE", "PIPELINE"), "SS-WAIT": ("PIPELINE", "PIPELINE"),
                   "SS-OPER": ("OPERATING", "OPERATING")}
    one = call_api(client, "GET", f"/api/v1/projects/{projects['SS-PAID'].id}", token).get_json()
    assert (one["status"], one["status_shown"]) == ("PIPELINE", "IMPLEMENTATION")


def test_status_shown_costs_one_query_per_page_not_one_per_row(app, db, connection):
    fund = make_fund(db, "SS-Q")
    user = make_user(db, Role.ADMIN)
    token = token_for(db, user)

    def grow(units):
        for _ in range(units):
            n = next(_numbers)
            _disburse(db, fund, make_project(db, f"SQ-{n:03d}", status=ProjectStatus.PIPELINE))
        db.commit()

    client = client_of(app, user)
    headers = {"Authorization": f"Bearer {token}"}
    api = app.test_client()

    def counts():
        client.get("/projects/")
        api.get("/api/v1/projects?limit=50", headers=headers)  # caches warm
        web = statements_of_get(connection, client, "/projects/")
        api.environ_base.update({"HTTP_AUTHORIZATION": headers["Authorization"]})
        return web, statements_of_get(connection, api, "/api/v1/projects?limit=50")

    grow(2)
    small = counts()
    grow(6)
    assert counts() == small
