"""Parks through the API: the register in scope, writes by administrators with versions, and a
project's park refused outside the park's host, naming the field."""

from __future__ import annotations

import datetime as dt

from app.domain.codes import Role
from app.models import ParkMembership
from app.services.access.scopes import SYSTEM
from app.services.parks import membership
from tests.factories import make_project, make_user
from tests.integration.parks_helpers import make_park
from tests.web.api_helpers import call_api, fields_in_error, token_for
from tests.web.helpers import count

BODY = {"code": "API-ZONE", "name": "接口示范区", "park_type": "NATIONAL_ZONE",
        "host_region": "441600", "partners": [{"region": "440300", "role": "SOURCE"}],
        "approving_document": "发改地区〔2023〕729号", "approved_on": "2023-11-01",
        "cycle_start": "2024-01-01", "cycle_end": "2028-12-31", "planned_area": "8000.25",
        "leading_industries": ["3670"]}


def test_an_administrator_registers_and_changes_a_park_with_its_version(client, db):
    token = token_for(db, make_user(db, Role.ADMIN))
    created = call_api(client, "POST", "/api/v1/parks", token, BODY)
    assert created.status_code == 201, created.get_data(as_text=True)
    park = created.get_json()
    assert park["planned_area"] == "8000.25" and park["leading_industries"] == ["3670"]
    assert park["partners"] == [{"region": "440300", "role": "SOURCE"}]
    changed = call_api(client, "PUT", f"/api/v1/parks/{park['id']}", token,
                       {**BODY, "name": "改名", "version": park["version"]})
    assert changed.status_code == 200 and changed.get_json()["name"] == "改名"
    stale = call_api(client, "PUT", f"/api/v1/parks/{park['id']}", token,
                     {**BODY, "name": "又改", "version": park["version"]})
    assert stale.status_code == 409


def test_a_cycle_ending_before_its_start_is_refused_naming_cycle_end(client, db):
    token = token_for(db, make_user(db, Role.ADMIN))
    response = call_api(client, "POST", "/api/v1/parks", token,
                        {**BODY, "cycle_end": "2023-06-30"})
    assert fields_in_error(response) == {"cycle_end"}


def test_a_bureau_lists_the_parks_of_its_region_and_may_not_write(client, db):
    make_park(db, "HY-ZONE")
    make_park(db, "GZ-PARK", host="440100", partners=())
    token = token_for(db, make_user(db, Role.FINANCE_BUREAU, "440300"))  # 深圳: HY-ZONE partner
    listed = call_api(client, "GET", "/api/v1/parks", token).get_json()
    assert [p["code"] for p in listed["items"]] == ["HY-ZONE"]
    assert call_api(client, "POST", "/api/v1/parks", token, BODY).status_code == 404


def test_a_project_joins_a_park_of_its_destination_and_is_refused_another(client, db):
    make_park(db, "HY-ZONE")
    make_park(db, "GZ-PARK", host="440100", partners=())
    project = make_project(db, "API-P")  # to 441602, within 河源
    token = token_for(db, make_user(db, Role.ADMIN))
    refused = call_api(client, "PUT", f"/api/v1/projects/{project.id}/park", token,
                       {"park": "GZ-PARK", "joined_on": "2026-01-01"})
    assert fields_in_error(refused) == {"park"}
    assert count(db, ParkMembership) == 0
    joined = call_api(client, "PUT", f"/api/v1/projects/{project.id}/park", token,
                      {"park": "HY-ZONE", "joined_on": "2026-01-01"})
    assert joined.status_code == 200, joined.get_data(as_text=True)
    assert joined.get_json()["park"] == "HY-ZONE"
    read = call_api(client, "GET", f"/api/v1/projects/{project.id}/park", token).get_json()
    assert read == {"project": "API-P", "park": "HY-ZONE", "joined_on": "2026-01-01",
                    "left_on": None, "version": 1}
    listed = call_api(client, "GET", "/api/v1/projects?park=HY-ZONE", token).get_json()
    assert [p["code"] for p in listed["items"]] == ["API-P"]


def test_a_park_out_of_scope_is_not_found_to_read_or_change(client, db):
    park = make_park(db, "GZ-PARK", host="440100", partners=())
    token = token_for(db, make_user(db, Role.FINANCE_BUREAU, "441600"))
    assert call_api(client, "GET", f"/api/v1/parks/{park.id}", token).status_code == 404
    response = call_api(client, "PUT", f"/api/v1/parks/{park.id}", token,
                        {**BODY, "code": "GZ-PARK", "host_region": "440100", "version": 1})
    assert response.status_code == 404


def test_a_parks_members_are_read_within_scope_and_a_bureau_outside_sees_nothing(client, db):
    park = make_park(db, "HY-ZONE")  # 河源, 深圳 a source partner
    near = make_project(db, "API-NEAR")  # 深圳 → 河源
    far = make_project(db, "API-FAR", source="420100")  # 武汉 → 河源
    for project, joined in ((near, dt.date(2026, 1, 1)), (far, dt.date(2026, 4, 1))):
        membership.set_membership(db, SYSTEM, project.id, "HY-ZONE", joined)
    admin = token_for(db, make_user(db, Role.ADMIN))
    members = call_api(client, "GET", f"/api/v1/parks/{park.id}/members", admin).get_json()
    assert members == [
        {"project": "API-FAR", "park": "HY-ZONE", "joined_on": "2026-04-01", "left_on": None,
         "version": 1},
        {"project": "API-NEAR", "park": "HY-ZONE", "joined_on": "2026-01-01", "left_on": None,
         "version": 1}]
    shenzhen = token_for(db, make_user(db, Role.FINANCE_BUREAU, "440300"))  # the partner
    read = call_api(client, "GET", f"/api/v1/parks/{park.id}/members", shenzhen).get_json()
    assert [m["project"] for m in read] == ["API-NEAR"]  # not 武汉's project
    hefei = token_for(db, make_user(db, Role.FINANCE_BUREAU, "340100"))
    assert call_api(client, "GET", f"/api/v1/parks/{park.id}/members", hefei).status_code == 404
    assert call_api(client, "GET", "/api/v1/parks", hefei).get_json()["items"] == []
    assert call_api(client, "GET", f"/api/v1/projects/{near.id}/park", hefei).status_code == 404
    refused = call_api(client, "GET", "/api/v1/projects?park=HY-ZONE", hefei)
    assert refused.status_code == 422  # named like an unknown park: nothing revealed
    assert refused.get_json()["errors"] == [
        {"field": "park", "message": '"HY-ZONE" is not a park you can see'}]
