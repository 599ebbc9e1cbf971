"""Asking once more before what cannot be undone: submitting a quarter, the confirmation that
closes it, reopening it and issuing a report each answer their first POST with a page saying
what will happen (the quarter, the parties, the version); only the POST from that page acts.
The API does not ask."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.domain.codes import QuarterState, Role
from app.models import AgreementQuarter, IssuedReport
from tests.factories import make_project, make_user
from tests.integration.report_helpers import Q, build_world
from tests.integration.sharing_factories import DESTINATION, SOURCE, half_and_half, make_agreement
from tests.web.api_helpers import call_api, token_for
from tests.web.helpers import client_of, text_of

YES = {"confirmed": "yes"}
OBSERVED = {"CF-1.TAX_LOCAL": "100.00", "CF-2.TAX_LOCAL": "50.00"}


@pytest.fixture
def cycle(db, app):
    """Agreement CF over CF-1 and CF-2 from 2026Q1 (TAX_LOCAL 1:1) between 深圳市 (source) and
    河源市 (destination), with a signed-in bureau of each side."""
    class Cycle:
        pass
    c = Cycle()
    make_project(db, "CF-1")
    make_project(db, "CF-2")
    c.agreement = make_agreement(db, "CF", ["CF-1", "CF-2"], [half_and_half(first="2026Q1")])
    c.dest_user = make_user(db, Role.FINANCE_BUREAU, DESTINATION)
    c.src_user = make_user(db, Role.FINANCE_BUREAU, SOURCE)
    c.admin_user = make_user(db, Role.ADMIN)
    db.commit()
    c.dest, c.src, c.admin = (client_of(app, u) for u in (c.dest_user, c.src_user,
                                                         c.admin_user))
    c.base = f"/agreements/{c.agreement.id}/quarters/2026Q1"
    return c


def state(db, c):
    db.expire_all()
    return db.scalar(select(AgreementQuarter.state).where(
        AgreementQuarter.agreement_id == c.agreement.id)) or QuarterState.OPEN


def hidden_fields(response) -> dict[str, str]:
    """The hidden fields of the confirmation page's form (what its button posts)."""
    form = re.search(r'<form method="post"[^>]*class="confirm-actions">(.*?)</form>',
                     text_of(response), re.S).group(1)
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def confirm_fields(response, party: str) -> dict[str, str]:
    match = re.search(r'name="party" value="' + party + r'"><input type="hidden" '
                      r'name="fingerprint" value="([0-9a-f]{64})"', text_of(response))
    return {"party": party, "fingerprint": match.group(1)}


def test_submitting_asks_first_naming_the_quarter_and_the_parties_to_confirm(db, cycle):
    cycle.dest.post(f"{cycle.base}/observations", data={"CF-1.TAX_LOCAL": "100.00"})
    asked = cycle.dest.post(f"{cycle.base}/submit")
    assert asked.status_code == 200
    page = text_of(asked)
    assert "Submit 2026Q1 of CF?" in page
    assert "asks Heyuan and Shenzhen to confirm the statement" in page
    assert "1 observation is still blank: it counts as zero." in page
    assert state(db, cycle) is QuarterState.OPEN  # nothing happened yet
    assert cycle.dest.post(f"{cycle.base}/submit").status_code == 200  # a double click asks again
    assert state(db, cycle) is QuarterState.OPEN
    assert hidden_fields(asked)["confirmed"] == "yes"
    done = cycle.dest.post(f"{cycle.base}/submit", data=hidden_fields(asked))
    assert done.status_code == 302
    assert state(db, cycle) is QuarterState.SUBMITTED


def test_only_the_confirmation_that_closes_the_quarter_asks_and_names_both_parties(db, cycle):
    cycle.dest.post(f"{cycle.base}/observations", data=OBSERVED)
    cycle.dest.post(f"{cycle.base}/submit", data=YES)
    first = confirm_fields(cycle.src.get(f"{cycle.base}/"), SOURCE)
    assert cycle.src.post(f"{cycle.base}/confirm", data=first).status_code == 302  # not last
    assert state(db, cycle) is QuarterState.SUBMITTED
    last = confirm_fields(cycle.dest.get(f"{cycle.base}/"), DESTINATION)
    asked = cycle.dest.post(f"{cycle.base}/confirm", data=last)
    assert asked.status_code == 200
    page = text_of(asked)
    assert "Confirm and close 2026Q1?" in page
    assert ("This closes 2026Q1 for both parties: Heyuan and Shenzhen; the statement is then "
            "frozen.") in page  # the regions' English names in English
    assert state(db, cycle) is QuarterState.SUBMITTED
    fields = hidden_fields(asked)
    assert fields["party"] == DESTINATION and fields["fingerprint"] == last["fingerprint"]
    assert cycle.dest.post(f"{cycle.base}/confirm", data=fields).status_code == 302
    assert state(db, cycle) is QuarterState.CLOSED


