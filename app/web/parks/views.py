"""Views of the park pages: the register (list, new, edit), a park's page, and a project's
park."""

from __future__ import annotations

import re

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _

from app.db import get_session
from app.domain.codes import ParkType, Role
from app.domain.quarter import Quarter
from app.services.access.scopes import get_project, require_role
from app.services.errors import NotFound
from app.services.exchange import tables
from app.services.lists import web as list_pages
from app.services.parks import membership, register
from app.services.reporting.builders import zone as zone_report
from app.services.reporting.park_figures import park_figures
from app.web import lists
from app.web.common import (
    actor,
    coded_label,
    localized_name,
    require_sign_in,
    status_of,
    submit,
    today,
)
from app.web.parks.forms import MembershipForm, park_form_class

bp = Blueprint("parks", __name__, url_prefix="/parks")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
bp.before_request(require_sign_in)


@bp.route("/")
def index():
    """A page of the parks in the user's scope, filtered and sorted as the URL says."""
    db = get_session()
    state = lists.ListState("parks.index", lists.read_args("q", "park_type", "region"), "code")
    park_type = lists.parse_choice(state, "park_type", ParkType)
    fetch = lambda **paging: list_pages.parks_page(db, actor(), **paging)  # noqa: E731
    filters = {"search": state.value("q"), "park_type": park_type,
               "region": state.value("region")}
    if lists.export_format():
        exported = lists.export(state, fetch, "parks", [
            (_("Code"), lambda p: p.code), (_("Name"), lambda p: p.name),
            (_("Type"), lambda p: coded_label(p.park_type)),
            (_("Host region"), lambda p: p.host_region.code),
            (_("Partners"), lambda p: "; ".join(f"{p2.region.code} {localized_name(p2.region)} "
                                                f"· {coded_label(p2.role)}"
                                                for p2 in p.partners)),
            (_("Approving document"), lambda p: p.approving_document or ""),
            (_("Cycle start"), lambda p: p.cycle_start.isoformat()),
            (_("Cycle end"), lambda p: p.cycle_end.isoformat() if p.cycle_end else ""),
            (_("Planned area (亩)"), lambda p: p.planned_area)], **filters)
        if exported is not None:
            return exported
    lists.load(state, fetch, {"region": "region"}, **filters)
    return render_template("parks/index.html", state=state,
                           types=lists.choices(ParkType)), state.status


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Register a park (administrators)."""
    require_role(actor(), Role.ADMIN)
    db = get_session()
    form = park_form_class()()
    done = submit(form, lambda: register.create_park(db, actor(), form.to_data()),
                  lambda p: url_for("parks.show", park_id=p.id), _("Park registered."))
    return done or (render_template("parks/form.html", form=form, park=None), status_of(form))


@bp.route("/<int:park_id>")
def show(park_id: int):
    """A park: its regions, cycle and industries, its projects and the investment in them, the
    indicators they reported in the latest closed quarter (or ``?quarter=``) and what the
    agreements covering them share."""
    db = get_session()
    quarter = _quarter()
    figures = park_figures(db, actor(), park_id, quarter)
    return render_template("parks/show.html", park=figures.park, figures=figures,
                           quarter=quarter, can_edit=register.can_edit_parks(actor()))


def _quarter() -> Quarter:
    """``?quarter=`` when it is a valid quarter, else the latest ended quarter."""
    try:
        return Quarter.parse(request.args.get("quarter", ""))
    except ValueError:
        return Quarter.containing(today()) - 1


@bp.route("/<int:park_id>/summary/<int:year>.xlsx")
def summary_xlsx(park_id: int, year: int):
    """A national zone's annual summary of ``year`` as a workbook (the PDF's very data)."""
    if not 1900 <= year <= 2999:
        raise NotFound("year")
    db = get_session()
    park = register.get_park(db, actor(), park_id)
    subject = zone_report.subject(db, actor(), park.code)
    data = zone_report.collect(db, subject, Quarter(year, 4))
    response = Response(zone_report.workbook(data), mimetype=tables.MEDIA_TYPES["xlsx"])
    response.headers["Content-Disposition"] = \
        f'attachment; filename="zone-{_SAFE.sub("_", park.code)}-{year}.xlsx"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:park_id>/edit", methods=["GET", "POST"])
def edit(park_id: int):
    """Change a park (administrators; optimistic locking on its version)."""
    db = get_session()
    park = register.get_park(db, actor(), park_id, for_edit=True)
    form = park_form_class()()
    if not form.is_submitted():
        form.fill(park)
    done = submit(
        form, lambda: register.update_park(db, actor(), park_id, int(form.version.data or 0),
                                           form.to_data()),
        lambda p: url_for("parks.show", park_id=p.id), _("Park saved."))
    return done or (render_template("parks/form.html", form=form, park=park), status_of(form))


@bp.route("/project/<int:project_id>", methods=["GET", "POST"])
def project_park(project_id: int):
    """Put a project in a park, change its dates, or take it out."""
    db = get_session()
    project = get_project(db, actor(), project_id, for_edit=True)
    current = membership.membership_of(db, actor(), project.id)
    form = MembershipForm()
    visible = membership.parks_to_choose(db, actor(), project)
    form.park.choices = [("", _("(none)"))] + [(p.code, f"{p.name} ({p.code})") for p in visible]
    if not form.is_submitted() and current is not None:
        form.version.data = current.version
        form.park.data = current.park.code
        form.joined_on.data, form.left_on.data = current.joined_on, current.left_on
    done = submit(
        form, lambda: membership.set_membership(
            db, actor(), project.id, form.park.data or "", form.joined_on.data,
            form.left_on.data, int(form.version.data) if form.version.data else None),
        lambda _m: url_for("projects.show", project_id=project.id), _("Park saved."))
    return done or (render_template("parks/membership.html", form=form, project=project),
                    status_of(form))
