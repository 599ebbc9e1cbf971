"""The interface in the user's language: Chinese for new users, English on request, the choice
made with the header's switch and remembered on the user; anonymous pages follow the browser."""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from app import create_app
from app.domain.codes import Instrument, QuarterState, Role, TransactionType
from app.domain.messages import N_
from app.models import AuditEntry, User
from app.services.access import users
from app.services.funds.investments import type_errors
from app.services.sharing.workflow import _STATE_WORDS
from app.web.common import localized
from tests.factories import PASSWORD, make_fund, make_project, make_user, sign_in
from tests.integration.sharing_factories import half_and_half, make_agreement
from tests.web.helpers import client_of, text_of
from tests.web.test_agreement_pages import RULE, SOURCE, draft
from tests.web.test_i18n import extracted_messages

CATALOGUE = Path(__file__).resolve().parents[2] / "app/translations/zh/LC_MESSAGES/messages.po"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _translations() -> dict[str, str]:
    """English msgid → Chinese, for the messages whose Chinese differs from the English."""
    with CATALOGUE.open("rb") as source:
        catalogue = read_po(source, locale="zh")
    return {m.id: m.string for m in catalogue
            if isinstance(m.id, str) and m.id and m.string and m.string != m.id}


class _Texts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(response) -> list[str]:
    """The text nodes of a page, whitespace collapsed."""
    parser = _Texts()
    parser.feed(text_of(response))
    return parser.texts


@functools.cache
def _shown_in_english() -> frozenset[str]:
    """The msgids of the sources whose Chinese differs from the English (not "TVPI", "PDF")."""
    with CATALOGUE.open("rb") as source:
        same = {m.id for m in read_po(source, locale="zh") if m.string == m.id}
    return frozenset(msgid for _context, msgid in extracted_messages() if msgid not in same)


def untranslated(response) -> list[str]:
    """Text nodes of a page that are a message of the sources left in English."""
    return [text for text in visible_texts(response) if text in _shown_in_english()]


@pytest.fixture
def pages(db):
    """A fund, an agreement with a statement quarter, and the URLs of the key pages."""
    fund = make_fund(db, "I18N-F")
    make_project(db, "I18N-1")
    agreement = make_agreement(db, "I18N", ["I18N-1"], [half_and_half(first="2026Q1")])
    db.commit()
    return {"home": "/", "funds": "/funds/", "fund": f"/funds/{fund.id}",
            "statement": f"/agreements/{agreement.id}/quarters/2026Q1/"}


@pytest.mark.parametrize("page", ["home", "funds", "fund", "statement"])
def test_a_chinese_user_reads_the_key_pages_in_chinese(app, db, pages, page):
    client = client_of(app, make_user(db, Role.AUDITOR, locale="zh"))
    response = client.get(pages[page])
    assert response.status_code == 200
    body = text_of(response)
    assert '<html lang="zh-CN">' in body
    assert "退出登录" in body and "基金" in body  # the header: Sign out, Funds
    assert untranslated(response) == []


@pytest.mark.parametrize("page", ["home", "funds", "fund", "statement"])
def test_an_english_user_reads_the_key_pages_in_english(app, db, pages, page):
    client = client_of(app, make_user(db, Role.AUDITOR, locale="en"))
    response = client.get(pages[page])
    assert response.status_code == 200
    body = text_of(response)
    assert '<html lang="en">' in body
    assert "Sign out" in body and "退出登录" not in body
    chinese = set(_translations().values())
    assert [t for t in visible_texts(response) if t in chinese and t != "中文"] == []


def test_new_users_read_chinese(app, db):
    user = users.create_user(db, "newcomer@example.cn", "新用户", PASSWORD,
                             [users.GrantSpec(Role.AUDITOR)])
    db.commit()
    assert user.locale == "zh"
    client = app.test_client()
    assert sign_in(client, user).status_code == 302
    body = text_of(client.get("/"))
    assert '<html lang="zh-CN">' in body and "退出登录" in body


def test_the_header_switch_saves_the_language_on_the_user_for_the_next_sign_in(app, db):
    user = make_user(db, Role.AUDITOR, locale="zh")
    db.commit()
    client = client_of(app, user)
    page = text_of(client.get("/funds/"))
    assert 'action="/language"' in page and 'name="next" value="/funds/"' in page
    response = client.post("/language", data={"locale": "en", "next": "/funds/?page=2"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/funds/?page=2")
    db.expire_all()
    assert db.scalar(select(User.locale).where(User.id == user.id)) == "en"
    assert "Sign out" in text_of(client.get("/funds/"))
    [entry] = db.scalars(select(AuditEntry).where(
        AuditEntry.entity_id == str(user.id), AuditEntry.action == "UPDATE",
        AuditEntry.changes.contains("locale"))).all()
    assert entry.changed_fields["locale"] == ["zh", "en"]
    # Signed out and in again (even from a browser asking for Chinese): still English.
    client.post("/sign-out")
    again = app.test_client()
    again.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    assert sign_in(again, user).status_code == 302
    assert "Sign out" in text_of(again.get("/"))


def test_the_profile_page_also_sets_the_language(app, db):
    user = make_user(db, Role.AUDITOR, locale="en")
    db.commit()
    client = client_of(app, user)
    assert client.post("/profile", data={"lang-locale": "zh"}).status_code == 302
    assert "退出登录" in text_of(client.get("/profile"))


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "/\t/evil.example"])
def test_the_switch_goes_back_only_to_a_page_of_this_site(app, db, target):
    client = client_of(app, make_user(db, Role.AUDITOR))
    response = client.post("/language", data={"locale": "zh", "next": target})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/"
    assert not urlsplit(response.headers["Location"]).netloc


