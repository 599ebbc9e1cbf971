"""API: transferred projects (money in yuan, land in 亩, as strings)."""

from __future__ import annotations

from flask import g, url_for

from app.db import get_session
from app.domain.codes import CooperationMode, Intensity, ProjectStatus, ScreeningFlag
from app.services import screening
from app.services.access.scopes import get_project
from app.services.funds import projects as project_service
from app.services.lists import api as listings
from app.web.api.catalogue import CATALOGUE, catalogue_json
from app.web.api.routing import ID, PAGE_QUERY, operation, page_json, page_schema, schema
from app.web.api.spec import (
    MAX_ID,
    REGION_PATTERN,
    Amount,
    Boolean,
    Choice,
    Day,
    Integer,
    Obj,
    Text,
)
from app.web.api.values import (
    BOOLEAN,
    DATE,
    DECIMAL,
    INTEGER,
    STRING,
    code,
    day,
    dec,
    enum_of,
    nullable,
    obj,
)

PROJECT = schema("Project", obj({
    "id": INTEGER, "code": STRING, "name": STRING, "enterprise": STRING,
    "uscc": nullable(STRING), "industry": STRING, "intensity": enum_of(Intensity),
    "source_region": STRING, "destination_region": STRING,
    "cooperation_mode": enum_of(CooperationMode), "park": nullable(STRING),
    "status": enum_of(ProjectStatus),
    "status_shown": {**enum_of(ProjectStatus), "description": (
        "the status as reports and pages show it: PIPELINE with a disbursement (net of "
        "reversals) is shown as IMPLEMENTATION; `status` stays as recorded")},
    "planned_investment": nullable(DECIMAL),
    "planned_jobs": nullable(INTEGER), "land_area": nullable(DECIMAL),
    "production_start_on": nullable(DATE), "is_two_high": BOOLEAN,
    "capacity_replacement_ref": nullable(STRING), "catalogue": CATALOGUE,
    "version": INTEGER}))

PROJECT_INPUT = Obj({
    "code": Text(32, required=True), "name": Text(200, required=True),
    "enterprise": Text(200, required=True), "industry": Text(8, required=True),
    "intensity": Choice(Intensity, required=True),
    "source_region": Text(6, pattern=REGION_PATTERN, required=True),
    "destination_region": Text(6, pattern=REGION_PATTERN, required=True),
    "cooperation_mode": Choice(CooperationMode, required=True),
    "status": Choice(ProjectStatus, required=True), "uscc": Text(40), "park": Text(200),
    "planned_investment": Amount(nullable=True), "planned_jobs": Integer(0, MAX_ID, nullable=True),
    "land_area": Amount(nullable=True, description="亩"),
    "production_start_on": Day(nullable=True), "is_two_high": Boolean(default=False),
    "capacity_replacement_ref": Text(200)})


def project_json(p, shown: ProjectStatus | None = None, screened: tuple | None = None) -> dict:
    """A project's register entry; ``shown`` is its displayed status and ``screened`` the
    current edition and the project's result under it (both looked up when None)."""
    if shown is None:
        shown = project_service.shown_statuses(get_session(), [p])[p.id]
    if screened is None:
        edition, results = screening.current_results(get_session(), [p.id])
        screened = (edition, results.get(p.id))
    return {"id": p.id, "code": p.code, "name": p.name, "enterprise": p.enterprise,
            "uscc": p.uscc, "industry": p.industry_code, "intensity": code(p.intensity),
            "source_region": p.source_region.code,
            "destination_region": p.destination_region.code,
            "cooperation_mode": code(p.cooperation_mode), "park": p.park,
            "status": code(p.status), "status_shown": code(shown),
            "planned_investment": dec(p.planned_investment),
            "planned_jobs": p.planned_jobs, "land_area": dec(p.land_area),
            "production_start_on": day(p.production_start_on), "is_two_high": p.is_two_high,
            "capacity_replacement_ref": p.capacity_replacement_ref,
            "catalogue": catalogue_json(*screened), "version": p.version}


@operation("/projects", summary="Projects in your scope, by code", tag="projects",
           response=page_schema("ProjectPage", PROJECT),
           query={"code": Text(32, default=None, description="exactly this code"),
                  "source_region": Text(6, pattern=REGION_PATTERN, default=None,
                                        description="leaving from within this region"),
                  "destination_region": Text(6, pattern=REGION_PATTERN, default=None,
                                             description="arriving within this region"),
                  "status": Choice(ProjectStatus, default=None),
                  "catalogue": Choice(ScreeningFlag, default=None, description=(
                      "the flag under the current catalogue edition")),
                  "park": Text(32, default=None,
                               description="members (past and present) of this park, by code"),
                  **PAGE_QUERY})
def list_projects(args):
    """The projects the token's user may read."""
    db = get_session()
    page = listings.list_projects(db, g.actor, **args)
    shown = project_service.shown_statuses(db, page.items)  # one query per page
    edition, results = screening.current_results(db, [p.id for p in page.items])
    return page_json(page, lambda p: project_json(p, shown[p.id],
                                                  (edition, results.get(p.id))))


@operation("/projects", "POST", summary="Register a project", tag="projects", response=PROJECT,
           status=201, body=("ProjectInput", PROJECT_INPUT))
def create_project(data):
    """Register a project (administrators and fund managers)."""
    project = project_service.create_project(get_session(), g.actor,
                                             project_service.ProjectData(**data))
    return project_json(project), {"Location": url_for("api.get_project_detail",
                                                       project_id=project.id)}


@operation(f"/projects/<{ID}:project_id>", summary="A project", tag="projects", response=PROJECT)
def get_project_detail(project_id: int):
    """A project in scope, else 404."""
    return project_json(get_project(get_session(), g.actor, project_id))
