"""API: the transfer parks register and park membership (areas in 亩 as strings)."""

from __future__ import annotations

from flask import g, url_for

from app.db import get_session
from app.domain.codes import ParkType, PartnerRole
from app.services.access.scopes import get_project
from app.services.lists import api as listings
from app.services.parks import membership, register
from app.web.api.routing import ID, PAGE_QUERY, operation, page_json, page_schema, schema
from app.web.api.spec import (
    MAX_ID,
    REGION_PATTERN,
    Amount,
    Arr,
    Choice,
    Day,
    Integer,
    Obj,
    Text,
)
from app.web.api.values import (
    DATE,
    DECIMAL,
    INTEGER,
    STRING,
    arr,
    code,
    day,
    dec,
    enum_of,
    nullable,
    obj,
)

PARK = schema("Park", obj({
    "id": INTEGER, "code": STRING, "name": STRING, "park_type": enum_of(ParkType),
    "host_region": STRING,
    "partners": arr(obj({"region": STRING, "role": enum_of(PartnerRole)})),
    "approving_document": nullable(STRING), "approved_on": nullable(DATE),
    "cycle_start": DATE, "cycle_end": nullable(DATE),
    "planned_area": {**nullable(DECIMAL), "description": "亩"},
    "leading_industries": arr(STRING), "version": INTEGER}))

PARK_INPUT = Obj({
    "code": Text(32, required=True), "name": Text(200, required=True),
    "park_type": Choice(ParkType, required=True),
    "host_region": Text(6, pattern=REGION_PATTERN, required=True),
    "partners": Arr(Obj({"region": Text(6, pattern=REGION_PATTERN, required=True),
                         "role": Choice(PartnerRole, required=True)}), max_items=50),
    "approving_document": Text(200), "approved_on": Day(nullable=True),
    "cycle_start": Day(required=True), "cycle_end": Day(nullable=True),
    "planned_area": Amount(nullable=True, description="亩"),
    "leading_industries": Arr(Text(4), max_items=50,
                              description="GB/T 4754-2017 division, group or class codes"),
    "version": Integer(1, MAX_ID, nullable=True,
                       description="the version read (required to change a park)")})

MEMBERSHIP = schema("ParkMembership", obj({
    "project": STRING, "park": nullable(STRING), "joined_on": nullable(DATE),
    "left_on": nullable(DATE), "version": nullable(INTEGER)}))

MEMBERSHIP_INPUT = Obj({
    "park": Text(32, nullable=True, description="a park's code; null or blank: no park"),
    "joined_on": Day(nullable=True), "left_on": Day(nullable=True),
    "version": Integer(1, MAX_ID, nullable=True,
                       description="the membership's version read (null: it had none)")})


def park_json(p) -> dict:
    """A park's register entry."""
    return {"id": p.id, "code": p.code, "name": p.name, "park_type": code(p.park_type),
            "host_region": p.host_region.code,
            "partners": [{"region": x.region.code, "role": code(x.role)} for x in p.partners],
            "approving_document": p.approving_document, "approved_on": day(p.approved_on),
            "cycle_start": day(p.cycle_start), "cycle_end": day(p.cycle_end),
            "planned_area": dec(p.planned_area),
            "leading_industries": [i.industry_code for i in p.industries],
            "version": p.version}


def membership_json(project_code: str, m) -> dict:
    """A project's park membership (every field null when it belongs to none)."""
    return {"project": project_code, "park": m.park.code if m else None,
            "joined_on": day(m.joined_on) if m else None,
            "left_on": day(m.left_on) if m else None, "version": m.version if m else None}


def _data(data: dict) -> register.ParkData:
    return register.ParkData(
        code=data["code"], name=data["name"], park_type=data["park_type"],
        host_region=data["host_region"], cycle_start=data["cycle_start"],
        cycle_end=data["cycle_end"],
        partners=[register.PartnerData(p["region"], p["role"]) for p in data["partners"]],
        approving_document=data["approving_document"] or "", approved_on=data["approved_on"],
        planned_area=data["planned_area"], industries=list(data["leading_industries"]))


@operation("/parks", summary="Parks in your scope, by code", tag="parks",
           response=page_schema("ParkPage", PARK),
           query={"code": Text(32, default=None, description="exactly this code"),
                  "park_type": Choice(ParkType, default=None),
                  "region": Text(6, pattern=REGION_PATTERN, default=None,
                                 description="hosted in or partnered with a region within this"),
                  **PAGE_QUERY})
def list_parks(args):
    """The parks hosted in or partnered with the token user's regions (all for administrators
    and national auditors)."""
    page = listings.list_parks(get_session(), g.actor, **args)
    return page_json(page, park_json)


@operation("/parks", "POST", summary="Register a park", tag="parks", response=PARK, status=201,
           body=("ParkInput", PARK_INPUT))
def create_park(data):
    """Register a park (administrators)."""
    park = register.create_park(get_session(), g.actor, _data(data))
    return park_json(park), {"Location": url_for("api.get_park", park_id=park.id)}


@operation(f"/parks/<{ID}:park_id>", summary="A park", tag="parks", response=PARK)
def get_park(park_id: int):
    """A park in scope, else 404."""
    return park_json(register.get_park(get_session(), g.actor, park_id))


@operation(f"/parks/<{ID}:park_id>", "PUT", summary="Change a park", tag="parks",
           response=PARK, body=("ParkInput", PARK_INPUT))
def put_park(park_id: int, data):
    """Change a park (administrators); 409 when ``version`` is not the stored one."""
    park = register.update_park(get_session(), g.actor, park_id, data["version"] or 0,
                                _data(data))
    return park_json(park)


@operation(f"/parks/<{ID}:park_id>/members", summary="A park's projects, past and present",
           tag="parks", response=arr(MEMBERSHIP))
def list_park_members(park_id: int):
    """The memberships of a park in scope (else 404), by project code: those of the projects
    the token user may read."""
    db = get_session()
    park = register.get_park(db, g.actor, park_id)
    return [membership_json(m.project.code, m)
            for m in membership.members(db, park.id, readable_by=g.actor)]


@operation(f"/projects/<{ID}:project_id>/park", summary="The park a project belongs to",
           tag="parks", response=MEMBERSHIP)
def get_project_park(project_id: int):
    """A project's park membership (nulls when none, or in a park out of your scope)."""
    db = get_session()
    project = get_project(db, g.actor, project_id)
    return membership_json(project.code, membership.membership_of(db, g.actor, project.id))


@operation(f"/projects/<{ID}:project_id>/park", "PUT", summary="Put a project in a park",
           tag="parks", response=MEMBERSHIP, body=("ParkMembershipInput", MEMBERSHIP_INPUT))
def put_project_park(project_id: int, data):
    """Set (or, with a null park, remove) a project's park: the project must be going to the
    park's host regions; 409 when ``version`` is not the stored one."""
    db = get_session()
    project = get_project(db, g.actor, project_id)
    found = membership.set_membership(db, g.actor, project.id, data["park"] or "",
                                      data["joined_on"], data["left_on"], data["version"])
    return membership_json(project.code, found)