def test_an_unknown_language_changes_nothing(app, db):
    user = make_user(db, Role.AUDITOR, locale="en")
    db.commit()
    client = client_of(app, user)
    assert client.post("/language", data={"locale": "fr", "next": "/"}).status_code == 302
    db.expire_all()
    assert db.scalar(select(User.locale).where(User.id == user.id)) == "en"


def test_the_sign_in_page_follows_the_browser_and_defaults_to_chinese(app):
    client = app.test_client()
    english = text_of(client.get("/sign-in", headers={"Accept-Language": "en-GB,en;q=0.8"}))
    chinese = text_of(client.get("/sign-in", headers={"Accept-Language": "zh-CN,zh;q=0.9"}))
    neither = text_of(client.get("/sign-in", environ_base={"HTTP_ACCEPT_LANGUAGE": ""}))
    assert "<h1>Sign in</h1>" in english and '<html lang="en">' in english
    assert "<h1>登录</h1>" in chinese and '<html lang="zh-CN">' in chinese
    assert "<h1>登录</h1>" in neither


def test_an_anonymous_visitor_switches_language_for_the_session(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    page = text_of(client.get("/sign-in"))
    assert 'action="/language"' in page and 'value="en"' in page  # the switch is offered
    response = client.post("/language", data={"locale": "en", "next": "/sign-in"})
    assert urlsplit(response.headers["Location"]).path == "/sign-in"
    assert "<h1>Sign in</h1>" in text_of(client.get("/sign-in"))


def test_signing_out_keeps_the_users_language_on_the_sign_in_page(app, db):
    user = make_user(db, Role.AUDITOR, locale="zh")
    db.commit()
    client = client_of(app, user)  # its browser asks for English
    response = client.post("/sign-out", follow_redirects=True)
    assert "<h1>登录</h1>" in text_of(response) and "您已退出登录。" in text_of(response)


def test_coded_values_and_form_validation_follow_the_language(app, db):
    user = make_user(db, Role.AUDITOR, locale="zh")
    db.commit()
    client = client_of(app, user)
    body = text_of(client.post("/profile", data={"pw-current_password": "",
                                                 "pw-new_password": ""}))
    assert "当前密码" in body and CHINESE.search(body)


def test_the_header_switch_carries_a_csrf_token_and_is_refused_without_one(database_url,
                                                                          connection):
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": database_url, "SECRET_KEY": "x"})
    app.extensions["db_sessionmaker"].configure(bind=connection,
                                                join_transaction_mode="create_savepoint")
    client = app.test_client()
    page = text_of(client.get("/sign-in"))
    switch = page[page.index('action="/language"'):]
    token = re.search(r'name="csrf_token" value="([^"]+)"', switch).group(1)
    assert client.post("/language", data={"locale": "zh", "next": "/sign-in"}).status_code == 400
    response = client.post("/language", data={"locale": "zh", "next": "/sign-in",
                                              "csrf_token": token})
    assert response.status_code == 302
    assert "<h1>登录</h1>" in text_of(client.get("/sign-in"))


def test_a_business_rule_refusal_is_shown_in_the_users_language(app, db):
    user = make_user(db, Role.AUDITOR, locale="zh")
    db.commit()
    client = client_of(app, user)
    response = client.post("/profile", data={"pw-current_password": "not my password",
                                             "pw-new_password": "a new passphrase"})
    assert response.status_code == 422
    assert "不是您当前的密码" in text_of(response)
    assert "is not your current password" not in text_of(response)


def test_a_marked_service_message_stays_english_text_for_the_api_and_the_logs():
    message = N_('no fund has the code "%(code)s"', code="HF-9")
    assert message == 'no fund has the code "HF-9"'
    assert message.template == 'no fund has the code "%(code)s"'


def test_a_rule_the_engine_refuses_is_explained_in_chinese(app, db):
    make_project(db, "I18N-R")
    user = make_user(db, Role.FINANCE_BUREAU, "441600", locale="zh")
    db.commit()
    client = client_of(app, user)
    agreement = draft(db, client, code="I18N-AG")
    response = client.post(f"/agreements/{agreement.id}/rules/TAX_LOCAL",
                           data={**RULE, f"t0_w_{SOURCE}": "50"})
    assert response.status_code == 422
    assert "百分比合计为 90，而不是 100" in text_of(response)


def test_a_message_naming_a_state_is_translated_whole(app):
    message = N_("%(quarter)s is %(state)s, not open", quarter="2026Q1",
                 state=_STATE_WORDS[QuarterState.CLOSED])
    assert message == "2026Q1 is closed, not open"
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        assert localized(message) == "2026Q1 当前为“已关账”，不是“填报中”"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert localized(message) == "2026Q1 is closed, not open"


def test_a_coded_value_in_a_refusal_reads_as_its_label_in_chinese(app):
    [message] = type_errors(Instrument.GRANT, TransactionType.REPAYMENT)
    assert message == "a GRANT investment has no REPAYMENT"
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        assert localized(message) == "补助类投资没有“还本”类交易"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert localized(message) == "a GRANT investment has no REPAYMENT"


@pytest.mark.parametrize(("chosen", "expected"), [(None, "zh"), ("en", "en")])
def test_an_admin_adds_users_in_chinese_unless_told_otherwise(app, db, chosen, expected):
    admin = client_of(app, make_user(db, Role.ADMIN))
    form = {"email": "xin.yonghu@example.cn", "name": "新用户", "password": "a long first password",
            "grants-0-role": "AUDITOR"}
    if chosen:
        form["locale"] = chosen
    assert admin.post("/admin/users/new", data=form).status_code == 302
    db.expire_all()
    assert db.scalar(select(User.locale).where(User.email == "xin.yonghu@example.cn")) == expected
