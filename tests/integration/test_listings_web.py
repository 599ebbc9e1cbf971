"""The web's keyset lists: every row exactly once in both directions, ties, filters, scope."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from sqlalchemy import event

from app.domain.codes import AgreementStatus, ProjectStatus, Role
from app.domain.quarter import Quarter
from app.services.access.scopes import SYSTEM
from app.services.errors import NotFound, ValidationFailed
from app.services.lists import web as list_pages
from app.services.lists.keyset import MAX_GROUPS, BadCursor, encode_cursor, per_page_of
from tests.factories import actor_of, make_fund, make_project, make_user
from tests.integration.sharing_factories import half_and_half, make_agreement, observe


def walk(fetch, **filters):
    """Every page forwards from the first, then backwards from the last: the two row lists."""
    forwards, page, pages = [], fetch(**filters), 0
    assert page.is_first and page.previous_cursor is None
    while True:
        forwards.extend(page.items)
        pages += 1
        assert pages < 200
        if page.next_cursor is None:
            break
        page = fetch(cursor=page.next_cursor, **filters)
    backwards = list(page.items)
    while page.previous_cursor is not None:
        page = fetch(cursor=page.previous_cursor, **filters)
        backwards[:0] = page.items
    assert page.is_first
    return forwards, backwards


def _projects(db):
    """Seven projects with tied names, regions and statuses, registered out of code order."""
    rows = [("LW-5", "同名", "440306", "441602", ProjectStatus.PIPELINE),
            ("LW-2", "同名", "440306", "340102", ProjectStatus.OPERATING),
            ("LW-7", "Alpha", "340102", "441602", ProjectStatus.PIPELINE),
            ("LW-1", "同名", "440306", "441602", ProjectStatus.PIPELINE),
            ("LW-4", "beta", "340103", "340102", ProjectStatus.OPERATING),
            ("LW-3", "同名", "440306", "441602", ProjectStatus.EXITED),
            ("LW-6", "gamma", "440306", "441602", ProjectStatus.PIPELINE)]
    return [make_project(db, code, name=name, source=src, destination=dst, status=status)
            for code, name, src, dst, status in rows]


SORTS = {
    "code": lambda p: (p.code, p.id),
    "name": lambda p: (p.name, p.id),
    "destination": lambda p: (p.destination_region.code, p.code, p.id),
    "source": lambda p: (p.source_region.code, p.code, p.id),
    "status": lambda p: (p.status.value, p.code, p.id),
}


@pytest.mark.parametrize("sort", [*SORTS, *(f"-{s}" for s in SORTS)])
@pytest.mark.parametrize("per_page", [1, 2, 3])
def test_every_project_appears_once_in_sort_order_forwards_and_backwards(db, sort, per_page):
    projects = _projects(db)
    fetch = lambda **kw: list_pages.projects_page(db, SYSTEM, sort=sort, per_page=per_page,  # noqa: E731
                                                  search="LW-", **kw)
    forwards, backwards = walk(fetch)
    expected = sorted(projects, key=SORTS[sort.lstrip("-")], reverse=sort.startswith("-"))
    assert [p.code for p in forwards] == [p.code for p in expected]
    assert [p.code for p in backwards] == [p.code for p in expected]


def test_rows_tied_on_the_sort_column_are_ordered_by_id_and_none_is_skipped(db):
    tied = _projects(db)
    same_name = sorted((p for p in tied if p.name == "同名"), key=lambda p: p.id)
    forwards, _back = walk(lambda **kw: list_pages.projects_page(
        db, SYSTEM, sort="name", per_page=2, search="LW-", **kw))
    assert [p.id for p in forwards if p.name == "同名"] == [p.id for p in same_name]
    assert len({p.id for p in forwards}) == len(tied) == len(forwards)


def test_search_is_case_insensitive_and_takes_percent_and_underscore_literally(db):
    make_project(db, "SRCH-A_1", name="Widget 50% owned")
    make_project(db, "SRCH-AX1", name="Widget 500 owned")
    codes = lambda text: [p.code for p in list_pages.projects_page(db, SYSTEM, search=text).items]  # noqa: E731
    assert codes("srch-a_") == ["SRCH-A_1"]
    assert codes("50%") == ["SRCH-A_1"]
    assert sorted(codes("WIDGET")) == ["SRCH-AX1", "SRCH-A_1"]
    assert codes("no such thing") == []


def test_region_and_status_filters_narrow_projects_and_an_unknown_region_names_its_field(db):
    _projects(db)
    within = list_pages.projects_page(db, SYSTEM, search="LW-", destination_region="441600",
                                      status=ProjectStatus.PIPELINE)
    assert [p.code for p in within.items] == ["LW-1", "LW-5", "LW-6", "LW-7"]
    from_anhui = list_pages.projects_page(db, SYSTEM, search="LW-", source_region="340000")
    assert [p.code for p in from_anhui.items] == ["LW-4", "LW-7"]
    with pytest.raises(ValidationFailed) as failure:
        list_pages.projects_page(db, SYSTEM, source_region="999999")
    assert "999999" in failure.value.errors["source_region"][0]


def test_a_bureau_never_sees_a_project_outside_its_region_whatever_the_filters(db):
    _projects(db)
    bureau = actor_of(db, make_user(db, Role.FINANCE_BUREAU, "340100"))
    seen = list_pages.projects_page(db, bureau, search="LW-", per_page=100).items
    assert [p.code for p in seen] == ["LW-2", "LW-4", "LW-7"]  # from or to 合肥 (340100)
    crafted = list_pages.projects_page(db, bureau, search="LW-", destination_region="441600",
                                       source_region="440300")
    assert crafted.items == []


def test_a_cursor_that_was_tampered_with_or_made_for_another_sort_names_the_cursor_field(db):
    _projects(db)
    first = list_pages.projects_page(db, SYSTEM, search="LW-", per_page=2)
    for bad in ("not-a-cursor", "!!!", first.next_cursor + "x", "W10", "e30",
                encode_cursor("code", False, ("LW-2",)),
                encode_cursor("name", False, ("LW-2", first.items[-1].id))):
        with pytest.raises(BadCursor) as failure:
            list_pages.projects_page(db, SYSTEM, search="LW-", per_page=2, cursor=bad)
        assert list(failure.value.errors) == ["cursor"]
    wrong_status = base64.urlsafe_b64encode(json.dumps(
        ["status", "n", "NOT_A_STATUS", "LW-1", 1]).encode()).decode()
    with pytest.raises(BadCursor):
        list_pages.projects_page(db, SYSTEM, sort="status", cursor=wrong_status)


def test_an_unknown_sort_and_page_size_name_their_fields(db):
    with pytest.raises(ValidationFailed) as failure:
        list_pages.projects_page(db, SYSTEM, sort="enterprise")
    assert list(failure.value.errors) == ["sort"]
    assert per_page_of("25") == 25 and per_page_of(None) == 50
    for bad in ("7", "1000", "-50", "many"):
        with pytest.raises(ValidationFailed) as failure:
            per_page_of(bad)
        assert list(failure.value.errors) == ["per_page"]


def test_funds_page_by_sponsor_region_then_code_within_scope(db):
    funds = [make_fund(db, code, sponsor=sponsor) for code, sponsor in
             (("LWF-3", "441600"), ("LWF-1", "440300"), ("LWF-2", "441600"), ("LWF-4", "340100"))]
    forwards, backwards = walk(lambda **kw: list_pages.funds_page(
        db, SYSTEM, sort="sponsor", per_page=1, search="lwf-", **kw))
    assert [f.code for f in forwards] == ["LWF-4", "LWF-1", "LWF-2", "LWF-3"] == \
        [f.code for f in backwards]
    bureau = actor_of(db, make_user(db, Role.FINANCE_BUREAU, "441600"))
    assert [f.code for f in list_pages.funds_page(db, bureau, search="LWF").items] == \
        ["LWF-2", "LWF-3"]
    figures = list_pages.fund_figures(db, funds[:2], dt.date(2024, 12, 31))
    assert set(figures) == {funds[0].id, funds[1].id}


def test_agreements_page_filters_by_status_and_party_region_within_scope(db):
    projects = _projects(db)
    make_agreement(db, "LWA-2", [projects[0].code], [half_and_half()])
    make_agreement(db, "LWA-1", [projects[1].code], [half_and_half()], activate=False)
    active = list_pages.agreements_page(db, SYSTEM, search="lwa", status=AgreementStatus.ACTIVE)
    assert [a.code for a in active.items] == ["LWA-2"]
    by_title = list_pages.agreements_page(db, SYSTEM, search="协议 LWA", sort="-title")
    assert [a.code for a in by_title.items] == ["LWA-2", "LWA-1"]
    assert list_pages.agreements_page(db, SYSTEM, search="lwa", party_region="340100").items == []
    elsewhere = actor_of(db, make_user(db, Role.FINANCE_BUREAU, "340100"))
    assert list_pages.agreements_page(db, elsewhere, search="lwa").items == []


def _observed(db):
    projects = _projects(db)
    make_agreement(db, "LWO-A", [p.code for p in projects], [half_and_half()])
    for quarter in ("2024Q1", "2024Q2", "2024Q3"):
        observe(db, quarter, {(p.code, indicator): "10.00" for p in projects
                              for indicator in ("TAX_LOCAL", "REVENUE")})
    return projects


def _observation_key(o):
    return (-(o.quarter.year * 4 + o.quarter.number), o.project.code, o.indicator_code, o.id)


def test_observations_run_newest_quarter_first_then_project_then_indicator_both_ways(db):
    _observed(db)
    forwards, backwards = walk(lambda **kw: list_pages.observations_page(
        db, SYSTEM, project="LW-", per_page=4, **kw))
    assert len(forwards) == 7 * 2 * 3 == len({o.id for o in forwards})
    assert forwards == sorted(forwards, key=_observation_key) == backwards
    assert (str(forwards[0].quarter), forwards[0].project.code, forwards[0].indicator_code) == \
        ("2024Q3", "LW-1", "REVENUE")


@pytest.mark.parametrize("sort", ["project", "-project", "indicator", "-quarter"])
def test_observations_in_every_sort_visit_each_row_once(db, sort):
    _observed(db)
    forwards, backwards = walk(lambda **kw: list_pages.observations_page(
        db, SYSTEM, project="LW-", per_page=5, sort=sort, **kw))
    assert len(forwards) == 42 == len({o.id for o in forwards})
    assert [o.id for o in forwards] == [o.id for o in backwards]


def test_observation_filters_and_the_bureau_scope(db):
    projects = _observed(db)
    page = list_pages.observations_page(
        db, SYSTEM, project="lw-4", indicator="TAX_LOCAL", region="340100",
        quarter_from=Quarter(2024, 2), quarter_to=Quarter(2024, 3))
    assert [(str(o.quarter), o.project.code) for o in page.items] == \
        [("2024Q3", "LW-4"), ("2024Q2", "LW-4")]
    with pytest.raises(ValidationFailed) as failure:
        list_pages.observations_page(db, SYSTEM, indicator="NOPE")
    assert list(failure.value.errors) == ["indicator"]
    hefei = actor_of(db, make_user(db, Role.FINANCE_BUREAU, "340100"))
    seen = list_pages.observations_page(db, hefei, project="LW-", per_page=100).items
    assert {o.project.code for o in seen} == {"LW-2", "LW-4", "LW-7"}
    links = list_pages.grid_links(db, SYSTEM, page.items)
    assert [a.code for a in links[projects[4].id]] == ["LWO-A"]
    assert list_pages.grid_links(db, hefei, page.items) == {}


def test_the_audit_trail_pages_newest_first_and_stays_with_auditors(db):
    _projects(db)
    auditor = actor_of(db, make_user(db, Role.AUDITOR))
    forwards, backwards = walk(lambda **kw: list_pages.audit_page(
        db, auditor, entity="projects", per_page=3, **kw))
    seqs = [e.seq for e in forwards]
    assert seqs == sorted(seqs, reverse=True) == [e.seq for e in backwards]
    assert len(seqs) >= 7
    oldest_first = list_pages.audit_page(db, auditor, entity="projects", sort="time")
    assert [e.seq for e in oldest_first.items][:3] == sorted(seqs)[:3]
    bureau = actor_of(db, make_user(db, Role.FINANCE_BUREAU, "440300"))
    with pytest.raises(NotFound):
        list_pages.audit_page(db, bureau)


def test_observations_of_many_projects_in_scope_page_the_same_way(db):
    projects = [make_project(db, f"LWM-{n:02d}") for n in range(22, 0, -1)]
    make_agreement(db, "LWM-A", [p.code for p in projects], [half_and_half()])
    for quarter in ("2024Q1", "2024Q2"):
        observe(db, quarter, {(p.code, "TAX_LOCAL"): "1.00" for p in projects})
    heyuan = actor_of(db, make_user(db, Role.FINANCE_BUREAU, "441600"))
    forwards, backwards = walk(lambda **kw: list_pages.observations_page(
        db, heyuan, project="LWM-", per_page=7, **kw))
    assert len(forwards) == 44 == len({o.id for o in forwards})
    assert forwards == sorted(forwards, key=_observation_key) == backwards
    elsewhere = actor_of(db, make_user(db, Role.FINANCE_BUREAU, "340100"))
    assert list_pages.observations_page(db, elsewhere, project="LWM-").items == []


def test_a_page_spread_over_many_quarters_takes_a_bounded_number_of_queries(db, connection):
    project = make_project(db, "LWQ-1")
    make_agreement(db, "LWQ-A", [project.code], [half_and_half(first="2020Q1")])
    quarters = [Quarter(2020, 1) + n for n in range(12)]
    for quarter in quarters:
        observe(db, str(quarter), {(project.code, "TAX_LOCAL"): "1.00"})
    statements = []
    event.listen(connection, "before_cursor_execute", lambda *_a: statements.append(1))
    page = list_pages.observations_page(db, SYSTEM, project="LWQ-", per_page=10)
    assert [o.quarter for o in page.items] == quarters[::-1][:10]
    assert len(statements) <= 2 * MAX_GROUPS + 1 + 3  # keys, the project ids, rows, regions
    rest = list_pages.observations_page(db, SYSTEM, project="LWQ-", per_page=10,
                                        cursor=page.next_cursor)
    assert [o.quarter for o in rest.items] == quarters[1::-1]


def test_a_page_whose_rows_lie_in_old_quarters_skips_the_empty_newer_ones(db):
    project = make_project(db, "LWR-1")
    make_agreement(db, "LWR-A", [project.code], [half_and_half(first="2020Q1")])
    quarters = [Quarter(2020, 1) + n for n in range(12)]
    for quarter in quarters:
        observe(db, str(quarter), {(project.code, "TAX_LOCAL"): "1.00"})
    forwards, backwards = walk(lambda **kw: list_pages.observations_page(
        db, SYSTEM, project="LWR-", quarter_to=Quarter(2020, 4), per_page=3, **kw))
    assert [o.quarter for o in forwards] == quarters[3::-1] == [o.quarter for o in backwards]
