"""The messages of the services in the user's language on the web — the import checker's rows,
the list filters, the four-eyes reversal requests, issuing a statement — while the API and the
command line keep reading them in English."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.domain.codes import Role
from app.domain.quarter import Quarter
from app.models import ReversalRequest
from app.web.common import today
from tests.cli.running import run_command
from tests.factories import make_fund, make_user
from tests.integration.report_helpers import Q, build_world
from tests.integration.test_import_support import FUND_HEADER, csv_bytes
from tests.web.api_helpers import call_api, problem_of, token_for
from tests.web.helpers import client_of, errors_beside, form_alerts, text_of
from tests.web.test_reversal_pages import Setting

ROWS = [["WEB-F", "网页基金", "440300", "粤财资本", "INDUSTRIAL", "2024", "12,3a", "", ""],
        ["WEB-G", "旧基金", "440300", "粤财资本", "INDUSTRIAL", "1980", "1000000000", "", ""]]


def _upload(client, data: bytes, name: str = "funds.csv", kind: str = "funds"):
    return client.post("/exchange/preview", data={"kind": kind, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


@pytest.fixture
def managers(app, db):
    """Two managers of fund OWN-F, one reading Chinese, one English."""
    fund = make_fund(db, "OWN-F")
    chinese = make_user(db, Role.FUND_MANAGER, fund.code, locale="zh")
    english = make_user(db, Role.FUND_MANAGER, fund.code, locale="en")
    db.commit()
    return client_of(app, chinese), client_of(app, english)


def test_an_import_preview_names_each_bad_row_and_field_in_chinese(app, runner, managers,
                                                                   tmp_path):
    chinese, english = managers
    data = csv_bytes(FUND_HEADER, ROWS)
    response = _upload(chinese, data)
    assert response.status_code == 422
    page = text_of(response)
    assert "第 2 行，target_size：“12,3a”不是数字" in page  # a cell of the wrong type
    assert "第 3 行，vintage：“1980” 不是 1990 至 2100 之间的年份" in page  # a service's rule
    assert "is not a number" not in page and "row 2" not in page
    assert 'row 2, target_size: &#34;12,3a&#34; is not a number' in text_of(_upload(english, data))
    path = tmp_path / "funds.csv"
    path.write_bytes(data)
    cli = run_command(app, runner, "import", "funds", str(path))
    assert 'row 2, target_size: "12,3a" is not a number' in cli.stderr
    assert 'row 3, vintage: "1980" is not a year between 1990 and 2100' in cli.stderr


def test_an_import_of_rows_out_of_scope_or_without_their_columns_is_refused_in_chinese(
        db, managers):
    chinese, _english = managers
    make_fund(db, "NOT-MINE")
    db.commit()
    commitments = csv_bytes(["fund_code", "investor", "investor_type", "date", "amount"],
                            [["NOT-MINE", "某出资人", "GOVERNMENT", "2024-01-15", "100.00"]])
    refused = text_of(_upload(chinese, commitments, "commitments.csv", "commitments"))
    assert "第 2 行，fund_code：没有您可编辑的、编码为“NOT-MINE”的基金" in refused
    header = text_of(_upload(chinese, csv_bytes(["code", "name", "nickname"], [["X", "Y", "Z"]])))
    assert "第 1 行，“nickname”：不是 funds 的列" in header
    old_excel = _upload(chinese, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "old.xls")
    assert old_excel.status_code == 422
    assert errors_beside(old_excel, "file") == [
        "这是旧格式的 Excel 文件（.xls）：请另存为 .xlsx（Excel 工作簿）或 CSV UTF-8 后重新上传"]


@pytest.fixture
def list_readers(app, db):
    """Two auditors, one reading Chinese, one English."""
    return (client_of(app, make_user(db, Role.AUDITOR, locale="zh")),
            client_of(app, make_user(db, Role.AUDITOR, locale="en")))


def test_a_bad_sort_or_filter_of_a_list_is_explained_in_the_users_language(list_readers):
    chinese, english = list_readers
    sorted_badly = chinese.get("/projects/?sort=enterprise")
    assert sorted_badly.status_code == 422
    assert "sort: “enterprise”不是本列表可排序的列；按默认顺序显示。" in form_alerts(sorted_badly)
    unknown = chinese.get("/observations/?indicator=NOPE")
    assert unknown.status_code == 422
    assert errors_beside(unknown, "indicator") == ["“NOPE”不是已知的指标代码。"]
    english_page = english.get("/projects/?sort=enterprise")
    assert english_page.status_code == 422
    assert any("is not a column this list can be sorted by" in alert
               for alert in form_alerts(english_page))


def test_the_api_answers_a_chinese_reader_in_english(app, client, db):
    fund = make_fund(db, "API-F")
    user = make_user(db, Role.FUND_MANAGER, fund.code, locale="zh")
    token = token_for(db, user)
    db.commit()
    response = client.open(f"/api/v1/funds/{fund.id}/movements?cursor=x", method="GET",
                           headers={"Authorization": f"Bearer {token}",
                                    "Accept-Language": "zh-CN,zh;q=0.9"})
    assert response.status_code == 422
    assert problem_of(response)["errors"] == [
        {"field": "cursor",
         "message": '"x" is not a position this list gave out; start again from the first page'}]
    assert call_api(client, "GET", "/api/v1/observations?cursor=-1", token).get_json(
        force=True)["errors"][0]["message"].startswith('"-1" is not a position this list')


@pytest.fixture
def setting(db):
    return Setting(db)


def _ask_for_reversal(app, setting) -> None:
    """The first manager asks to reverse a call of the reported quarter: a pending request."""
    response = client_of(app, setting.asker).post(
        setting.reverse_url(), data={"reversed_on": "2025-09-20", "note": "录错了金额"})
    assert response.status_code == 302


def _decide(client, setting, db, action: str, note: str = ""):
    """Post the decision form of the fund's one reversal request, at its current version."""
    db.expire_all()
    request = db.scalars(select(ReversalRequest)).one()
    return client.post(setting.page, data={"request_id": str(request.id),
                                           "version": str(request.version), "note": note,
                                           action: "1"})


