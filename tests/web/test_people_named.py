"""Who did something in the sharing cycle is named as a person with their bureau or role, never
as a bare e-mail: "张敏（深圳市财政局）" in Chinese, "张敏 (Shenzhen Finance Bureau)" in English
(the region's English name), on the statement, home, reversal and issued-report pages."""

from __future__ import annotations

import re

import pytest

from app.domain.codes import Role
from app.services.access import users
from app.services.reporting import issuing
from app.web.people import person
from tests.factories import make_fund, make_user
from tests.integration.report_helpers import Q, build_world
from tests.web.helpers import client_of, text_of
from tests.web.test_reversal_pages import Setting, _ask, _decide, _request

YES = {"confirmed": "yes"}


def _named(db, user, name: str):
    """Give a factory user a person's name (factories name users after their e-mail)."""
    user.name = name
    db.commit()
    return user


@pytest.mark.parametrize("locale,expected", [
    ("zh", ["张敏（深圳市财政局）", "李强（审计，广东省）", "王芳（审计）", "陈静（管理员）",
            "周涛（基金管理人，PN-01）", "赵云"]),
    ("en", ["张敏 (Shenzhen Finance Bureau)", "李强 (Auditor, Guangdong)", "王芳 (Auditor)",
            "陈静 (Administrator)", "周涛 (Fund manager, PN-01)", "赵云"]),
])
def test_the_person_filter_names_the_bureau_or_the_role_and_its_scope(app, db, locale,
                                                                       expected):
    fund = make_fund(db, "PN-01")
    people = [
        make_user(db, Role.FINANCE_BUREAU, "440300"), make_user(db, Role.AUDITOR, "440000"),
        make_user(db, Role.AUDITOR), make_user(db, Role.ADMIN),
        make_user(db, Role.FUND_MANAGER, fund.code), make_user(db, Role.AUDITOR)]
    nobody = people[-1]
    for user, name in zip(people, ["张敏", "李强", "王芳", "陈静", "周涛", "赵云"], strict=True):
        user.name = name
    for grant in list(nobody.grants):
        db.delete(grant)
    db.commit()
    language = "zh-CN" if locale == "zh" else "en"
    with app.test_request_context("/", headers={"Accept-Language": language}):
        assert [person(u) for u in people] == expected
        assert person(people[0].id) == expected[0]  # an id works as well as the user
        assert person(None, "cli:reports issue") == "cli:reports issue"
        assert person(999999) == "—"


def test_a_bureau_with_both_a_bureau_and_an_auditor_role_is_named_by_its_bureau(app, db):
    user = make_user(db, Role.AUDITOR)
    users.set_grants(db, user.id, user.version, [
        users.GrantSpec(Role.AUDITOR), users.GrantSpec(Role.FINANCE_BUREAU, "441600")], True)
    user.name = "刘洋"
    db.commit()
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        assert person(user) == "刘洋（河源市财政局）"


def _close_on_the_web(app, db, world) -> None:
    """Heyuan submits, both bureaus confirm (the closing confirmation answered with yes)."""
    base = f"/agreements/{world.agreement.id}/quarters/{Q}"
    dest, src = client_of(app, world.dest_user), client_of(app, world.src_user)
    assert dest.post(f"{base}/submit", data=YES).status_code == 302
    for client, party in ((src, "440300"), (dest, "441600")):
        page = text_of(client.get(f"{base}/"))
        fingerprint = re.search(r'name="party" value="' + party + r'"><input type="hidden" '
                                r'name="fingerprint" value="([0-9a-f]{64})"', page).group(1)
        assert client.post(f"{base}/confirm", data={
            "party": party, "fingerprint": fingerprint, **YES}).status_code == 302


