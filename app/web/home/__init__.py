"""The start page: each role's figures and to-dos, and the transfer flows in the user's scope."""

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _

from app.db import get_session
from app.domain.codes import Role
from app.domain.quarter import Quarter
from app.services.access import audit_words
from app.services.home.overview import home_page
from app.services.sharing import timeliness
from app.web.common import actor, local_today, require_sign_in, said, today
from app.web.flow_chart import flow_chart, flow_table
from app.web.people import remember

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    """The home page of the signed-in user's roles, or the sign-in page."""
    if require_sign_in():
        return redirect(url_for("auth.sign_in"))
    db = get_session()
    page = home_page(db, actor(), Quarter.containing(today()))
    remember(_people_on(page))  # everyone the page names, in one query
    words = audit_words.describe_entries(db, page.recent) if page.recent else {}
    rates = None
    if actor().has(Role.AUDITOR):  # the destinations' timeliness, this year and the last
        local = local_today()
        rates = timeliness.timeliness_of_years(db, actor(), [local.year, local.year - 1], local)
    return render_template(
        "home/index.html", actor=actor(), page=page, words=words, said=said,
        timeliness_rows=rates,
        flows_svg=flow_chart(page.flows, _("Transfer flows between macro-regions")),
        flows_table=flow_table(page.flows))


def _people_on(page) -> set[int | None]:
    """The ids of the users the home page names (requesters, submitters, auditors, actors)."""
    ids: set[int | None] = set()
    for pending in (page.to_approve, page.awaiting_others):
        ids.update(r.requested_by_id for r in (pending.rows if pending else []))
    if page.sharing:
        ids.update(t.submitted_by_id for t in page.sharing.confirm.rows)
    ids.update(q.auditor_id for q in (page.queries.rows if page.queries else []))
    ids.update(e.actor_id for e in page.recent or [])
    return ids


@bp.route("/health")
def health():
    """Liveness for load balancers: the process answers (no database call)."""
    return {"status": "ok"}
