"""The header's search box: funds, projects, agreements, regions and users by code or name,
within the user's scope, grouped by kind with links."""

from __future__ import annotations

import html

import pytest

from app.domain.codes import Role
from tests.factories import make_fund, make_project, make_user
from tests.integration.sharing_factories import make_agreement
from tests.web.helpers import client_of, text_of


@pytest.fixture
def world(db):
    shenzhen = make_fund(db, "SZ-FUND", name="深圳寻找基金", sponsor="440300")
    chengdu = make_fund(db, "CD-FUND", name="成都寻找基金", sponsor="510100")
    project = make_project(db, "FIND-P1", name="河源寻找项目", source="440306",
                           destination="441602")
    agreement = make_agreement(db, "FIND-A1", ["FIND-P1"], [], activate=False)
    user = make_user(db, Role.AUDITOR, email="findme@example.cn")
    user.name = "寻找审计员"
    db.commit()
    return {"shenzhen": shenzhen, "chengdu": chengdu, "project": project,
            "agreement": agreement, "user": user}


def _page(client, q):
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    return html.unescape(text_of(response))


@pytest.mark.parametrize(("q", "expected", "link"), [
    ("SZ-FUND", "SZ-FUND 深圳寻找基金", "/funds/{shenzhen.id}"),
    ("深圳寻找", "SZ-FUND 深圳寻找基金", "/funds/{shenzhen.id}"),
    ("find-p1", "FIND-P1 河源寻找项目", "/projects/{project.id}"),
    ("河源寻找", "FIND-P1 河源寻找项目", "/projects/{project.id}"),
    ("FIND-A1", "FIND-A1 协议 FIND-A1", "/agreements/{agreement.id}"),
    ("协议 FIND", "FIND-A1 协议 FIND-A1", "/agreements/{agreement.id}"),
    ("441602", "441602 源城区", "/regions/441602"),
    ("源城区", "441602 源城区", "/regions/441602"),
    ("findme@", "findme@example.cn 寻找审计员", "/admin/users/{user.id}"),
    ("寻找审计", "findme@example.cn 寻找审计员", "/admin/users/{user.id}"),
])
def test_an_administrator_finds_each_kind_by_code_and_by_name(app, db, world, q, expected, link):
    admin = client_of(app, make_user(db, Role.ADMIN))

    page = _page(admin, q)

    assert expected in page
    assert f'href="{link.format(**world)}"' in page


def test_a_bureau_finds_only_what_it_may_see(app, db, world):
    bureau = client_of(app, make_user(db, Role.FINANCE_BUREAU, "440000"))

    page = _page(bureau, "寻找基金")

    assert "SZ-FUND" in page
    assert "CD-FUND" not in page
    assert "Nothing found in what you may see." in _page(bureau, "CD-FUND")
    assert "findme@example.cn" not in _page(bureau, "findme")  # users: administrators only


def test_an_empty_or_over_long_query_searches_nothing(app, db, world):
    admin = client_of(app, make_user(db, Role.ADMIN))

    assert "Type part of a code or a name to search." in _page(admin, "   ")
    long_page = _page(admin, "深" * 5000)
    assert "Type at most 100 characters to search." in long_page
    assert "深" * 200 not in long_page
    assert "SZ-FUND" not in long_page
