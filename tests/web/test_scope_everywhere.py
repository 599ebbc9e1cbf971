"""Scope is enforced on the server for every route: out of scope is 404, whatever id is guessed.

The walks read ``app.url_map``, so a route added later is covered without touching this file; a
route with an id argument the walk does not know makes it fail until the id is added here.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.domain.codes import ReviewKind, Role, TransactionType
from app.domain.quarter import Quarter
from app.models import AuditEntry
from app.services import screening
from app.services.access.scopes import SYSTEM
from app.services.documents import attachments
from app.services.documents.subjects import Target
from app.services.funds import investments
from app.services.reference import catalogue
from app.services.reporting import issuing
from app.services.sharing import workflow
from tests.factories import actor_of, call, invest, make_fund, make_project, make_user
from tests.integration.catalogue_helpers import load_edition
from tests.integration.sharing_factories import half_and_half, make_agreement
from tests.web.helpers import client_of, text_of

ID_ARGUMENTS = frozenset({"fund_id", "project_id", "investment_id", "movement_id",
                          "transaction_id", "user_id", "agreement_id", "report_id", "seq",
                          "review_id", "attachment_id", "result_id"})
OTHER_ARGUMENTS = {"quarter": "2024Q1", "indicator": "TAX_LOCAL",
                   "code": "441600", "kind": "region",
                   "edition_id": 1,  # the same for every holding (editions: reference data)
                   # A settlement run needs four closed quarters, which the holdings do not
                   # have: its routes are walked with an id no holding owns (404 for every
                   # reader), and tests/web/test_settlement_pages.py checks its scope on real runs.
                   "run_id": 1, "difference_id": 1, "year": 2024,
                   # Ids no holding owns: lock exceptions, notifications and parks have scope
                   # tests of their own (test_deadline_pages, test_notification_pages,
                   # test_park_pages); here they must answer 404, never 500, to every reader.
                   "exception_id": 999_999, "notification_id": 999_999, "park_id": 999_999}
# The fund side of the app; the agreement side lets bureaus and auditors write (access.md).
FUND_SIDE = frozenset({"funds", "investments", "projects", "admin"})
# The language switch is public too: a visitor picks the language of the sign-in page.
PUBLIC_ENDPOINTS = frozenset({"auth.sign_in", "auth.set_language", "home.health", "health.ready",
                              "static"})
# Checked on their own below, with empty and complete posts.
OPEN_NEW_FORMS = frozenset({"funds.new", "projects.new"})


@dataclass
class Holding:
    """A fund with one of everything a URL can name, and the ids of those things."""

    fund: object
    manager: object
    ids: dict[str, int]


def _holding(db, sponsor: str = "440300") -> Holding:
    fund = make_fund(db, sponsor=sponsor)
    manager = make_user(db, Role.FUND_MANAGER, fund.code)
    project = make_project(db)
    if catalogue.current_edition(db) is None:  # the project's screening result is an id too
        load_edition(db, "441600,PRIORITY,电气机械,新能源电池,38,,FALSE\n", "scope walk")
    investment = invest(db, fund, project)
    movement = call(db, fund, "5000000.00", dt.date(2024, 1, 10))
    entry = investments.record_transaction(db, SYSTEM, investment.id, investments.TransactionData(
        TransactionType.DISBURSEMENT, dt.date(2024, 2, 1), Decimal("1000000.00")))
    agreement = make_agreement(db, f"AG-{fund.code}", [project.code], [half_and_half()])
    report = issuing.issue(db, SYSTEM, "fund", fund.code, Quarter(2024, 1))
    query = workflow.review(db, actor_of(db, make_user(db, Role.AUDITOR)), agreement.id,
                            Quarter(2024, 1), ReviewKind.QUERY, "where is the report?")
    contract = attachments.attach(db, actor_of(db, manager), Target("investment", investment.id),
                                  attachments.UploadedFile("contract.pdf", b"%PDF-1.4\n%%EOF"),
                                  max_bytes=1 << 20)
    return Holding(fund, manager, {
        "review_id": query.id, "attachment_id": contract.id,
        "fund_id": fund.id, "project_id": project.id, "investment_id": investment.id,
        "movement_id": movement.id, "transaction_id": entry.id, "user_id": manager.id,
        "agreement_id": agreement.id, "report_id": report.id,
        "result_id": screening.result_of(db, project.id).id,
        "seq": db.scalar(select(AuditEntry.seq).where(  # the fund's own audit entry
            AuditEntry.entity == "funds", AuditEntry.entity_id == str(fund.id)).limit(1))})


def _rules(app):
    """Every rule but static files; fails loudly on an argument the walk cannot fill in."""
    # The JSON API answers 401 to a session cookie and has its own walk (test_api_scope.py).
    rules = [r for r in app.url_map.iter_rules()
             if r.endpoint != "static" and not r.endpoint.startswith("api.")]
    for rule in rules:
        unknown = set(rule.arguments) - ID_ARGUMENTS - set(OTHER_ARGUMENTS)
        if unknown:
            pytest.fail(f"{rule.rule} takes {sorted(unknown)}, which the scope walk does not "
                        "know: give each holding one in _holding and add it to ID_ARGUMENTS "
                        "(an id) or OTHER_ARGUMENTS (a fixed value)")
    return rules


def _methods(rule) -> list[str]:
    return sorted(rule.methods & {"GET", "POST"})


def _build(app, rule, values) -> str:
    return app.url_map.bind("localhost").build(rule.endpoint, values)


def _values(rule, ids: dict[str, int]) -> dict:
    return {k: ids[k] if k in ID_ARGUMENTS else OTHER_ARGUMENTS[k] for k in rule.arguments}


def _area(rule) -> str:
    return rule.endpoint.partition(".")[0]


def _id_rules(app):
    return [r for r in _rules(app) if r.arguments & ID_ARGUMENTS]


def _mixes(rule, own: dict[str, int], other: dict[str, int]):
    """Every combination of own and other ids for the rule's ids with at least one other."""
    names = sorted(rule.arguments & ID_ARGUMENTS)
    for picks in itertools.product((own, other), repeat=len(names)):
        if any(p is other for p in picks):
            values = _values(rule, own)
            values.update({name: pick[name] for name, pick in zip(names, picks, strict=True)})
            yield values