@pytest.mark.parametrize("locale,submitted,confirmed,query", [
    ("en", "Submitted</dt><dd>何静 (Heyuan Finance Bureau) · ",
     "confirmed by 孙立 (Shenzhen Finance Bureau) at ", "王芳 (Auditor)"),
    ("zh", "已提交</dt><dd>何静（河源市财政局） · ",
     "由 孙立（深圳市财政局） 于 ", "王芳（审计）"),
])
def test_the_statement_page_names_who_submitted_confirmed_closed_and_queried(
        app, db, locale, submitted, confirmed, query):
    world = build_world(db, close=False)
    _named(db, world.dest_user, "何静")
    _named(db, world.src_user, "孙立")
    auditor = _named(db, make_user(db, Role.AUDITOR), "王芳")
    _close_on_the_web(app, db, world)
    base = f"/agreements/{world.agreement.id}/quarters/{Q}"
    client_of(app, auditor).post(f"{base}/review", data={"kind": "QUERY", "comment": "为何？"})
    reader = client_of(app, make_user(db, Role.AUDITOR, locale=locale))
    page = text_of(reader.get(f"{base}/"))
    assert submitted in page
    assert confirmed in page
    assert query in page
    assert world.dest_user.email not in page and world.src_user.email not in page
    closed = "by the last confirmation (何静 (Heyuan Finance Bureau))" if locale == "en" else \
        "随最后一方确认关闭（何静（河源市财政局））"
    assert closed in page


def test_home_names_the_submitter_the_auditor_and_who_changed_what(app, db):
    world = build_world(db, close=False)
    _named(db, world.dest_user, "何静")
    auditor = _named(db, make_user(db, Role.AUDITOR), "王芳")
    base = f"/agreements/{world.agreement.id}/quarters/{Q}"
    client_of(app, world.dest_user).post(f"{base}/submit", data=YES)
    client_of(app, auditor).post(f"{base}/review", data={"kind": "QUERY", "comment": "为何？"})
    shenzhen = text_of(client_of(app, world.src_user).get("/"))
    confirm_row = re.search(r'<table id="home-confirm">.*?</table>', shenzhen, re.S).group(0)
    assert "何静 (Heyuan Finance Bureau)" in confirm_row
    queries = re.search(r'<table id="home-queries">.*?</table>', shenzhen, re.S).group(0)
    assert "王芳 (Auditor)" in queries and auditor.email not in queries
    recent = re.search(r'<table id="home-recent">.*?</table>',
                       text_of(client_of(app, make_user(db, Role.ADMIN)).get("/")), re.S).group(0)
    assert "王芳 (Auditor)" in recent and auditor.email not in recent


def test_the_reversal_page_names_who_asked_and_who_decided(app, db):
    setting = Setting(db)
    _named(db, setting.asker, "钱多")
    _named(db, setting.approver, "严谨")
    _ask(app, setting)
    approver = client_of(app, setting.approver)
    _decide(approver, setting, _request(db), "approve", "checked")
    page = text_of(approver.get(setting.page))
    assert "钱多 (Fund manager, FW-1)" in page and "严谨 (Fund manager, FW-1)" in page
    assert setting.asker.email not in page and setting.approver.email not in page


def test_issued_reports_name_the_issuer_with_their_bureau(app, db):
    world = build_world(db)
    _named(db, world.dest_user, "何静")
    bureau = client_of(app, world.dest_user)
    done = bureau.post(f"/reports/statement/RA-1/{Q}/issue", data=YES, follow_redirects=True)
    page = text_of(done)
    assert "by 何静 (Heyuan Finance Bureau)." in page  # the flash
    listed = re.search(r"<tbody>.*?</tbody>", page, re.S).group(0)
    assert "何静 (Heyuan Finance Bureau)" in listed and world.dest_user.email not in listed
    issuing.issue(db, issuing.operator("cli:reports issue"), "fund", world.fund.code, Q)
    db.commit()
    manager = client_of(app, make_user(db, Role.FUND_MANAGER, world.fund.code))
    assert "cli:reports issue" in text_of(manager.get("/reports/?kind=fund"))  # a command
