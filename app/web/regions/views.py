"""The region page: parse the quarter, call the regions service, render."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from app.db import get_session
from app.services.reporting import region_figures as regions
from app.services.sharing import timeliness
from app.web.common import actor, local_today, quarter_arg, require_sign_in, unit_name
from app.web.regions.chart import bar_chart, bar_table

bp = Blueprint("regions", __name__, url_prefix="/regions")
bp.before_request(require_sign_in)

PROJECTS_SHOWN = 100
"""Projects listed on the page (by code); the count beside the heading gives them all."""


@bp.route("/<code>")
def show(code: str):
    """One region in one quarter: official figures, received and ceded per agreement, after
    sharing, the assessment-only dual counts and the projects that left or entered it."""
    quarter = quarter_arg()
    if not request.args.get("quarter", "").strip():  # open on the newest quarter with data
        quarter = regions.latest_quarter_with_data(get_session(), actor(), code,
                                                   quarter) or quarter
    figures = regions.region_figures(get_session(), actor(), code, quarter,
                                     project_limit=PROJECTS_SHOWN)
    groups = [(i.name, unit_name(i.unit), i.received, i.ceded)
              for i in figures.indicators if i.lines]
    chart = bar_chart(groups, labels=(_("Received"), _("Ceded")),
                      title=_("Received and ceded per indicator, %(quarter)s", quarter=quarter),
                      unit_caption=_("unit: %(unit)s"))
    table = bar_table(_("The figures as a table"), [
        _("Indicator"), _("Unit"), _("Received"), _("Ceded"), _("Net")], groups)
    local = local_today()
    rates = timeliness.timeliness_of_years(get_session(), actor(), [local.year, local.year - 1],
                                           local, destination_code=figures.region_code)
    return render_template("regions/show.html", figures=figures, quarter=quarter, chart=chart,
                           chart_table=table, timeliness_rows=rates)
