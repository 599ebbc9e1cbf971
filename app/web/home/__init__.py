"""The start page: each role's figures and to-dos, and the transfer flows in the user's scope."""

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _

from app.db import get_session
from app.domain.codes import Role
from app.domain.quarter import Quarter
from app.services.home.overview import home_page
from app.services.sharing import timeliness
from app.web.common import actor, local_today, require_sign_in, today
from app.web.flow_chart import flow_chart, flow_table

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    """The home page of the signed-in user's roles, or the sign-in page."""
    if require_sign_in():
        return redirect(url_for("auth.sign_in"))
    page = home_page(get_session(), actor(), Quarter.containing(today()))
    rates = None
    if actor().has(Role.AUDITOR):  # the destinations' timeliness, this year and the last
        local = local_today()
        rates = [row for year in (local.year, local.year - 1)
                 for row in timeliness.timeliness(get_session(), actor(), year, local)]
    return render_template(
        "home/index.html", actor=actor(), page=page, timeliness_rows=rates,
        flows_svg=flow_chart(page.flows, _("Transfer flows between macro-regions")),
        flows_table=flow_table(page.flows))


@bp.route("/health")
def health():
    """Liveness for load balancers: the process answers (no database call)."""
    return {"status": "ok"}
