"""The region page: open to the region's bureau, 404 to everyone else, a bad quarter is a
message, and its chart passes the content security policy."""

from __future__ import annotations

import re
from decimal import Decimal

from app.domain.codes import Role
from tests.factories import make_fund, make_project, make_user
from tests.integration.sharing_factories import DESTINATION, half_and_half, make_agreement, observe
from tests.web.helpers import client_of, text_of


def _agreement(db):
    make_project(db, "RP-1", source="440306", destination="441602", name="<b>项目</b>")
    make_agreement(db, "RP-AG", ["RP-1"], [half_and_half(first="2026Q1")])
    observe(db, "2026Q3", {("RP-1", "TAX_LOCAL"): Decimal("100.01")})


def test_the_bureau_of_heyuan_opens_its_region_page(app, db):
    _agreement(db)
    bureau = make_user(db, Role.FINANCE_BUREAU, DESTINATION)
    db.commit()
    response = client_of(app, bureau).get("/regions/441600?quarter=2026Q3")
    page = text_of(response)
    assert response.status_code == 200
    assert "RP-AG" in page and "50.00" in page and "<svg" in page
    assert "&lt;b&gt;项目&lt;/b&gt;" in page and "<b>项目</b>" not in page
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert " style=" not in svg and "<script" not in svg


def test_the_bureau_of_heyuan_gets_404_for_hefei(app, db):
    bureau = make_user(db, Role.FINANCE_BUREAU, DESTINATION)
    db.commit()
    client = client_of(app, bureau)
    assert client.get("/regions/340100").status_code == 404
    assert client.get("/regions/not-a-region").status_code == 404


def test_a_fund_manager_gets_404(app, db):
    fund = make_fund(db)
    manager = make_user(db, Role.FUND_MANAGER, fund.code)
    db.commit()
    assert client_of(app, manager).get("/regions/441600").status_code == 404


def test_a_bad_quarter_is_a_message_not_an_error(app, db):
    bureau = make_user(db, Role.FINANCE_BUREAU, DESTINATION)
    db.commit()
    response = client_of(app, bureau).get("/regions/441600?quarter=2026Q9")
    assert response.status_code == 200
    assert re.search(r"2026Q9.{0,40}is not a quarter", text_of(response))


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/regions/441600")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_the_nav_links_a_bureau_to_its_region(app, db):
    bureau = make_user(db, Role.FINANCE_BUREAU, DESTINATION)
    db.commit()
    assert 'href="/regions/441600"' in text_of(client_of(app, bureau).get("/agreements/"))


def test_without_a_quarter_the_page_opens_on_the_newest_quarter_with_data(app, db):
    _agreement(db)
    observe(db, "2026Q1", {("RP-1", "TAX_LOCAL"): Decimal("7.00")})
    bureau = make_user(db, Role.FINANCE_BUREAU, DESTINATION)
    db.commit()
    page = text_of(client_of(app, bureau).get("/regions/441600"))
    assert "Received and ceded per indicator, 2026Q3" in page and "50.00" in page
    empty = text_of(client_of(app, bureau).get("/regions/340100"))  # out of scope stays 404
    assert "2026Q3" not in empty
