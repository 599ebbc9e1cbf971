"""Views of the observations list: parse the filters, call the list service, render."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _

from app.db import get_session
from app.domain.money import format_number
from app.services.lists import web as list_pages
from app.services.reference import lookups as reference
from app.web import lists
from app.web.common import actor, localized_name, require_sign_in, unit_name

bp = Blueprint("observations", __name__, url_prefix="/observations")
bp.before_request(require_sign_in)


@bp.route("/")
def index():
    """A page of the observations of the projects in the user's scope, newest quarter first,
    with links to the project and to the agreement quarter grids where they are entered."""
    db = get_session()
    state = lists.ListState("observations.index", lists.read_args(
        "project", "indicator", "region", "quarter_from", "quarter_to"), "quarter",
        descending_sorts=frozenset({"quarter"}))
    first, last = lists.parse_quarter(state, "quarter_from"), lists.parse_quarter(state,
                                                                                  "quarter_to")
    fetch = lambda **paging: list_pages.observations_page(db, actor(), **paging)  # noqa: E731
    filters = {"project": state.value("project"), "indicator": state.value("indicator"),
               "region": state.value("region"), "quarter_from": first, "quarter_to": last}
    indicators = reference.indicators(db)
    names = {i.code: localized_name(i) for i in indicators}
    if lists.export_format():
        units = {i.code: unit_name(i.unit) for i in indicators}
        exported = lists.export(state, fetch, "observations", [
            (_("Quarter"), lambda o: str(o.quarter)), (_("Project"), lambda o: o.project.code),
            (_("Name"), lambda o: o.project.name),
            (_("Destination"), lambda o: localized_name(o.project.destination_region)),
            (_("Indicator"), lambda o: o.indicator_code),
            (_("Indicator name"), lambda o: names.get(o.indicator_code, o.indicator_code)),
            (_("Value"), lambda o: o.value), (_("Unit"), lambda o: units.get(o.indicator_code, "")),
            (_("Note"), lambda o: o.note or "")], **filters)
        if exported is not None:
            return exported
    lists.load(state, fetch, {"region": "region", "indicator": "indicator"}, **filters)
    return render_template(
        "observations/index.html", state=state, rows=_rows(db, state.rows, indicators, names),
        indicator_choices=[(i.code, f"{i.code} · {names[i.code]}") for i in indicators]), \
        state.status


@dataclass(frozen=True)
class Row:
    """An observation as the list shows it: texts and links worked out once per page."""

    observation: object
    project_url: str
    destination: str
    indicator: str
    value: str
    unit: str
    grids: list[tuple[str, str]]


def _rows(db, observations: list, indicators: list, names: dict[str, str]) -> list[Row]:
    """The page's rows; names, units and links are computed once per distinct project,
    indicator or agreement quarter rather than once per row."""
    units = {i.code: unit_name(i.unit) for i in indicators}
    grids = list_pages.grid_links(db, actor(), observations)
    projects: dict[int, tuple[str, str]] = {}
    links: dict[tuple[int, str], list[tuple[str, str]]] = {}
    rows = []
    for o in observations:
        if o.project_id not in projects:
            projects[o.project_id] = (url_for("projects.show", project_id=o.project_id),
                                      localized_name(o.project.destination_region))
        quarter = str(o.quarter)
        if (o.project_id, quarter) not in links:
            links[o.project_id, quarter] = [
                (f"{a.code} · {quarter}", url_for("statements.observations_grid",
                                                  agreement_id=a.id, quarter=quarter))
                for a in grids.get(o.project_id, [])]
        url, destination = projects[o.project_id]
        rows.append(Row(o, url, destination, names.get(o.indicator_code, o.indicator_code),
                        format_number(o.value), units.get(o.indicator_code, ""),
                        links[o.project_id, quarter]))
    return rows
