"""The catalogue part of the fund and regional reports: each project's flag, the entry behind
it and its two-high mark, as the project pages read them (catalogue.md)."""

from __future__ import annotations

from app.services import screening
from app.services.reporting.builders import catalogue
from tests.factories import make_project
from tests.integration.catalogue_helpers import load_edition

EDITION = ("441600,NO_LONGER,建材,水泥熟料,30,,FALSE\n"
           "441600,PRIORITY,电子信息,电子元器件,39,,FALSE\n"
           "441600,ADJUST_EXIT,纺织服装,服装加工,18,智能制造除外,FALSE\n")


def test_each_project_has_its_flag_entry_and_two_high_mark_as_its_page_shows_them(db):
    red = make_project(db, code="C-RED", destination="441623", industry="30", is_two_high=True,
                       capacity_replacement_ref="粤工信产能置换〔2024〕12号")
    green = make_project(db, code="C-GREEN", destination="441602", industry="39")
    review = make_project(db, code="C-REVIEW", destination="441602", industry="18")
    grey = make_project(db, code="C-GREY", destination="441602", industry="65")
    assert load_edition(db, EDITION, "report edition").ok
    projects = (red, green, review, grey)
    data = catalogue.collect(db, [p.id for p in projects] + [red.id])  # an id twice counts once
    assert data["edition"] == "report edition" and list(data["projects"]) == sorted(
        p.code for p in projects)
    assert data["counts"] == {"NONE": 1, "PRIORITY": 1, "ADJUST_EXIT": 0, "NO_LONGER": 1,
                              "REVIEW": 1}
    assert data["projects"]["C-RED"]["two_high"] is True
    assert data["projects"]["C-GREEN"]["two_high"] is False
    assert "水泥熟料" in data["projects"]["C-RED"]["entry"]
    assert data["projects"]["C-GREY"] == {"name": grey.name, "flag": "NONE", "two_high": False,
                                          "entry": ""}
    _edition, results = screening.current_results(db, [p.id for p in projects])
    for project in projects:
        result = results.get(project.id)
        entry = result.entry if result is not None else None
        shown = data["projects"][project.code]
        assert shown["flag"] == (result.flag.value if result else "NONE")
        assert shown["entry"] == (f"{entry.region.name} · {entry.heading}：{entry.text}"
                                  if entry else "")


def test_without_an_edition_every_project_is_unflagged(db):
    project = make_project(db, code="C-ONLY", destination="441602", industry="30")
    data = catalogue.collect(db, [project.id])
    assert data["edition"] is None
    assert data["projects"]["C-ONLY"]["flag"] == "NONE"
    assert data["projects"]["C-ONLY"]["entry"] == ""