def _walk(app, client, rules, values_for) -> list[str]:
    """GET and POST every rule with each set of values; the lines that did not answer 404."""
    wrong = []
    for rule in rules:
        for values in values_for(rule):
            url = _build(app, rule, values)
            for method in _methods(rule):
                status = client.open(url, method=method, data={}).status_code
                if status != 404:
                    wrong.append(f"{method} {url} ({rule.endpoint}) answered {status}")
    return wrong


def test_a_fund_manager_gets_404_for_every_id_of_another_fund_on_every_route(app, db):
    mine, theirs = _holding(db), _holding(db)
    db.commit()
    client = client_of(app, mine.manager)
    with_ids = _id_rules(app)
    wrong = _walk(app, client, with_ids, lambda rule: _mixes(rule, mine.ids, theirs.ids))
    assert wrong == []
    assert set().union(*(r.arguments for r in with_ids)) >= ID_ARGUMENTS  # every id was tried


def test_the_same_urls_with_the_managers_own_ids_open(app, db):
    # Without this control the walk above would pass on URLs that are broken for everybody.
    mine = _holding(db)
    db.commit()
    client = client_of(app, mine.manager)
    for rule in _id_rules(app):
        # Agreements are between bureaus: a fund manager is party to none (access.md).
        if _area(rule) in FUND_SIDE - {"admin"} and "GET" in rule.methods:
            url = _build(app, rule, _values(rule, mine.ids))
            assert client.get(url).status_code == 200, url


def test_a_bureau_sees_its_regions_funds_and_projects_and_nothing_sponsored_elsewhere(app, db):
    bureau = make_user(db, Role.FINANCE_BUREAU, "441600")
    arriving = make_project(db, source="440306", destination="441602")
    elsewhere = make_project(db, source="440306", destination="340102")
    own_fund = make_fund(db, sponsor="441600")
    other_fund = make_fund(db, sponsor="340100")
    db.commit()
    client = client_of(app, bureau)
    assert client.get(f"/projects/{arriving.id}").status_code == 200
    assert client.get(f"/funds/{own_fund.id}").status_code == 200
    assert client.get(f"/funds/{other_fund.id}").status_code == 404
    assert client.get(f"/projects/{elsewhere.id}").status_code == 404
    listing = text_of(client.get("/funds/"))
    assert own_fund.code in listing and other_fund.code not in listing


def _writing_rules(app):
    return [r for r in _rules(app) if _area(r) in FUND_SIDE
            and ("POST" in r.methods or _area(r) == "admin")]


@pytest.mark.parametrize("role,scope", [(Role.AUDITOR, None), (Role.AUDITOR, "440300"),
                                        (Role.FINANCE_BUREAU, "440300")])
