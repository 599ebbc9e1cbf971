"""The screening rules alone (app/domain/catalogue.py): the order of regions and codes."""

from __future__ import annotations

from app.domain.catalogue import Entry, regions_of, screen
from app.domain.codes import CatalogueList, ScreeningFlag

P, A, N = CatalogueList.PRIORITY, CatalogueList.ADJUST_EXIT, CatalogueList.NO_LONGER
CITY, PROVINCE = "441400", "440000"


def test_a_county_reads_its_prefecture_then_its_province():
    assert regions_of("441402", CITY, PROVINCE) == [CITY, PROVINCE]
    assert regions_of(CITY, CITY, PROVINCE) == [CITY, PROVINCE]
    assert regions_of(PROVINCE, None, PROVINCE) == [PROVINCE]


def test_class_beats_group_beats_division():
    entries = [Entry(1, CITY, N, ("36",)), Entry(2, CITY, P, ("367",)),
               Entry(3, CITY, A, ("3670",))]
    assert screen("3670", [CITY], entries).flag == ScreeningFlag.ADJUST_EXIT
    assert screen("3671", [CITY], entries).flag == ScreeningFlag.PRIORITY
    assert screen("3610", [CITY], entries).flag == ScreeningFlag.NO_LONGER


def test_the_prefecture_beats_a_more_specific_province_entry():
    entries = [Entry(1, PROVINCE, N, ("3670",)), Entry(2, CITY, P, ("36",))]
    assert screen("3670", [CITY, PROVINCE], entries).flag == ScreeningFlag.PRIORITY
    assert screen("3670", [CITY, PROVINCE], entries).entries == (2,)
    assert screen("3911", [CITY, PROVINCE], [Entry(1, PROVINCE, N, ("39",))]).flag \
        == ScreeningFlag.NO_LONGER


def test_exceptions_ties_and_coarse_projects_go_to_a_person():
    smelting = [Entry(1, CITY, A, ("3216",), needs_person=True), Entry(2, CITY, N, ("3216",))]
    outcome = screen("3216", [CITY], smelting)
    assert outcome.flag == ScreeningFlag.REVIEW and outcome.entries == (1, 2)
    tie = [Entry(1, CITY, P, ("32",)), Entry(2, CITY, N, ("32",))]
    assert screen("3216", [CITY], tie).flag == ScreeningFlag.REVIEW
    same = [Entry(1, CITY, P, ("32",)), Entry(2, CITY, P, ("321",))]
    assert screen("3216", [CITY], same).entries == (2,)
    assert screen("32", [CITY], [Entry(1, CITY, N, ("3216",))]).flag == ScreeningFlag.REVIEW
    assert screen("13", [CITY, PROVINCE], smelting).flag == ScreeningFlag.NONE
    assert screen("13", [CITY], []).entry is None
