"""Views of the project pages."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _

from app.db import get_session
from app.domain.codes import ProjectStatus, Role, ScreeningFlag
from app.services import screening
from app.services.access.scopes import can_edit_project, get_project, require_role
from app.services.funds import projects
from app.services.lists import web as list_pages
from app.services.parks import membership
from app.services.settlement import views as settlement_views
from app.web import lists
from app.web.common import (
    actor,
    coded_label,
    localized_name,
    require_sign_in,
    status_of,
    submit,
)
from app.web.projects.forms import ProjectForm

bp = Blueprint("projects", __name__, url_prefix="/projects")
bp.before_request(require_sign_in)


@bp.route("/")
def index():
    """A page of the projects in the user's scope, filtered and sorted as the URL says."""
    db = get_session()
    state = lists.ListState("projects.index", lists.read_args(
        "q", "source_region", "destination_region", "status", "catalogue", "park"), "code")
    status = lists.parse_choice(state, "status", ProjectStatus)
    flag = lists.parse_choice(state, "catalogue", ScreeningFlag)
    fetch = lambda **paging: list_pages.projects_page(db, actor(), **paging)  # noqa: E731
    filters = {"search": state.value("q"), "source_region": state.value("source_region"),
               "destination_region": state.value("destination_region"), "status": status,
               "catalogue": flag, "park": state.value("park")}
    if lists.export_format():
        exported = lists.export(state, fetch, "projects", _columns(), prepare=lambda rows: [
            (p, s) for p, s in zip(rows, _statuses(db, rows), strict=True)], **filters)
        if exported is not None:
            return exported
    lists.load(state, fetch, {"source_region": "region", "destination_region": "region",
                             "park": "park"},
               **filters)
    shown = projects.shown_statuses(db, state.rows)
    return render_template("projects/index.html", state=state, shown=shown,
                           statuses=lists.choices(ProjectStatus),
                           flags=screening.flags_of(db, [p.id for p in state.rows]),
                           flag_choices=lists.choices(ScreeningFlag)), state.status


def _statuses(db, rows: list) -> list:
    """Each project's status as the list shows it (see ``projects.shown_statuses``)."""
    shown = projects.shown_statuses(db, rows)
    return [shown.get(p.id, p.status) for p in rows]


def _columns() -> list:
    """The columns of the projects list's export, as the page shows them."""
    return [
        (_("Code"), lambda r: r[0].code), (_("Name"), lambda r: r[0].name),
        (_("Enterprise"), lambda r: r[0].enterprise),
        (_("From"), lambda r: localized_name(r[0].source_region)),
        (_("To"), lambda r: localized_name(r[0].destination_region)),
        (_("Mode"), lambda r: coded_label(r[0].cooperation_mode)),
        (_("Status"), lambda r: coded_label(r[1])),
        (_("Two-high"), lambda r: _("yes") if r[0].is_two_high else _("no"))]


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Register a project (fund managers and administrators)."""
    require_role(actor(), Role.ADMIN, Role.FUND_MANAGER)
    db = get_session()
    form = ProjectForm()
    done = submit(form, lambda: projects.create_project(db, actor(), form.to_data()),
                  lambda p: url_for("projects.show", project_id=p.id), _("Project registered."))
    return done or (render_template("projects/form.html", form=form, project=None),
                    status_of(form))


@bp.route("/<int:project_id>")
def show(project_id: int):
    """A project's attributes, with the status shown (and the recorded one when they differ)."""
    db = get_session()
    project = get_project(db, actor(), project_id)
    can_edit = can_edit_project(db, actor(), project)
    return render_template("projects/show.html", project=project,
                           shown=projects.shown_statuses(db, [project])[project.id],
                           can_edit=can_edit, catalogue=screening.shown(db, project.id),
                           may_decide=can_edit,
                           membership=membership.membership_of(db, actor(), project.id),
                           flowed_back=settlement_views.flowed_back(db, project))


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
def edit(project_id: int):
    """Change a project's attributes (optimistic locking on its version)."""
    db = get_session()
    project = get_project(db, actor(), project_id, for_edit=True)
    form = ProjectForm.for_project(project)
    done = submit(
        form,
        lambda: projects.update_project(db, actor(), project_id, int(form.version.data or 0),
                                        form.to_data()),
        lambda p: url_for("projects.show", project_id=p.id), _("Project saved."))
    return done or (render_template("projects/form.html", form=form, project=project),
                    status_of(form))
