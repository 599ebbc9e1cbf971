"""The park pages: the register's list (scope, filters, export), registering and editing a park
(cycle order, version conflicts), a park's page with its projects, investment, indicators and
shares, and a project's park (refused outside the park's host)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from app.domain.codes import Instrument, Role, TransactionType
from app.models import Park, ParkMembership
from app.services.access.scopes import SYSTEM
from app.services.funds import investments
from app.services.parks import membership
from app.services.sharing import agreements, coverage
from tests.factories import make_fund, make_project, make_user
from tests.integration.parks_helpers import make_park
from tests.integration.sharing_factories import half_and_half, make_agreement, observe
from tests.web.helpers import client_of, count, errors_beside, form_alerts, text_of


def _form(**overrides) -> dict[str, str]:
    form = {"code": "WEB-ZONE", "name": "网页示范区", "park_type": "NATIONAL_ZONE",
            "host_region": "441600", "approving_document": "发改地区〔2023〕729号",
            "approved_on": "2023-11-01", "cycle_start": "2024-01-01", "cycle_end": "2028-12-31",
            "planned_area": "12,000.50", "partner0_region": "440300", "partner0_role": "SOURCE",
            "partner1_role": "SOURCE", "partner2_role": "SOURCE", "partner3_role": "SOURCE",
            "industry0": "3670", "industry1": "38"}
    form.update(overrides)
    return form


def test_an_administrator_registers_a_park_with_partners_area_and_industries(app, db):
    client = client_of(app, make_user(db, Role.ADMIN))
    response = client.post("/parks/new", data=_form())
    assert response.status_code == 302, text_of(response)
    park = db.query(Park).filter_by(code="WEB-ZONE").one()
    assert park.planned_area == Decimal("12000.50")
    assert [(p.region.code, p.role.value) for p in park.partners] == [("440300", "SOURCE")]
    assert sorted(i.industry_code for i in park.industries) == ["3670", "38"]
    page = text_of(client.get(f"/parks/{park.id}"))
    assert "网页示范区" in page and "12,000.5" in page and "发改地区〔2023〕729号" in page


def test_a_cycle_ending_before_it_starts_is_refused_beside_the_end(app, db):
    client = client_of(app, make_user(db, Role.ADMIN))
    response = client.post("/parks/new", data=_form(cycle_end="2023-12-31"))
    assert response.status_code == 422
    assert errors_beside(response, "cycle_end") == [
        "the cycle must end after it starts (2024-01-01)"]
    assert count(db, Park) == 0


def test_an_unknown_leading_industry_is_refused_beside_the_industries(app, db):
    client = client_of(app, make_user(db, Role.ADMIN))
    response = client.post("/parks/new", data=_form(industry1="9999"))
    assert response.status_code == 422
    assert any("9999" in e for e in errors_beside(response, "industry0")
               + errors_beside(response, "industry1")) or "9999" in text_of(response)
    assert count(db, Park) == 0


def test_two_editors_of_one_park_conflict_visibly(app, db):
    park = make_park(db, "HY-ZONE")
    read = str(park.version)  # both editors opened the form at this version
    client = client_of(app, make_user(db, Role.ADMIN))
    first = _form(code="HY-ZONE", name="第一次", version=read)
    assert client.post(f"/parks/{park.id}/edit", data=first).status_code == 302
    stale = _form(code="HY-ZONE", name="第二次", version=read)
    response = client.post(f"/parks/{park.id}/edit", data=stale)
    assert response.status_code == 422
    assert "changed by someone else" in form_alerts(response)[0]
    db.expire_all()
    assert db.get(Park, park.id).name == "第一次"


def test_a_bureau_sees_the_parks_hosted_in_or_partnered_with_its_region_only(app, db):
    make_park(db, "HY-ZONE")  # 河源, partner 深圳
    make_park(db, "GZ-PARK", host="440100", partners=())
    shenzhen = client_of(app, make_user(db, Role.FINANCE_BUREAU, "440300"))
    page = text_of(shenzhen.get("/parks/"))
    assert "HY-ZONE" in page and "GZ-PARK" not in page
    gz = db.query(Park).filter_by(code="GZ-PARK").one()
    assert shenzhen.get(f"/parks/{gz.id}").status_code == 404
    assert shenzhen.get(f"/parks/{gz.id}/edit").status_code == 404
    assert shenzhen.get("/parks/new").status_code == 404
    exported = shenzhen.get("/parks/?format=csv")
    assert exported.status_code == 200
    assert "HY-ZONE" in text_of(exported) and "GZ-PARK" not in text_of(exported)


def test_the_park_list_filters_by_type_and_region(app, db):
    make_park(db, "HY-ZONE")
    make_park(db, "GZ-PARK", host="440100", partners=(), park_type="CO_BUILT")
    client = client_of(app, make_user(db, Role.ADMIN))
    page = text_of(client.get("/parks/?park_type=CO_BUILT"))
    assert "GZ-PARK" in page and "HY-ZONE" not in page
    page = text_of(client.get("/parks/?region=440300"))  # a partner of HY-ZONE
    assert "HY-ZONE" in page and "GZ-PARK" not in page


def test_the_park_page_shows_its_projects_investment_indicators_and_shares(app, db):
    make_park(db, "HY-ZONE")
    project = make_project(db, "PZ-1")
    membership.set_membership(db, SYSTEM, project.id, "HY-ZONE", dt.date(2026, 1, 15))
    fund = make_fund(db)
    investment = investments.open_investment(db, SYSTEM, fund.id, "PZ-1", Instrument.EQUITY)
    investments.record_transaction(db, SYSTEM, investment.id, investments.TransactionData(
        TransactionType.COMMITMENT, dt.date(2026, 1, 20), Decimal("5000000.00")))
    agreement = make_agreement(db, "PZA", [], [half_and_half(first="2026Q1")], activate=False)
    coverage.set_covered_parks(db, SYSTEM, agreement.id, ["HY-ZONE"])
    agreements.activate(db, SYSTEM, agreement.id, agreement.version)
    observe(db, "2026Q1", {("PZ-1", "TAX_LOCAL"): "100.01"})
    park = db.query(Park).filter_by(code="HY-ZONE").one()
    client = client_of(app, make_user(db, Role.FINANCE_BUREAU, "441600"))
    page = text_of(client.get(f"/parks/{park.id}?quarter=2026Q1"))
    assert "PZ-1" in page and "5,000,000.00" in page
    assert "100.01" in page  # reported
    assert "PZA" in page and "50.01" in page and "50.00" in page  # shared 1:1


def test_a_project_going_elsewhere_is_refused_a_park_beside_the_park_field(app, db):
    make_park(db, "HY-ZONE")
    project = make_project(db, "PZ-GZ", destination="440106")
    client = client_of(app, make_user(db, Role.ADMIN))
    response = client.post(f"/parks/project/{project.id}",
                           data={"park": "HY-ZONE", "joined_on": "2026-01-01"})
    assert response.status_code == 422
    assert "outside the park" in errors_beside(response, "park")[0]
    assert count(db, ParkMembership) == 0


def test_a_project_joins_a_park_and_shows_it_on_its_page_and_in_the_list_filter(app, db):
    make_park(db, "HY-ZONE")
    project = make_project(db, "PZ-2")
    make_project(db, "PZ-3")
    client = client_of(app, make_user(db, Role.ADMIN))
    response = client.post(f"/parks/project/{project.id}",
                           data={"park": "HY-ZONE", "joined_on": "2026-03-01"})
    assert response.status_code == 302, text_of(response)
    page = text_of(client.get(f"/projects/{project.id}"))
    assert "园区 HY-ZONE" in page and "2026-03-01" in page
    listed = text_of(client.get("/projects/?park=HY-ZONE"))
    assert "PZ-2" in listed and "PZ-3" not in listed
    assert "is not a park you can see" in text_of(client.get("/projects/?park=NOPE"))


def test_the_audit_trail_says_who_registered_a_park_and_put_a_project_in_it(app, db):
    admin = make_user(db, Role.ADMIN)
    admin.name = "赵管"
    project = make_project(db, "PZ-AUD")
    client = client_of(app, admin)
    assert client.post("/parks/new", data=_form(code="AUD-ZONE")).status_code == 302
    response = client.post(f"/parks/project/{project.id}",
                           data={"park": "AUD-ZONE", "joined_on": "2026-02-01"})
    assert response.status_code == 302
    trail = text_of(client.get("/audit/?entity=parks"))
    assert "赵管 created AUD-ZONE (Parks)" in trail
    memberships = text_of(client.get("/audit/?entity=park_memberships"))
    assert "赵管 created" in memberships and "(Park memberships)" in memberships
    assert "AUD-ZONE" in memberships and "PZ-AUD" in memberships  # ids named


def test_the_statement_page_says_which_projects_are_named_and_which_via_the_park(app, db):
    make_park(db, "HY-ZONE")
    make_project(db, "PZ-N")
    member = make_project(db, "PZ-V")
    membership.set_membership(db, SYSTEM, member.id, "HY-ZONE", dt.date(2026, 1, 1))
    agreement = make_agreement(db, "PZS", ["PZ-N"], [half_and_half(first="2026Q1")],
                               activate=False)
    coverage.set_covered_parks(db, SYSTEM, agreement.id, ["HY-ZONE"])
    agreements.activate(db, SYSTEM, agreement.id, agreement.version)
    observe(db, "2026Q1", {("PZ-N", "TAX_LOCAL"): "10.00", ("PZ-V", "TAX_LOCAL"): "20.00"})
    client = client_of(app, make_user(db, Role.ADMIN))
    page = text_of(client.get(f"/agreements/{agreement.id}/quarters/2026Q1/"))
    assert "via park 园区 HY-ZONE (HY-ZONE)" in page and "named" in page
    shown = text_of(client.get(f"/agreements/{agreement.id}"))
    assert "via park 园区 HY-ZONE" in shown and "2026Q1" in shown


def test_a_fund_manager_is_offered_the_parks_of_the_destination_and_puts_the_project_in_one(
        app, db):
    make_park(db, "HY-ZONE")  # 河源: the project's destination
    make_park(db, "HF-ZONE", host="340100", partners=())  # 合肥: not offered
    fund = make_fund(db)
    project = make_project(db, "PZ-FM")
    investments.open_investment(db, SYSTEM, fund.id, "PZ-FM", Instrument.EQUITY)
    client = client_of(app, make_user(db, Role.FUND_MANAGER, fund.code))
    form = text_of(client.get(f"/parks/project/{project.id}"))
    assert "HY-ZONE" in form and "HF-ZONE" not in form
    refused = client.post(f"/parks/project/{project.id}",
                          data={"park": "HF-ZONE", "joined_on": "2026-03-01"})
    assert refused.status_code == 422 and count(db, ParkMembership) == 0
    response = client.post(f"/parks/project/{project.id}",
                           data={"park": "HY-ZONE", "joined_on": "2026-03-01"})
    assert response.status_code == 302, text_of(response)
    assert "园区 HY-ZONE" in text_of(client.get(f"/projects/{project.id}"))
    assert client.get(f"/parks/{db.scalar(select(Park.id).where(Park.code == 'HY-ZONE'))}") \
        .status_code == 200  # a park of one of their projects
    hefei = db.scalar(select(Park.id).where(Park.code == "HF-ZONE"))
    assert client.get(f"/parks/{hefei}").status_code == 404
