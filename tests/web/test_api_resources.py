"""Reading through the API: every resource, lists paginated by cursor and filtered, and every
amount an exact decimal string."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import event

from app.domain.codes import Role
from app.domain.fund_metrics import to_json_dict
from app.domain.quarter import Quarter
from app.models import Project
from app.services.access.scopes import SYSTEM
from app.services.funds import metrics
from app.services.sharing import workflow
from tests.factories import add_lp, call, invest, make_fund, make_user
from tests.integration.catalogue_helpers import load_edition
from tests.web.api_helpers import call_api, fields_in_error, floats_in, make_holding, token_for

DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def _admin(db) -> str:
    return token_for(db, make_user(db, Role.ADMIN))


def _get(client, url, token):
    response = call_api(client, "GET", url, token)
    assert response.status_code == 200, (url, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert floats_in(body) == [], url
    return body


def test_every_read_with_real_ids_answers_without_a_single_float(app, client, db):
    holding = make_holding(db, report=True)
    edition = load_edition(db, "441600,PRIORITY,电子信息,电子元器件,39;3216,x,FALSE\n", "api")
    token = _admin(db)
    db.commit()
    values = {**holding.ids, "quarter": "2024Q1", "code": "441602",
              "edition_id": edition.edition_id, "fiscal_year": 2024}
    adapter = app.url_map.bind("localhost")
    read = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("api.get_report_pdf", "api.get_attachment_content"):
            continue  # a PDF or an attached file, not JSON
        if "run_id" in rule.arguments:
            continue  # a run needs four closed quarters: tests/e2e/test_settlement_demo.py
        if rule.endpoint.startswith("api.") and "GET" in rule.methods:
            _get(client, adapter.build(rule.endpoint, {k: values[k] for k in rule.arguments}),
                 token)
            read += 1
    assert read >= 15


def test_lists_continue_after_the_cursor_of_the_previous_page(app, client, db):
    codes = sorted(make_fund(db, code=f"PG-{n}").code for n in range(5))
    token = _admin(db)
    db.commit()
    seen, url = [], "/api/v1/funds?limit=2"
    while url:
        page = _get(client, url, token)
        assert len(page["items"]) <= 2
        seen += [f["code"] for f in page["items"]]
        url = f"/api/v1/funds?limit=2&cursor={page['next_cursor']}" if page["next_cursor"] \
            else None
    assert [c for c in seen if c.startswith("PG-")] == codes


def test_funds_filter_by_sponsor_region_and_refuse_an_unknown_one(app, client, db):
    heyuan = make_fund(db, sponsor="441600")
    shenzhen = make_fund(db, sponsor="440300")
    token = _admin(db)
    db.commit()
    codes = {f["code"] for f in _get(client, "/api/v1/funds?sponsor_region=441600",
                                     token)["items"]}
    assert heyuan.code in codes and shenzhen.code not in codes
    province = {f["code"] for f in _get(client, "/api/v1/funds?sponsor_region=440000",
                                        token)["items"]}
    assert {heyuan.code, shenzhen.code} <= province
    for bad in ("999999", "abc", "4403001"):
        response = call_api(client, "GET", f"/api/v1/funds?sponsor_region={bad}", token)
        assert fields_in_error(response) == {"sponsor_region"}
    assert fields_in_error(call_api(client, "GET", "/api/v1/funds?limit=0", token)) == {"limit"}
    assert fields_in_error(call_api(client, "GET", f"/api/v1/funds/{heyuan.id}/movements"
                                    "?cursor=x", token)) == {"cursor"}


def test_a_fund_shows_its_lps_and_amounts_as_exact_strings(app, client, db):
    holding = make_holding(db)
    add_lp(db, holding.fund, amount="123456789.05", investor="广东省财政厅")
    db.commit()
    fund = _get(client, f"/api/v1/funds/{holding.fund.id}", holding.token)
    assert fund["target_size"] == "1000000000.00"
    assert [(c["investor"], c["amount"]) for c in fund["commitments"]] == [
        ("广东省财政厅", "123456789.05")]


def test_fund_metrics_are_the_services_as_of_the_date_asked(app, client, db):
    holding = make_holding(db)
    add_lp(db, holding.fund, amount="30000000.00")
    db.commit()
    body = _get(client, f"/api/v1/funds/{holding.fund.id}/metrics?as_of=2024-06-30",
                holding.token)
    expected = to_json_dict(metrics.fund_metrics(db, SYSTEM, holding.fund.code,
                                                 dt.date(2024, 6, 30)))
    assert body == {"fund_id": holding.fund.id, "as_of": "2024-06-30", **expected}
    assert body["paid_in"] == "5000000.00" and body["committed"] == "30000000.00"
    assert fields_in_error(call_api(
        client, "GET", f"/api/v1/funds/{holding.fund.id}/metrics?as_of=2024-02-30",
        holding.token)) == {"as_of"}


def test_movements_and_an_investments_ledger_and_valuations(app, client, db):
    holding = make_holding(db)
    db.commit()
    base = f"/api/v1/funds/{holding.fund.id}"
    movements = _get(client, f"{base}/movements?type=CAPITAL_CALL&since=2024-01-01",
                     holding.token)["items"]
    assert [(m["moved_on"], m["amount"]) for m in movements] == [("2024-01-10", "5000000.00")]
    assert _get(client, f"{base}/movements?until=2023-12-31", holding.token)["items"] == []
    investments = _get(client, f"{base}/investments", holding.token)["items"]
    assert [i["id"] for i in investments] == [holding.ids["investment_id"]]
    investment = _get(client, f"/api/v1/investments/{holding.ids['investment_id']}",
                      holding.token)
    assert [(t["type"], t["amount"]) for t in investment["transactions"]] == [
        ("DISBURSEMENT", "1000000.00")]
    assert [(v["as_of_on"], v["value"]) for v in investment["valuations"]] == [
        ("2024-03-31", "1200000.50")]


def test_an_agreement_shows_parties_rules_and_covered_projects(app, client, db):
    holding = make_holding(db)
    token = _admin(db)
    db.commit()
    agreement = _get(client, f"/api/v1/agreements/{holding.ids['agreement_id']}", token)
    assert [(p["region"], p["role"]) for p in agreement["parties"]] == [
        ("441600", "DESTINATION"), ("440300", "SOURCE")]
    rule = agreement["rules"][0]
    assert rule["indicator"] == "TAX_LOCAL" and rule["mode"] == "SPLIT"
    assert rule["tiers"] == [{"first_quarter": "2024Q1", "last_quarter": None,
                              "weights": {"441600": "1.0000", "440300": "1.0000"}}]
    assert [c["project_id"] for c in agreement["covered"]] == [holding.ids["project_id"]]
    codes = [a["code"] for a in _get(client, "/api/v1/agreements?party_region=441600",
                                     token)["items"]]
    assert agreement["code"] in codes


def test_the_statement_is_the_workflows_with_amounts_as_strings(app, client, db):
    holding = make_holding(db)
    token = _admin(db)
    db.commit()
    agreement_id = holding.ids["agreement_id"]
    body = _get(client, f"/api/v1/agreements/{agreement_id}/quarters/2024Q1/statement", token)
    statement, _aq = workflow.statement_for(db, SYSTEM, agreement_id, Quarter(2024, 1))
    assert body["state"] == "OPEN" and body["confirmations"] == []
    assert body["statement"]["fingerprint"] == statement.fingerprint
    row = body["statement"]["rows"][0]
    assert row["value"] == "1000.01"
    assert {p: line["current"] for p, line in row["lines"].items()} == {
        "441600": "500.01", "440300": "500.00"}
    assert all(DECIMAL.match(v) for line in row["lines"].values()
               for v in line.values() if v is not None)
    assert call_api(client, "GET", f"/api/v1/agreements/{agreement_id}/quarters/2024Q5/statement",
                    token).status_code == 404


def test_observations_filter_by_project_indicator_and_quarter(app, client, db):
    holding = make_holding(db)
    db.commit()
    project = _get(client, f"/api/v1/projects/{holding.ids['project_id']}", holding.token)
    query = f"project={project['code']}&indicator=TAX_LOCAL&quarter=2024Q1"
    items = _get(client, f"/api/v1/observations?{query}", holding.token)["items"]
    assert [(o["quarter"], o["value"]) for o in items] == [("2024Q1", "1000.01")]
    assert _get(client, f"/api/v1/observations?project={project['code']}&since=2024Q2",
                holding.token)["items"] == []
    assert fields_in_error(call_api(client, "GET", "/api/v1/observations?quarter=2024Q5",
                                    holding.token)) == {"quarter"}


def test_regions_and_indicators_are_reference_data_for_every_token(app, client, db):
    holding = make_holding(db)
    db.commit()
    region = _get(client, "/api/v1/regions/441602", holding.token)
    assert (region["parent"], region["level"]) == ("441600", "COUNTY")
    below = _get(client, "/api/v1/regions?within=441600&limit=500", holding.token)["items"]
    assert {r["code"][:4] for r in below} == {"4416"}
    assert call_api(client, "GET", "/api/v1/regions/000000", holding.token).status_code == 404
    units = {i["code"]: i["quantum"] for i in _get(client, "/api/v1/indicators", holding.token)}
    assert units["TAX_LOCAL"] == "0.01"


def test_the_audit_trail_filters_by_user_and_pages_back_in_time(app, client, db):
    holding = make_holding(db)
    auditor = make_user(db, Role.AUDITOR)
    token = token_for(db, auditor)
    db.commit()
    call_api(client, "POST", f"/api/v1/funds/{holding.fund.id}/movements", holding.token,
             {"type": "FEE", "moved_on": "2024-04-01", "amount": "10.00"})
    mine = _get(client, f"/api/v1/audit-entries?actor={holding.manager.email}", token)["items"]
    assert [e["entity"] for e in mine] == ["movements"]
    first = _get(client, "/api/v1/audit-entries?limit=3", token)
    second = _get(client, f"/api/v1/audit-entries?limit=3&cursor={first['next_cursor']}", token)
    seqs = [e["seq"] for e in first["items"] + second["items"]]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == 6


def test_funds_projects_and_agreements_are_found_by_code(app, client, db):
    holding = make_holding(db)
    token = _admin(db)
    db.commit()
    project = _get(client, f"/api/v1/projects/{holding.ids['project_id']}", token)["code"]
    for kind, code in (("funds", holding.fund.code), ("projects", project),
                       ("agreements", f"AG-{holding.fund.code}")):
        items = _get(client, f"/api/v1/{kind}?code={code}", token)["items"]
        assert [i["code"] for i in items] == [code], kind
        assert _get(client, f"/api/v1/{kind}?code={code}x", token)["items"] == []


def _queries(connection, client, url, token) -> int:
    statements = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", note)
    try:
        assert call_api(client, "GET", url, token).status_code == 200
    finally:
        event.remove(connection, "before_cursor_execute", note)
    return len(statements)


def test_a_lists_query_count_does_not_grow_with_its_rows(app, client, db, connection):
    token = _admin(db)
    holding = make_holding(db)
    db.commit()
    call_api(client, "GET", "/api/v1/indicators", token)  # the token's first use is noted once
    urls = ["/api/v1/funds", "/api/v1/projects", "/api/v1/agreements", "/api/v1/observations",
            f"/api/v1/funds/{holding.fund.id}/movements", "/api/v1/regions",
            f"/api/v1/funds/{holding.fund.id}/investments", "/api/v1/audit-entries"]
    before = {url: _queries(connection, client, url, token) for url in urls}
    for _ in range(4):
        more = make_holding(db)
        call(db, holding.fund, "10.00", dt.date(2024, 3, 1))
        invest(db, holding.fund, db.get(Project, more.ids["project_id"]))
    db.commit()
    after = {url: _queries(connection, client, url, token) for url in urls}
    assert after == before
