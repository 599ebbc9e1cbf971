"""A quarter end to end through the web: the destination bureau enters and submits, both
parties confirm from the page they saw, an auditor reads the explanation and raises a query;
outsiders get 404 everywhere."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.domain.codes import QuarterState, Role, SharingMode
from app.models import AgreementQuarter, Observation, Project, Review, User
from tests.factories import make_fund, make_project, make_user
from tests.integration.sharing_factories import (
    DESTINATION,
    SOURCE,
    half_and_half,
    make_agreement,
)
from tests.web.helpers import client_of, errors_beside, text_of

DUAL_LABEL = "仅用于考核，不对外公布"
YES = {"confirmed": "yes"}  # the answer of the confirmation page (test_confirm_steps.py)


@pytest.fixture
def web(db, app):
    """Agreement WEB over WEB-1 and WEB-2 from 2026Q1: TAX_LOCAL split 1:1, OUTPUT_VALUE dual
    counted; bureaus of both parties and a country-wide auditor, each with a signed-in client."""
    class Web:
        pass
    w = Web()
    make_project(db, "WEB-1")
    make_project(db, "WEB-2")
    w.agreement = make_agreement(db, "WEB", ["WEB-1", "WEB-2"], [
        half_and_half(first="2026Q1"),
        half_and_half(indicator="OUTPUT_VALUE", first="2026Q1", mode=SharingMode.DUAL_COUNT)])
    w.dest_user = make_user(db, Role.FINANCE_BUREAU, DESTINATION)
    w.src_user = make_user(db, Role.FINANCE_BUREAU, SOURCE)
    w.auditor_user = make_user(db, Role.AUDITOR)
    db.commit()
    w.dest, w.src, w.auditor = (client_of(app, u) for u in (w.dest_user, w.src_user,
                                                             w.auditor_user))
    w.base = f"/agreements/{w.agreement.id}/quarters/2026Q1"
    return w


GOOD = {"WEB-1.TAX_LOCAL": "1,234,567.89", "WEB-2.TAX_LOCAL": "-0.03",
        "WEB-1.OUTPUT_VALUE": "5432.10", "WEB-2.OUTPUT_VALUE": "100"}


def cell_errors(response, name: str) -> list[str]:
    """The messages shown in the grid cell of input ``name``."""
    match = re.search(r'<td class="field has-error">\s*<input name="' + re.escape(name)
                      + r'"[^>]*>(.*?)</td>', text_of(response), re.S)
    return [html.unescape(m) for m in re.findall(r'<small class="error">(.*?)</small>',
                                                 match.group(1))] if match else []


def confirm_form(response, party: str) -> dict[str, str] | None:
    """The party and fingerprint of the confirm button the page shows for ``party``."""
    match = re.search(r'name="party" value="' + party + r'"><input type="hidden" '
                      r'name="fingerprint" value="([0-9a-f]{64})"', text_of(response))
    return {"party": party, "fingerprint": match.group(1)} if match else None


def observations(db) -> dict:
    """The stored observations of WEB-1 and WEB-2 (other tests may leave rows behind)."""
    db.expire_all()
    return {(o.project.code, o.indicator_code): o.value for o in db.scalars(
        select(Observation).join(Project).where(Project.code.in_(["WEB-1", "WEB-2"])))}


def reviews(db, w) -> list[Review]:
    """The reviews of the agreement's quarters."""
    db.expire_all()
    return db.scalars(select(Review).join(AgreementQuarter).where(
        AgreementQuarter.agreement_id == w.agreement.id)).all()


def quarter_state(db, w):
    db.expire_all()
    return db.scalar(select(AgreementQuarter.state).where(
        AgreementQuarter.agreement_id == w.agreement.id))


