"""The pickers' search endpoints and the code fields they enhance (see app/static/picker.js).

The rows searched here are made by the tests (codes outside GB/T 2260 and GB/T 4754), so the
tests hold whatever reference tables a deployment ships.
"""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from app.domain.codes import Role
from app.models import Fund, IndustryDivision, Region
from app.services.reference import search as lookup
from tests.factories import make_fund, make_user
from tests.web.helpers import client_of, errors_beside, text_of
from tests.web.test_fund_pages import _fund_form


def _regions(db):
    """A made-up province 990000 试点省 with a city and districts, and a region elsewhere whose
    name contains the digits 990 (to rank name matches after code matches)."""
    province = Region(code="990000", name="试点省", name_en="Pilot Province", level="PROVINCE",
                      macro_region="EAST")
    city = Region(code="990100", name="试点市", name_en="Pilot City", level="PREFECTURE",
                  macro_region="EAST", parent=province)
    db.add_all([province, city,
                Region(code="990101", name="桃花源试点区", level="COUNTY", macro_region="EAST",
                       parent=city),
                Region(code="990102", name="城中区", level="COUNTY", macro_region="EAST",
                       parent=city),
                Region(code="980000", name="990号试验区", level="PROVINCE", macro_region="EAST"),
                Region(code="980100", name="城中区", level="PREFECTURE", macro_region="EAST")])
    db.flush()


def _signed_in(app, db):
    user = make_user(db, Role.AUDITOR)
    db.commit()
    return client_of(app, user)


def test_regions_are_found_by_name_with_their_parents_named(app, db):
    _regions(db)
    results = _signed_in(app, db).get("/lookup/regions?q=桃花源试点").get_json()["results"]
    assert results == [{"code": "990101", "name": "桃花源试点区", "detail": "试点省 · 试点市"}]


def test_code_prefix_matches_come_before_names_that_contain_the_text(app, db):
    _regions(db)
    results = _signed_in(app, db).get("/lookup/regions?q=990").get_json()["results"]
    assert [r["code"] for r in results] == ["990000", "990100", "990101", "990102", "980000"]


def test_english_names_match_whatever_their_case(app, db):
    _regions(db)
    results = _signed_in(app, db).get("/lookup/regions?q=pilot%20city").get_json()["results"]
    assert [r["code"] for r in results] == ["990100"]


def test_at_most_twenty_matches_come_back(app, db):
    province = Region(code="970000", name="多镇省", level="PROVINCE", macro_region="WEST")
    db.add_all([province, *[Region(code=f"9701{n:02d}", name=f"多镇{n}", level="PREFECTURE",
                                   macro_region="WEST", parent=province) for n in range(30)]])
    db.flush()
    results = _signed_in(app, db).get("/lookup/regions?q=多镇").get_json()["results"]
    assert len(results) == lookup.LIMIT == 20
    assert results[0]["code"] == "970000"


def test_wildcards_in_the_query_are_plain_characters(app, db):
    client = _signed_in(app, db)
    assert client.get("/lookup/regions?q=%25").get_json()["results"] == []
    assert client.get("/lookup/industries?q=_").get_json()["results"] == []
    assert client.get("/lookup/regions?q=").get_json()["results"] == []


def test_industries_are_found_by_code_prefix_then_name(app, db):
    db.add(IndustryDivision(code="98", section="Z", section_name="虚构门类", name="虚构制造业",
                            name_en="Trial manufacturing"))
    db.flush()
    client = _signed_in(app, db)
    assert client.get("/lookup/industries?q=虚构").get_json()["results"] == [
        {"code": "98", "name": "虚构制造业", "detail": "Z 虚构门类"}]
    assert client.get("/lookup/industries?q=98").get_json()["results"][0]["code"] == "98"
    assert client.get("/lookup/industries?q=36").get_json()["results"][0]["code"] == "36"


def test_the_search_is_for_signed_in_users_only(client):
    for kind in ("regions", "industries"):
        response = client.get(f"/lookup/{kind}?q=河源")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in")


def test_the_fund_form_offers_the_picker_and_shows_the_name_beside_the_code(app, db):
    fund = make_fund(db, sponsor="441600")
    user = make_user(db, Role.FUND_MANAGER, fund.code)
    db.commit()
    page = text_of(client_of(app, user).get(f"/funds/{fund.id}/edit"))
    field = re.search(r'<input[^>]*name="sponsor_region"[^>]*>', page).group(0)
    assert 'data-lookup="/lookup/regions"' in field and 'value="441600"' in field
    name = re.search(r'id="sponsor_region-name">([^<]*)<', page).group(1)
    assert html.unescape(name) == "河源市"
    assert "<option" not in page.split('name="sponsor_region"')[1].split("</span>")[0]


def test_without_the_script_a_code_with_its_name_or_a_unique_name_is_taken(app, db):
    user = make_user(db, Role.ADMIN)
    db.commit()
    client = client_of(app, user)
    assert client.post("/funds/new", data=_fund_form(
        code="PK-1", sponsor_region="441600 河源市")).status_code == 302
    assert client.post("/funds/new", data=_fund_form(
        code="PK-2", sponsor_region="河源市")).status_code == 302
    sponsors = dict(db.execute(select(Fund.code, Region.code).join(Fund.sponsor_region)
                               .where(Fund.code.in_(["PK-1", "PK-2"]))).all())
    assert sponsors == {"PK-1": "441600", "PK-2": "441600"}


def test_a_name_two_regions_bear_is_refused_beside_the_field(app, db):
    _regions(db)
    user = make_user(db, Role.ADMIN)
    db.commit()
    response = client_of(app, user).post("/funds/new", data=_fund_form(
        code="PK-3", sponsor_region="城中区"))
    assert response.status_code == 422
    assert errors_beside(response, "sponsor_region") == ['"城中区" is not a known region code']
    assert db.scalar(select(Fund).where(Fund.code == "PK-3")) is None


def test_the_project_and_agreement_forms_and_the_list_filters_offer_pickers(app, db):
    user = make_user(db, Role.ADMIN)
    db.commit()
    client = client_of(app, user)
    project_form = text_of(client.get("/projects/new"))
    assert re.search(r'name="industry"[^>]*data-lookup="/lookup/industries"|'
                     r'data-lookup="/lookup/industries"[^>]*name="industry"', project_form)
    for name in ("source_region", "destination_region"):
        assert re.search(rf'<input[^>]*data-lookup="/lookup/regions"[^>]*name="{name}"',
                         project_form), name
    agreement_form = text_of(client.get("/agreements/new"))
    assert len(re.findall(r'data-lookup="/lookup/regions"', agreement_form)) == 4
    for url in ("/funds/", "/projects/", "/agreements/", "/observations/"):
        assert 'data-lookup="/lookup/regions"' in text_of(client.get(url)), url
    assert '<script src="/static/picker.js" defer></script>' in project_form
