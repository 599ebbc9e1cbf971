"""Catalogue editions and the screening of projects, on a real database (catalogue.md)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.domain.codes import CatalogueList, ScreeningFlag
from app.models import AuditEntry, CatalogueEdition, CatalogueEntry, ScreeningResult
from app.services import screening
from app.services.access.scopes import SYSTEM
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.funds import projects
from tests.factories import make_project
from tests.integration.catalogue_helpers import EXAMPLES, load_edition

WORKED = (EXAMPLES / "catalogue-worked-example.csv").read_text(encoding="utf-8")


def _data(project, **changes):
    fields = dict(code=project.code, name=project.name, enterprise=project.enterprise,
                  industry=project.industry_code, intensity=project.intensity,
                  source_region=project.source_region.code,
                  destination_region=project.destination_region.code,
                  cooperation_mode=project.cooperation_mode, status=project.status,
                  uscc=project.uscc or "")
    fields.update(changes)
    return projects.ProjectData(**fields)


def test_the_worked_example_smelter_to_xiaogan_is_reviewed_and_auto_parts_to_meizhou_green(db):
    smelter = make_project(db, source="440600", destination="420900", industry="3216")
    parts = make_project(db, source="440300", destination="441400", industry="3670")
    result = load_edition(db, WORKED, "worked example")
    assert result.ok, result.errors
    assert result.activation is not None  # the first edition becomes current by itself

    shown = screening.shown(db, smelter.id)
    assert shown.flag == ScreeningFlag.REVIEW
    assert [(e.list_code, e.text) for e in shown.entries] == [
        (CatalogueList.ADJUST_EXIT, "铝冶炼"), (CatalogueList.NO_LONGER, "电解铝")]
    assert screening.shown(db, parts.id).flag == ScreeningFlag.PRIORITY
    assert screening.shown(db, parts.id).entries[0].text == "汽车零部件及配件"

    # A person records that the exception applies (recycled aluminium): amber.
    decided = screening.decide(db, SYSTEM, shown.result.id, shown.result.version,
                               "ADJUST_EXIT", "再生铝项目，适用除外条款")
    assert decided.flag == ScreeningFlag.ADJUST_EXIT
    assert decided.screened == ScreeningFlag.REVIEW
    trail = db.scalars(select(AuditEntry).where(AuditEntry.entity == "screening_results",
                                                AuditEntry.action == "UPDATE")).all()
    assert any("decision_reason" in e.changed_fields for e in trail)
    # …or that it does not: red.
    again = screening.decide(db, SYSTEM, decided.id, decided.version, CatalogueList.NO_LONGER,
                             "原生铝电解，不适用除外")
    assert again.flag == ScreeningFlag.NO_LONGER


def test_a_decision_needs_a_reason_a_review_result_and_the_version_it_read(db):
    smelter = make_project(db, destination="420900", industry="3216")
    parts = make_project(db, source="440300", destination="441400", industry="3670")
    load_edition(db, WORKED, "worked example")
    review = screening.result_of(db, smelter.id)
    with pytest.raises(ValidationFailed) as refused:
        screening.decide(db, SYSTEM, review.id, review.version, "ADJUST_EXIT", "  ")
    assert "reason" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        screening.decide(db, SYSTEM, review.id, review.version, "MAYBE", "why")
    assert "list" in refused.value.errors
    green = screening.result_of(db, parts.id)
    with pytest.raises(ValidationFailed) as refused:
        screening.decide(db, SYSTEM, green.id, green.version, "NO_LONGER", "why")
    assert refused.value.errors["list"] == ["only a result to be reviewed takes a decision"]
    with pytest.raises(Conflict):
        screening.decide(db, SYSTEM, review.id, review.version - 1, "NO_LONGER", "why")
    assert screening.result_of(db, smelter.id).flag == ScreeningFlag.REVIEW


@pytest.mark.parametrize(("rows", "expected"), [
    ("999999,PRIORITY,汽车,整车,36,,FALSE\n",
     'row 2, region: "999999" is not a known region code'),
    ("441400,PRIORITY,汽车,整车,3699x,,FALSE\n",
     'row 2, codes: "3699x" is not a GB/T 4754-2017 industry code (a division, group or class)'),
    ("441400,PRIORITY,汽车,整车,36,,FALSE\n441400,SOMETIMES,汽车,整车,36,,FALSE\n",
     'row 3, list: "SOMETIMES" is not one of PRIORITY, ADJUST_EXIT, NO_LONGER'),
    ("441400,PRIORITY,汽车,整车,36,,FALSE\n441400,PRIORITY,汽车,零部件,367;36,,FALSE\n",
     'row 3, codes: "36" is mapped twice in the PRIORITY list of 441400 (also on row 2)'),
    ("441481,PRIORITY,汽车,整车,36,,FALSE\n",
     'row 2, region: "441481" is a county: give its prefecture, or the province for a '
     "province-wide entry"),
])
def test_a_bad_row_is_named_and_nothing_is_written(db, rows, expected):
    make_project(db, destination="441400", industry="3670")
    before = db.scalar(select(func.count()).select_from(CatalogueEdition))
    result = load_edition(db, rows, "bad")
    assert not result.ok
    assert expected in [str(e) for e in result.errors]
    assert db.scalar(select(func.count()).select_from(CatalogueEdition)) == before
    assert db.scalar(select(func.count()).select_from(ScreeningResult)) == 0


def test_the_same_code_in_two_lists_of_one_region_is_allowed(db):
    assert load_edition(db, WORKED, "two lists").ok


def test_the_most_specific_code_wins_and_the_prefecture_before_the_province(db):
    rows = (
        "441400,NO_LONGER,汽车,汽车制造,36,,FALSE\n"
        "441400,PRIORITY,汽车,零部件,367,,FALSE\n"
        "441400,ADJUST_EXIT,汽车,改装,3660,,FALSE\n"
        "440000,NO_LONGER,电子,全省电子,3670;39,,FALSE\n"
        "440000,ADJUST_EXIT,化工,全省化工,26,,FALSE\n"
        "441400,PRIORITY,有色,铝,3216,,FALSE\n"
    )
    group = make_project(db, destination="441402", industry="3670")  # a county of 梅州
    division = make_project(db, destination="441400", industry="3611")
    klass = make_project(db, destination="441400", industry="3660")
    province = make_project(db, destination="441400", industry="3911")
    province_only = make_project(db, destination="441400", industry="2614")
    coarse = make_project(db, destination="441400", industry="32")
    nothing = make_project(db, destination="441400", industry="13")
    assert load_edition(db, rows, "order").ok
    flags = screening.flags_of(db, [p.id for p in (group, division, klass, province,
                                                   province_only, coarse, nothing)])
    assert [flags[p.id] for p in (group, division, klass, province, province_only, coarse,
                                  nothing)] == [
        ScreeningFlag.PRIORITY,  # 367 (group) over 36 (division); 梅州's beats 广东's 3670
        ScreeningFlag.NO_LONGER,  # only 36 matches
        ScreeningFlag.ADJUST_EXIT,  # class 3660
        ScreeningFlag.NO_LONGER,  # 梅州 lists nothing for 39: the province's entry
        ScreeningFlag.ADJUST_EXIT,
        ScreeningFlag.REVIEW,  # a division-level project under a class entry: a person decides
        ScreeningFlag.NONE,
    ]


def test_a_project_is_rescreened_when_its_destination_or_industry_changes(db):
    load_edition(db, WORKED, "worked example")
    project = make_project(db, destination="441400", industry="3670")
    assert screening.result_of(db, project.id).flag == ScreeningFlag.PRIORITY
    projects.update_project(db, SYSTEM, project.id, project.version,
                            _data(project, destination_region="420900", industry="3216"))
    assert screening.result_of(db, project.id).flag == ScreeningFlag.REVIEW
    projects.update_project(db, SYSTEM, project.id, project.version,
                            _data(project, destination_region="441400", industry="3120"))
    result = screening.result_of(db, project.id)
    assert result.flag == ScreeningFlag.REVIEW  # 炼钢 with its exception
    assert db.get(CatalogueEntry, result.entry_id).text == "炼钢"


def test_a_new_edition_keeps_the_earlier_results_and_lists_the_changed_projects(db):
    red = make_project(db, code="CAT-RED", destination="441400", industry="3120")
    same = make_project(db, code="CAT-SAME", destination="441400", industry="3670")
    first = load_edition(db, "441400,NO_LONGER,钢铁,炼钢,3120,,FALSE\n"
                             "441400,PRIORITY,汽车,零部件,3670,,FALSE\n", "first")
    assert screening.result_of(db, red.id).flag == ScreeningFlag.NO_LONGER
    second = load_edition(db, "441400,PRIORITY,钢铁,短流程炼钢,3120,,FALSE\n"
                              "441400,PRIORITY,汽车,零部件,3670,,FALSE\n", "second")
    assert second.ok and second.activation is None  # not current until asked
    assert screening.result_of(db, red.id).flag == ScreeningFlag.NO_LONGER

    activation = screening.activate(db, SYSTEM, second.edition_id)
    assert [(c.code, c.before, c.after) for c in activation.changes] == [
        ("CAT-RED", ScreeningFlag.NO_LONGER, ScreeningFlag.PRIORITY)]
    assert activation.previous.id == first.edition_id
    assert screening.result_of(db, red.id).flag == ScreeningFlag.PRIORITY
    assert screening.result_of(db, red.id, first.edition_id).flag == ScreeningFlag.NO_LONGER
    assert screening.result_of(db, same.id).flag == ScreeningFlag.PRIORITY
    current = db.scalars(select(CatalogueEdition).where(CatalogueEdition.is_current)).all()
    assert [e.name for e in current] == ["second"]


def test_only_an_administrator_imports_or_makes_an_edition_current(db):
    from app.domain.codes import Role
    from tests.factories import actor_of, make_user
    bureau = actor_of(db, make_user(db, Role.FINANCE_BUREAU, "441400"))
    with pytest.raises(NotFound):
        load_edition(db, WORKED, "not mine", actor=bureau)
    edition = load_edition(db, WORKED, "mine")
    with pytest.raises(NotFound):
        screening.activate(db, bureau, edition.edition_id)


def test_a_dry_run_writes_nothing(db):
    result = load_edition(db, WORKED, "dry", dry_run=True)
    assert result.ok and result.entries == 4
    assert db.scalar(select(func.count()).select_from(CatalogueEdition)) == 0
