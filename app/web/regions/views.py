"""The region page: parse the quarter, call the regions service, render."""

from __future__ import annotations

from flask import Blueprint, flash, render_template, request
from flask_babel import gettext as _

from app.db import get_session
from app.domain.quarter import Quarter, QuarterError
from app.services import regions
from app.web.common import actor, require_sign_in, today
from app.web.regions.chart import bar_chart

bp = Blueprint("regions", __name__, url_prefix="/regions")
bp.before_request(require_sign_in)


def quarter_arg() -> Quarter:
    """The ``quarter`` query argument, or the current quarter (with a message if it was bad)."""
    text = request.args.get("quarter", "").strip()
    if text:
        try:
            return Quarter.parse(text)
        except QuarterError as exc:
            flash(_("quarter: %(error)s", error=str(exc)), "error")
    return Quarter.containing(today())


@bp.route("/<code>")
def show(code: str):
    """One region in one quarter: official figures, received and ceded per agreement, after
    sharing, the assessment-only dual counts and the projects that left or entered it."""
    quarter = quarter_arg()
    figures = regions.region_figures(get_session(), actor(), code, quarter)
    chart = bar_chart([(f"{i.name} ({i.unit})", i.unit, i.received, i.ceded)
                       for i in figures.indicators if i.lines],
                      labels=(_("Received"), _("Ceded")))
    return render_template("regions/show.html", figures=figures, quarter=quarter, chart=chart)