def test_readers_get_404_on_every_page_that_changes_data_and_on_admin(app, db, role, scope):
    holding = _holding(db, sponsor="440300")  # in the reader's scope: they may read, not write
    reader = make_user(db, role, scope)
    db.commit()
    client = client_of(app, reader)
    assert client.get(f"/funds/{holding.fund.id}").status_code == 200
    rules = [r for r in _writing_rules(app) if r.endpoint not in OPEN_NEW_FORMS]
    assert _walk(app, client, rules, lambda rule: [_values(rule, holding.ids)]) == []


@pytest.mark.parametrize("role,scope", [(Role.AUDITOR, None), (Role.FINANCE_BUREAU, "440300")])
def test_readers_get_404_on_the_new_fund_and_new_project_forms(app, db, role, scope):
    reader = make_user(db, role, scope)
    db.commit()
    client = client_of(app, reader)
    answers = {(m, url): client.open(url, method=m, data={}).status_code
               for url in ("/funds/new", "/projects/new") for m in ("GET", "POST")}
    assert set(answers.values()) == {404}, answers


def test_a_bureau_posting_a_complete_fund_form_gets_404_and_nothing_is_written(app, db):
    from app.models import Fund
    bureau = make_user(db, Role.FINANCE_BUREAU, "440300")
    db.commit()
    client = client_of(app, bureau)
    response = client.post("/funds/new", data={
        "code": "BUREAU-1", "name": "不该有的基金", "sponsor_region": "440300", "manager": "x",
        "fund_class": "INDUSTRIAL", "vintage": "2024", "target_size": "1000",
        "status": "INVESTING"})
    assert response.status_code == 404
    assert db.scalar(select(Fund.id).where(Fund.code == "BUREAU-1")) is None


@pytest.mark.parametrize("url", ["/admin/users", "/admin/users/new", "/audit/", "/audit/verify"])
def test_a_fund_manager_gets_404_on_administration_and_the_audit_trail(app, db, url):
    holding = _holding(db)
    db.commit()
    assert client_of(app, holding.manager).get(url).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_non_public_route(app, db):
    holding = _holding(db)
    db.commit()
    client = app.test_client()
    wrong = []
    for rule in _rules(app):
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = _build(app, rule, _values(rule, holding.ids))
        for method in _methods(rule):
            response = client.open(url, method=method, data={})
            where = urlsplit(response.headers.get("Location", "")).path
            if response.status_code != 302 or where != "/sign-in":
                wrong.append(f"{method} {url} answered {response.status_code} → {where!r}")
    assert wrong == []


def test_the_public_routes_answer_an_anonymous_visitor(client):
    assert client.get("/sign-in").status_code == 200
    assert client.get("/health").get_json() == {"status": "ok"}
    assert client.get("/static/app.css").status_code == 200


def _denied_paths(db) -> list[str]:
    db.expire_all()
    return [e.changed_fields.get("path") for e in db.scalars(
        select(AuditEntry).where(AuditEntry.action == "ACCESS_DENIED").order_by(AuditEntry.seq))]


def _ask_for_mixes(app, client, mine, theirs, *, mixed: bool) -> list[str]:
    """GET every id route with other-fund ids (``mixed``: with at least one own id too)."""
    asked = []
    for rule in _id_rules(app):
        method = "GET" if "GET" in rule.methods else "POST"
        for values in _mixes(rule, mine.ids, theirs.ids):
            if mixed == all(values[k] == theirs.ids[k] for k in rule.arguments & ID_ARGUMENTS):
                continue
            url = _build(app, rule, values)
            assert client.open(url, method=method, data={}).status_code == 404, url
            asked.append(url)
    return asked


def test_every_request_for_another_funds_ids_is_logged_as_an_access_denial(app, db):
    mine, theirs = _holding(db), _holding(db)
    db.commit()
    asked = _ask_for_mixes(app, client_of(app, mine.manager), mine, theirs, mixed=False)
    assert _denied_paths(db) == asked
    assert len(asked) >= 10


def test_another_funds_entry_under_ones_own_fund_is_logged_as_an_access_denial(app, db):
    mine, theirs = _holding(db), _holding(db)
    db.commit()
    asked = _ask_for_mixes(app, client_of(app, mine.manager), mine, theirs, mixed=True)
    assert "/funds/{}/movements/{}/reverse".format(
        mine.ids["fund_id"], theirs.ids["movement_id"]) in asked
    assert _denied_paths(db) == asked
