"""One language at a time, local times: the words a bureau reads all day (issue 16)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from app.domain.codes import Role
from app.models import IssuedReport
from tests.factories import make_user
from tests.integration.report_helpers import Q, build_world
from tests.web.helpers import client_of, text_of


@pytest.mark.parametrize("locale,kind,other", [
    ("zh", "已签发：指标分享结算单 RA-1", "Sharing statement"),
    ("en", "Issued: Sharing statement RA-1", "分享结算单"),
])
def test_the_issued_flash_speaks_one_language_in_local_time(app, db, locale, kind, other):
    world = build_world(db)
    user = make_user(db, Role.FINANCE_BUREAU, "441600", locale=locale)
    db.commit()
    client = client_of(app, user)
    page = text_of(client.post(f"/reports/statement/RA-1/{Q}/issue",
                                   data={"confirmed": "yes"}, follow_redirects=True))
    assert kind in page and other not in page
    db.expire_all()
    issued = db.query(IssuedReport).one().issued_at
    if issued.tzinfo is None:
        issued = issued.replace(tzinfo=dt.UTC)
    local = issued.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert local in page and " UTC" not in page
    assert world


def test_the_localtime_filter_prints_the_time_zone_setting(app):
    from app.web.common import local_time
    moment = dt.datetime(2026, 10, 8, 1, 12, tzinfo=dt.UTC)
    with app.app_context():
        assert local_time(moment) == "2026-10-08 09:12"
        assert local_time(moment.replace(tzinfo=None)) == "2026-10-08 09:12"
        assert local_time(None) == "—"
        app.config["TIME_ZONE"] = "Europe/Paris"
        assert local_time(moment) == "2026-10-08 03:12"


@pytest.mark.parametrize("locale,name,symbol", [
    ("zh", "吨标准煤", "tce"), ("en", "tce", "吨标准煤")])
def test_the_region_chart_names_a_unit_as_the_tables_do(app, db, locale, name, symbol):
    from tests.factories import make_project
    from tests.integration.sharing_factories import (
        DESTINATION,
        half_and_half,
        make_agreement,
        observe,
    )
    make_project(db, "RP-1", source="440306", destination="441602")
    make_agreement(db, "RP-AG", ["RP-1"], [half_and_half(indicator="ENERGY", first="2026Q1")])
    observe(db, "2026Q3", {("RP-1", "ENERGY"): Decimal("100.01")})
    bureau = make_user(db, Role.FINANCE_BUREAU, DESTINATION, locale=locale)
    db.commit()
    page = text_of(client_of(app, bureau).get("/regions/441600?quarter=2026Q3"))
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert name in svg and symbol not in svg
    if locale == "zh":
        assert "单位：tce" not in page


@pytest.mark.parametrize("locale,entered", [("zh", "录入数值"), ("en", "value entered")])
def test_the_explanations_history_shows_local_times_and_words(app, db, locale, entered):
    import re

    from app.models import AuditEntry
    from tests.web.test_statement_workflow_pages import GOOD, SOURCE, web
    w = web.__wrapped__(db, app) if hasattr(web, "__wrapped__") else None
    assert w is not None
    w.dest.post(f"{w.base}/observations", data=GOOD)
    reader = client_of(app, make_user(db, Role.AUDITOR, locale=locale))
    db.commit()
    page = text_of(reader.get(f"{w.base}/explain", query_string={
        "project": "WEB-1", "indicator": "TAX_LOCAL", "party": SOURCE}))
    history = page[page.rindex("<table"):]
    assert entered in history and "INSERT" not in history
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", history)
    at = db.query(AuditEntry).filter(AuditEntry.entity == "observations").first().at
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    assert at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S") in history


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_the_explanation_names_the_indicator_and_the_parties(app, db, locale):
    from app.models import IndicatorDefinition, Region
    from tests.web.test_statement_workflow_pages import GOOD, SOURCE, web
    w = web.__wrapped__(db, app)
    w.dest.post(f"{w.base}/observations", data=GOOD)
    reader = client_of(app, make_user(db, Role.AUDITOR, locale=locale))
    db.commit()
    page = text_of(reader.get(f"{w.base}/explain", query_string={
        "project": "WEB-1", "indicator": "TAX_LOCAL", "party": SOURCE}))
    facts = page[page.index('<dl class="facts">'):page.index("</dl>")]
    steps = page[page.index('<ol class="steps">'):page.index("</ol>")]
    indicator = db.get(IndicatorDefinition, "TAX_LOCAL")
    source = db.query(Region).filter(Region.code == SOURCE).one()
    want = (lambda o: o.name) if locale == "zh" else (lambda o: o.name_en or o.name)
    assert want(indicator) in facts and "TAX_LOCAL" not in facts
    assert f"{want(source)} = " in steps and f"{SOURCE} = " not in steps


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_rule_words_name_the_parties_in_the_users_language(app, db, locale):
    from app.models import Region
    from tests.web.test_statement_workflow_pages import GOOD, SOURCE, web
    w = web.__wrapped__(db, app)
    w.dest.post(f"{w.base}/observations", data=GOOD)
    reader = client_of(app, make_user(db, Role.AUDITOR, locale=locale))
    db.commit()
    source = db.query(Region).filter(Region.code == SOURCE).one()
    assert source.name_en and source.name_en != source.name
    wanted, unwanted = ((source.name, source.name_en) if locale == "zh"
                        else (source.name_en, source.name))
    explained = text_of(reader.get(f"{w.base}/explain", query_string={
        "project": "WEB-1", "indicator": "TAX_LOCAL", "party": SOURCE}))
    rule = explained[explained.index("<dl"):explained.index("</dl>")]
    assert wanted in rule and unwanted not in rule
    agreement = text_of(reader.get(f"/agreements/{w.agreement.id}"))
    assert wanted in agreement
    if locale == "en":
        assert "元" not in rule


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_statement_headings_name_the_indicator_without_its_code(app, db, locale):
    from tests.web.test_statement_workflow_pages import GOOD, web
    w = web.__wrapped__(db, app)
    w.dest.post(f"{w.base}/observations", data=GOOD)
    reader = client_of(app, make_user(db, Role.AUDITOR, locale=locale))
    db.commit()
    page = text_of(reader.get(f"{w.base}/"))
    headings = [h for h in page.split("<h2>")[1:] if "</small>" in h.split("</h2>")[0]]
    assert headings
    for heading in headings:
        assert "TAX_LOCAL" not in heading.split("</h2>")[0]
        assert "OUTPUT_VALUE" not in heading.split("</h2>")[0]
