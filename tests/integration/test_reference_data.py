"""Reference data shipped with the migrations (issue 13): a migrated database knows every GB/T 2260
region and GB/T 4754-2017 category; a project takes a 4-digit class; a newer GB/T 2260 edition
adds, renames and retires codes (never deleting one a project uses) and bad edition files are
refused row by row with nothing written."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import func, select, text

from app.domain.codes import CooperationMode, Intensity, ProjectStatus, Role
from app.models import IndustryDivision, Region, RegionEdition
from app.services.access.scopes import SYSTEM
from app.services.errors import ValidationFailed
from app.services.funds import projects
from app.services.reference import editions as region_editions
from app.services.reference import lookups as reference
from app.services.reference.builtin import read_csv
from tests.factories import make_user, sign_in
from tests.web.api_helpers import call_api, token_for


def _count(db, model, *where) -> int:
    return db.scalar(select(func.count()).select_from(model).where(*where))


def test_a_migrated_database_knows_every_region_industry_and_indicator(db):
    assert _count(db, Region, Region.level == "PROVINCE") == 31
    assert _count(db, Region, Region.level == "PREFECTURE") >= 342
    assert _count(db, Region, Region.level == "COUNTY") >= 2975
    heyuan = db.scalar(select(Region).where(Region.code == "441600"))
    zijin = db.scalar(select(Region).where(Region.code == "441621"))
    assert (heyuan.name, heyuan.name_en, heyuan.parent.code) == ("河源市", "Heyuan", "440000")
    assert (zijin.name, zijin.name_en, zijin.parent.code) == ("紫金县", "Zijin County", "441600")
    assert zijin.edition == "2022" and not zijin.is_retired
    assert db.get(RegionEdition, "2022").codes == 3348
    levels = dict(db.execute(select(IndustryDivision.level, func.count())
                             .group_by(IndustryDivision.level)).all())
    assert levels == {"SECTION": 20, "DIVISION": 97, "GROUP": 473, "CLASS": 1381}
    aircraft = db.get(IndustryDivision, "3741")  # the class missing from the collected list
    assert (aircraft.name, aircraft.parent_code, aircraft.section) == ("飞机制造", "374", "C")
    assert db.get(IndustryDivision, "374").name == "航空、航天器及设备制造"
    assert len(reference.indicators(db)) == 5


def test_load_builtin_is_a_no_op_on_a_migrated_database_and_repairs_a_deleted_row(db):
    assert reference.load_builtin_reference(db) == 0
    db.execute(text("DELETE FROM industry_divisions WHERE code = '3749'"))
    assert reference.load_builtin_reference(db) == 1
    assert db.get(IndustryDivision, "3749").name == "其他航空航天器制造"


def test_every_prefecture_and_county_has_a_pinyin_name_in_the_shipped_file():
    rows = read_csv("gbt2260-2022-regions.csv")
    assert len(rows) == 3348
    assert all(r["name_en"] and (r["name_en"].isascii() or "ü" in r["name_en"]) for r in rows)


def _project(code: str, **changes) -> projects.ProjectData:
    data = projects.ProjectData(
        code=code, name="汽车零部件项目", enterprise="河源某某科技有限公司", industry="3670",
        intensity=Intensity.CAPITAL, source_region="440306", destination_region="441621",
        cooperation_mode=CooperationMode.CHAIN_DOCKING, status=ProjectStatus.PIPELINE)
    return replace(data, **changes)


@pytest.mark.parametrize("industry", ["3670", "367", "36"])
def test_a_project_takes_a_class_group_or_division(db, industry):
    project = projects.create_project(db, SYSTEM, _project("P-IND", industry=industry))
    assert project.industry.code == industry


@pytest.mark.parametrize("industry", ["C", "3675", "36700", "汽车"])
def test_a_section_or_unknown_industry_code_is_refused_naming_the_field(db, industry):
    with pytest.raises(ValidationFailed) as excinfo:
        projects.create_project(db, SYSTEM, _project("P-IND", industry=industry))
    assert set(excinfo.value.errors) == {"industry"}


EDITION_2023 = [  # Guangdong only: every other code of the 2022 edition is absent
    "code,name,level,parent_code",
    "440000,广东省,PROVINCE,",
    "441600,河源市,PREFECTURE,440000",
    "441602,源城区,COUNTY,441600",
    "441625,东源县,COUNTY,441600",
    "441699,河源新区,COUNTY,441600",
]


def _edition(lines, successors=None, db=None):
    return region_editions.import_edition(db, lines, "2023", dt.date(2023, 12, 31), successors)


def test_a_newer_edition_adds_renames_and_retires_and_keeps_a_project_on_a_retired_code(db):
    projects.create_project(db, SYSTEM, _project("P-ZJ"))
    renamed = [*EDITION_2023[:4], "441625,东源新县,COUNTY,441600", EDITION_2023[5]]
    result = _edition(renamed, ["old_code,new_code", "441621,441699"], db=db)
    assert (result.added, result.renamed) == (1, 1)
    assert result.retired == _count(db, Region) - 5  # all but the five listed
    zijin = db.scalar(select(Region).where(Region.code == "441621"))
    assert zijin.is_retired and zijin.valid_until == dt.date(2023, 12, 31)
    assert zijin.successor.code == "441699"
    assert db.scalar(select(Region).where(Region.code == "441699")).name_en == \
        "Heyuan New Area"  # computed by pypinyin at import
    assert db.scalar(select(Region).where(Region.code == "441625")).name == "东源新县"
    assert db.scalar(select(Region).where(Region.code == "441602")).edition == "2023"
    assert region_editions.current_edition(db) == "2023"
    kept = [p for p in projects.list_projects(db, SYSTEM) if p.code == "P-ZJ"]
    assert kept[0].destination_region.code == "441621"


def test_the_api_and_the_project_page_show_a_retired_code_and_its_successor(db, client):
    project = projects.create_project(db, SYSTEM, _project("P-ZJ"))
    _edition(EDITION_2023, ["441621,441699"], db=db)
    db.flush()
    admin = make_user(db, Role.ADMIN)
    sign_in(client, admin)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "retired on 2023-12-31" in page and "successor: 河源新区 (441699)" in page
    region = call_api(client, "GET", "/api/v1/regions/441621", token_for(db, admin)).get_json()
    assert (region["retired"], region["valid_until"], region["successor"]) == \
        (True, "2023-12-31", "441699")
    assert call_api(client, "GET", "/api/v1/regions/441699", token_for(db, admin)
                    ).get_json()["edition"] == "2023"


@pytest.mark.parametrize(("row", "message"), [
    ("441625,东源县,COUNTY,441600", 'row 6, code: "441625" is already on row 5'),
    ("441699,河源新区,COUNTY,441700", 'row 6, parent_code: "441700" is not a row of the file'),
    ("44169,河源新区,COUNTY,441600", "row 6, code:"),
    ("441699,河源新区,PREFECTURE,441600", 'row 6, level: "PREFECTURE" does not fit code'),
    ("441699,河源新区,COUNTY,450000", 'row 6, parent_code: "450000" is not a region above'),
])
def test_a_bad_edition_row_is_named_and_nothing_is_written(db, row, message):
    before = _count(db, Region, Region.valid_until.is_not(None))
    with pytest.raises(ValidationFailed) as excinfo:
        _edition([*EDITION_2023[:5], row], db=db)
    assert any(m.startswith(message) for m in excinfo.value.errors["file"]), excinfo.value.errors
    assert _count(db, Region, Region.valid_until.is_not(None)) == before
    assert db.get(RegionEdition, "2023") is None


def test_a_successor_outside_the_edition_is_refused(db):
    with pytest.raises(ValidationFailed) as excinfo:
        _edition(EDITION_2023, ["441621,441700"], db=db)
    assert any("new_code" in m for m in excinfo.value.errors["file"])