@pytest.mark.parametrize(("bad", "message"), [
    ("12,3a", '"12,3a" is not a number'),
    ("0.001", "0.001 is not a whole multiple of 0.01"),
])
def test_a_bad_cell_is_refused_beside_the_cell_and_nothing_is_saved(db, web, bad, message):
    response = web.dest.post(f"{web.base}/observations", data={**GOOD, "WEB-2.TAX_LOCAL": bad})
    assert response.status_code == 422
    assert any(message in m for m in cell_errors(response, "WEB-2.TAX_LOCAL"))
    assert cell_errors(response, "WEB-1.TAX_LOCAL") == []
    assert observations(db) == {}


def test_a_quarter_is_entered_submitted_confirmed_by_both_parties_and_closed_on_the_web(db, web):
    grid = web.dest.get(f"{web.base}/observations")
    assert grid.status_code == 200
    assert all(f'name="{name}"' in text_of(grid) for name in GOOD)
    saved = web.dest.post(f"{web.base}/observations", data=GOOD)
    assert saved.status_code == 302
    assert observations(db) == {
        ("WEB-1", "TAX_LOCAL"): Decimal("1234567.89"), ("WEB-2", "TAX_LOCAL"): Decimal("-0.03"),
        ("WEB-1", "OUTPUT_VALUE"): Decimal("5432.10"), ("WEB-2", "OUTPUT_VALUE"): Decimal(100)}
    assert web.dest.post(f"{web.base}/submit", data=YES).status_code == 302
    assert quarter_state(db, web) is QuarterState.SUBMITTED

    page = web.src.get(f"{web.base}/")
    assert confirm_form(page, DESTINATION) is None  # not the source bureau's to confirm
    assert web.src.post(f"{web.base}/confirm", data=confirm_form(page, SOURCE)).status_code == 302
    assert quarter_state(db, web) is QuarterState.SUBMITTED
    page = web.dest.get(f"{web.base}/")
    assert web.dest.post(f"{web.base}/confirm",
                         data={**confirm_form(page, DESTINATION), **YES}).status_code == 302
    assert quarter_state(db, web) is QuarterState.CLOSED
    closed = text_of(web.dest.get(f"{web.base}/"))
    assert "已关账" in closed or "Closed" in closed
    assert "617,283.95" in closed and "617,283.94" in closed


def test_a_confirmation_of_a_changed_statement_is_refused_on_the_web(db, web):
    web.dest.post(f"{web.base}/observations", data=GOOD)
    web.dest.post(f"{web.base}/submit", data=YES)
    seen = confirm_form(web.src.get(f"{web.base}/"), SOURCE)
    web.dest.post(f"{web.base}/observations", data={**GOOD, "WEB-1.TAX_LOCAL": "7.00",
                                                    "shown:WEB-1.TAX_LOCAL": "1234567.89"})
    web.dest.post(f"{web.base}/submit", data=YES)
    response = web.src.post(f"{web.base}/confirm", data=seen)
    assert response.status_code == 422
    assert "The statement changed since you opened it" in text_of(response)
    assert quarter_state(db, web) is QuarterState.SUBMITTED


def test_an_auditor_reads_the_explanation_and_raises_a_query_shown_on_the_statement(db, web):
    web.dest.post(f"{web.base}/observations", data=GOOD)
    explained = web.auditor.get(f"{web.base}/explain",
                                query_string={"project": "WEB-1", "indicator": "TAX_LOCAL",
                                              "party": SOURCE})
    assert explained.status_code == 200
    assert re.search(r"<strong>617,283\.94</strong>", text_of(explained))
    refused = web.auditor.post(f"{web.base}/review", data={"kind": "QUERY", "comment": ""})
    assert refused.status_code == 422 and reviews(db, web) == []
    raised = web.auditor.post(f"{web.base}/review",
                              data={"kind": "QUERY", "comment": "WEB-2 为何为负？"})
    assert raised.status_code == 302
    for client in (web.dest, web.src, web.auditor):
        page = text_of(client.get(f"{web.base}/"))
        assert "open query" in page and "WEB-2 为何为负？" in page
    assert quarter_state(db, web) is QuarterState.OPEN
    [query] = reviews(db, web)
    answered = web.src.post(f"{web.base}/answer", data={"review_id": str(query.id),
                                                        "answer": "企业退库"})
    assert answered.status_code == 302
    page = text_of(web.auditor.get(f"{web.base}/"))
    assert "open query" not in page and "企业退库" in page
    db.expire_all()
    src_user = db.get(User, query.answered_by_id)
    assert src_user is not None and query.answered_at is not None
    answered_at = query.answered_at.replace(tzinfo=query.answered_at.tzinfo or dt.UTC)
    local = answered_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert (f"answered by {src_user.name} (Shenzhen Finance Bureau) on {local:%Y-%m-%d %H:%M}"
            ) in page