def test_the_closing_question_speaks_chinese_to_a_chinese_user(db, app, cycle):
    chinese = client_of(app, make_user(db, Role.FINANCE_BUREAU, DESTINATION, locale="zh"))
    cycle.dest.post(f"{cycle.base}/observations", data=OBSERVED)
    cycle.dest.post(f"{cycle.base}/submit", data=YES)
    cycle.src.post(f"{cycle.base}/confirm",
                   data=confirm_fields(cycle.src.get(f"{cycle.base}/"), SOURCE))
    page = text_of(chinese.post(f"{cycle.base}/confirm", data=confirm_fields(
        chinese.get(f"{cycle.base}/"), DESTINATION)))
    assert "这将为双方关闭 2026Q1：河源市和深圳市；结算单随即冻结。" in page
    assert "确定，确认并关闭 2026Q1" in page and "取消" in page


def test_reopening_asks_first_saying_a_new_statement_will_follow(db, cycle):
    cycle.dest.post(f"{cycle.base}/observations", data=OBSERVED)
    cycle.dest.post(f"{cycle.base}/submit", data=YES)
    cycle.src.post(f"{cycle.base}/confirm",
                   data=confirm_fields(cycle.src.get(f"{cycle.base}/"), SOURCE))
    cycle.dest.post(f"{cycle.base}/confirm", data={
        **confirm_fields(cycle.dest.get(f"{cycle.base}/"), DESTINATION), **YES})
    assert state(db, cycle) is QuarterState.CLOSED
    asked = cycle.admin.post(f"{cycle.base}/reopen", data={"reason": "河源统计局更正了产值"})
    assert asked.status_code == 200
    page = text_of(asked)
    assert "Reopen 2026Q1 of CF?" in page and "for Heyuan and Shenzhen" in page
    assert "A new version of the statement will follow" in page
    assert "Reason: 河源统计局更正了产值" in page
    assert state(db, cycle) is QuarterState.CLOSED
    assert cycle.admin.post(f"{cycle.base}/reopen",
                            data=hidden_fields(asked)).status_code == 302
    assert state(db, cycle) is QuarterState.OPEN


def test_a_reopen_without_a_reason_is_refused_before_any_question(db, cycle):
    response = cycle.admin.post(f"{cycle.base}/reopen", data={"reason": ""})
    assert response.status_code == 422
    assert "Reopen 2026Q1 of CF?" not in text_of(response)


def test_an_outsider_is_not_asked_anything(db, app, cycle):
    outsider = client_of(app, make_user(db, Role.FINANCE_BUREAU, "110000"))
    assert outsider.post(f"{cycle.base}/submit").status_code == 404
    assert outsider.post(f"{cycle.base}/reopen", data={"reason": "x"}).status_code in (403, 404)


def issued_count(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count(IssuedReport.id)))


def test_issuing_asks_first_naming_the_report_its_version_and_that_it_is_final(app, db):
    world = build_world(db)
    db.commit()
    bureau = client_of(app, world.dest_user)
    url = f"/reports/statement/RA-1/{Q}/issue"
    asked = bureau.post(url)
    assert asked.status_code == 200
    page = text_of(asked)
    assert f"Issue Sharing statement RA-1 {Q}, version 1?" in page
    assert "An issued report can never be changed or withdrawn" in page
    assert issued_count(db) == 0
    assert bureau.post(url, data=hidden_fields(asked)).status_code == 302
    assert issued_count(db) == 1
    again = text_of(bureau.post(url, follow_redirects=True))  # nothing changed: refused at once
    assert "nothing changed since version 1" in again and issued_count(db) == 1


def test_the_api_acts_without_being_asked(app, db):
    world = build_world(db)
    db.commit()
    token = token_for(db, world.dest_user)
    response = call_api(app.test_client(), "POST", "/api/v1/reports", token,
                        {"kind": "statement", "code": "RA-1", "quarter": str(Q)})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert issued_count(db) == 1
