"""Views of the project pages."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _

from app.db import get_session
from app.domain.codes import ProjectStatus, Role
from app.services.access.scopes import can_edit_project, get_project, require_role
from app.services.funds import projects
from app.services.lists import web as list_pages
from app.services.parks import membership
from app.web import lists
from app.web.common import actor, require_sign_in, status_of, submit
from app.web.projects.forms import ProjectForm

bp = Blueprint("projects", __name__, url_prefix="/projects")
bp.before_request(require_sign_in)


@bp.route("/")
def index():
    """A page of the projects in the user's scope, filtered and sorted as the URL says."""
    db = get_session()
    state = lists.ListState("projects.index", lists.read_args(
        "q", "source_region", "destination_region", "status", "park"), "code")
    status = lists.parse_choice(state, "status", ProjectStatus)
    lists.load(state, lambda **paging: list_pages.projects_page(db, actor(), **paging),
               {"source_region": "region", "destination_region": "region", "park": "park"},
               search=state.value("q"), source_region=state.value("source_region"),
               destination_region=state.value("destination_region"), status=status,
               park=state.value("park"))
    shown = projects.shown_statuses(db, state.rows)
    return render_template("projects/index.html", state=state, shown=shown,
                           statuses=lists.choices(ProjectStatus)), state.status


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
    return render_template("projects/show.html", project=project,
                           shown=projects.shown_statuses(db, [project])[project.id],
                           membership=membership.membership_of(db, actor(), project.id),
                           can_edit=can_edit_project(db, actor(), project))


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