def test_dual_count_sections_are_labelled_assessment_only(db, web):
    web.dest.post(f"{web.base}/observations", data=GOOD)
    page = text_of(web.dest.get(f"{web.base}/"))
    assert page.count(DUAL_LABEL) == 1  # the OUTPUT_VALUE section, not the split TAX_LOCAL one
    section = page[page.index(DUAL_LABEL):]
    assert section.count("5,432.10") >= 2  # every party credited the whole value


def _outsider_requests(app, agreement_id: int, review_id: int):
    """Every agreement and statement page naming the agreement, with each of its methods."""
    values = {"agreement_id": agreement_id, "quarter": "2026Q1", "indicator": "TAX_LOCAL"}
    form = {"party": SOURCE, "fingerprint": "0" * 64, "kind": "REVIEWED", "comment": "x",
            "review_id": str(review_id), "answer": "x", "reason": "x", "version": "1",
            "projects": "WEB-1", "WEB-1.TAX_LOCAL": "1.00", "code": "X", "title": "X"}
    query = {"project": "WEB-1", "indicator": "TAX_LOCAL", "party": SOURCE}
    for rule in app.url_map.iter_rules():
        # The pages; the JSON API (bearer tokens, no session) is another door with its own tests.
        if "agreement_id" not in rule.arguments or rule.endpoint.split(".")[0] not in (
                "agreements", "statements"):
            continue
        path = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield (method, path, query if method == "GET" else None,
                   form if method == "POST" else None)


@pytest.mark.parametrize("outsider", ["fund manager", "bureau of 340100"])
def test_outsiders_get_404_on_every_agreement_and_statement_url(db, app, web, outsider):
    web.dest.post(f"{web.base}/observations", data=GOOD)
    web.auditor.post(f"{web.base}/review", data={"kind": "QUERY", "comment": "?"})
    [review] = reviews(db, web)
    user = make_user(db, Role.FUND_MANAGER, make_fund(db).code) if outsider == "fund manager" \
        else make_user(db, Role.FINANCE_BUREAU, "340100")
    db.commit()
    client = client_of(app, user)
    requests = list(_outsider_requests(app, web.agreement.id, review.id))
    assert len(requests) >= 15
    for method, path, query, form in requests:
        response = client.open(path, method=method, query_string=query, data=form)
        assert response.status_code == 404, (method, path, response.status_code)
    assert f'href="/agreements/{web.agreement.id}"' not in text_of(client.get("/agreements/"))
    assert quarter_state(db, web) is QuarterState.OPEN
    assert [r.answer for r in reviews(db, web)] == [None]


def test_a_query_without_a_comment_comes_back_on_the_statement_page_beside_the_comment(
        db, web):
    web.auditor.post("/language", data={"locale": "zh", "next": "/"})
    refused = web.auditor.post(f"{web.base}/review", data={"kind": "QUERY", "comment": "  "})
    assert refused.status_code == 422 and reviews(db, web) == []
    assert errors_beside(refused, "comment") == ["质询须填写意见"]
    page = text_of(refused)
    assert f'action="{web.base}/review"' in page  # the review form is there to correct
    assert re.search(r'<option selected value="QUERY"|<option value="QUERY" selected', page)
    assert "comment: " not in page  # no bare English field name
