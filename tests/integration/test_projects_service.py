"""The project register's business rules: refusals name the field, codes are unique and fixed,
a stale edit is refused, and only the people who may edit a project can."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain.codes import CooperationMode, Intensity, ProjectStatus, Role
from app.domain.uscc import make_uscc
from app.models import Project
from app.services.access.scopes import SYSTEM, get_project
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.funds import projects
from tests.factories import actor_of, invest, make_fund, make_user

VALID_USCC = make_uscc("91340100MA2N00000")


def _data(code: str = "PS-1", **changes) -> projects.ProjectData:
    data = projects.ProjectData(
        code=code, name="新能源汽车零部件项目", enterprise="合肥某某科技有限公司", industry="36",
        intensity=Intensity.CAPITAL, source_region="440306", destination_region="340104",
        cooperation_mode=CooperationMode.CHAIN_DOCKING, status=ProjectStatus.PIPELINE,
        uscc=VALID_USCC)
    return replace(data, **changes)


def _fields(excinfo) -> set[str]:
    return set(excinfo.value.errors)


def _wrong_check_character(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


@pytest.mark.parametrize(("changes", "fields"), [
    ({"uscc": _wrong_check_character(VALID_USCC)}, {"uscc"}),
    ({"uscc": VALID_USCC[:-1]}, {"uscc"}),
    ({"uscc": "91340100MA2N0000I" }, {"uscc"}),  # I is not in the GB 32100 character set
    ({"is_two_high": True}, {"capacity_replacement_ref"}),
    ({"is_two_high": True, "capacity_replacement_ref": "   "}, {"capacity_replacement_ref"}),
    ({"destination_region": "440306"}, {"destination_region"}),
    ({"planned_investment": Decimal("-1.00")}, {"planned_investment"}),
    ({"land_area": Decimal("-0.01")}, {"land_area"}),
    ({"planned_jobs": -1}, {"planned_jobs"}),
    ({"name": " ", "enterprise": ""}, {"name", "enterprise"}),
    ({"industry": "99"}, {"industry"}),
    ({"source_region": "449999", "destination_region": "349999"},
     {"source_region", "destination_region"}),  # every unknown code, not just the first
])
def test_a_project_breaking_a_rule_is_refused_naming_the_fields(db, changes, fields):
    with pytest.raises(ValidationFailed) as excinfo:
        projects.create_project(db, SYSTEM, _data(**changes))
    assert _fields(excinfo) == fields
    assert db.scalar(select(Project.id).where(Project.code == "PS-1")) is None


def test_a_valid_uscc_is_stored_normalised(db):
    typed = VALID_USCC.lower().replace("9", "９", 1)  # lower case and a full-width digit
    project = projects.create_project(db, SYSTEM, _data(uscc=typed))
    assert project.uscc == VALID_USCC


def test_a_two_high_project_keeps_its_capacity_replacement_reference(db):
    project = projects.create_project(db, SYSTEM, _data(
        is_two_high=True, capacity_replacement_ref="皖工信产能置换〔2024〕12号"))
    assert (project.is_two_high, project.capacity_replacement_ref) == (
        True, "皖工信产能置换〔2024〕12号")
    cleared = projects.update_project(db, SYSTEM, project.id, project.version, _data(
        capacity_replacement_ref="皖工信产能置换〔2024〕12号"))
    assert cleared.capacity_replacement_ref is None  # only a two-high project carries one


def test_a_second_project_with_the_same_code_is_refused(db):
    projects.create_project(db, SYSTEM, _data("PS-DUP"))
    with pytest.raises(ValidationFailed) as excinfo:
        projects.create_project(db, SYSTEM, _data("PS-DUP"))
    assert _fields(excinfo) == {"code"}


def test_the_code_of_a_project_cannot_change(db):
    project = projects.create_project(db, SYSTEM, _data("PS-KEEP"))
    with pytest.raises(ValidationFailed) as excinfo:
        projects.update_project(db, SYSTEM, project.id, project.version, _data("PS-MOVED"))
    assert _fields(excinfo) == {"code"}


def test_a_project_update_with_a_stale_version_raises_conflict_and_changes_nothing(db):
    project = projects.create_project(db, SYSTEM, _data("PS-LOCK"))
    read = project.version
    projects.update_project(db, SYSTEM, project.id, read, _data("PS-LOCK", name="先保存"))
    with pytest.raises(Conflict):
        projects.update_project(db, SYSTEM, project.id, read, _data("PS-LOCK", name="后保存"))
    db.expire_all()
    assert db.get(Project, project.id).name == "先保存"


def test_a_finance_bureau_cannot_register_a_project(db):
    bureau = actor_of(db, make_user(db, Role.FINANCE_BUREAU, "340100"))
    with pytest.raises(NotFound):
        projects.create_project(db, bureau, _data("PS-BUREAU"))


def test_only_the_registering_manager_and_managers_of_financing_funds_edit_a_project(db):
    fund_a, fund_b = make_fund(db, "PS-FA"), make_fund(db, "PS-FB")
    registrar = actor_of(db, make_user(db, Role.FUND_MANAGER, "PS-FA"))
    financier_user = make_user(db, Role.FUND_MANAGER, "PS-FB")
    stranger = actor_of(db, make_user(db, Role.FUND_MANAGER, make_fund(db, "PS-FC").code))
    project = projects.create_project(db, registrar, _data("PS-EDIT"))

    projects.update_project(db, registrar, project.id, project.version, _data("PS-EDIT", park="A"))
    for actor in (actor_of(db, financier_user), stranger):
        with pytest.raises(NotFound):
            get_project(db, actor, project.id)
        with pytest.raises(NotFound):
            projects.update_project(db, actor, project.id, project.version, _data("PS-EDIT"))

    invest(db, fund_b, project)
    financier = actor_of(db, financier_user)
    edited = projects.update_project(db, financier, project.id, project.version,
                                     _data("PS-EDIT", park="B"))
    assert edited.park == "B"
    assert fund_a.id not in financier.fund_ids


def test_a_bureau_reads_projects_entering_its_region_but_cannot_edit_them(db):
    project = projects.create_project(db, SYSTEM, _data("PS-READ", destination_region="340104"))
    bureau = actor_of(db, make_user(db, Role.FINANCE_BUREAU, "340100"))
    outsider = actor_of(db, make_user(db, Role.FINANCE_BUREAU, "510100"))
    assert get_project(db, bureau, project.id).code == "PS-READ"
    assert [p.code for p in projects.list_projects(db, outsider) if p.code == "PS-READ"] == []
    with pytest.raises(NotFound):
        get_project(db, bureau, project.id, for_edit=True)
    with pytest.raises(NotFound):
        get_project(db, outsider, project.id)