def test_a_reversal_request_refused_says_why_in_the_users_language(app, db, setting):
    chinese_approver = make_user(db, Role.FUND_MANAGER, "FW-1", locale="zh")
    db.commit()
    _ask_for_reversal(app, setting)
    chinese = client_of(app, chinese_approver)
    no_note = _decide(chinese, setting, db, "reject")
    assert no_note.status_code == 422
    assert form_alerts(no_note) == ["请说明驳回冲销的原因"]
    english = client_of(app, setting.approver)
    assert form_alerts(_decide(english, setting, db, "reject")) == [
        "say why the reversal is rejected"]
    own = _decide(client_of(app, setting.asker), setting, db, "approve")
    assert own.status_code == 422 and "four eyes" in form_alerts(own)[0]
    assert _decide(english, setting, db, "reject", "金额无误").status_code == 302
    twice = _decide(chinese, setting, db, "approve")
    assert twice.status_code == 422
    assert form_alerts(twice)[0].startswith("该申请已于 ")
    assert form_alerts(twice)[0].endswith(f"由 {setting.approver.email} 驳回")


def test_issuing_a_statement_of_an_open_quarter_is_refused_in_the_users_language(app, db):
    world = build_world(db, close=False)
    chinese = client_of(app, make_user(db, Role.FINANCE_BUREAU, "441600", locale="zh"))
    url = f"/reports/statement/RA-1/{Q}/issue"
    refused = text_of(chinese.post(url, follow_redirects=True))
    assert f"{Q} 当前为“填报中”：只有已关账季度的结算单才能签发（可先下载草稿）" in refused
    english = text_of(client_of(app, world.dest_user).post(url, follow_redirects=True))
    assert f"{Q} is open: only a closed quarter&#39;s statement is issued" in english


def test_a_report_of_a_quarter_not_ended_offers_a_draft_and_no_issue_button(app, db):
    world = build_world(db)
    manager = make_user(db, Role.FUND_MANAGER, world.fund.code, locale="en")
    chinese_manager = make_user(db, Role.FUND_MANAGER, world.fund.code, locale="zh")
    db.commit()
    current = Quarter.containing(today())
    client = client_of(app, manager)
    fund_page = text_of(client.get(f"/funds/{world.fund.id}?quarter={current}"))
    assert f"/reports/fund/RF-1/{current}.pdf" in fund_page  # the draft is there
    assert f"/reports/fund/RF-1/{current}/issue" not in fund_page
    assert "Issued after the quarter ends; download a draft meanwhile." in fund_page
    refused = text_of(client.post(f"/reports/fund/RF-1/{current}/issue",
                                  follow_redirects=True))
    assert "has not ended yet" in refused  # the rule the page follows is the service's
    ended = text_of(client.get(f"/funds/{world.fund.id}?quarter={Q}"))
    assert f"/reports/fund/RF-1/{Q}/issue" in ended
    assert "Issued after the quarter ends" not in ended
    chinese = text_of(client_of(app, chinese_manager).get(f"/funds/{world.fund.id}"))
    assert "季度结束后方可签发；在此之前可下载草稿。" in chinese
    assert f"/reports/fund/RF-1/{current}/issue" not in chinese
    bureau = client_of(app, world.dest_user)
    region = text_of(bureau.get(f"/regions/441600?quarter={current}"))
    assert f"/reports/region/441600/{current}/issue" not in region
    assert "Issued after the quarter ends; download a draft meanwhile." in region
    statement = text_of(bureau.get(f"/agreements/{world.agreement.id}/quarters/{Q}/"))
    assert f"/reports/statement/RA-1/{Q}/issue" in statement  # closed: its own rule
    assert "Issued after the quarter ends" not in statement
