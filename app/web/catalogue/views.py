"""Views of the catalogue: editions (every signed-in user reads them; administrators import and
choose the current one), an edition's entries, the projects whose flag an edition changed, and
the decision on a project to be reviewed."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_babel import gettext as _

from app.db import get_session
from app.services import screening
from app.services.access.scopes import get_project
from app.services.errors import NotFound
from app.services.exchange import exports
from app.services.exchange.imports.catalogue import import_catalogue, write_catalogue_template
from app.services.exchange.imports.limits import Limits
from app.services.funds import catalogue_changes
from app.services.reference import catalogue
from app.web.catalogue.forms import CurrentForm, DecisionForm, ImportForm
from app.web.common import (
    UNPROCESSABLE,
    actor,
    coded_label,
    localized,
    require_sign_in,
    status_of,
    submit,
)

bp = Blueprint("catalogue", __name__, url_prefix="/catalogue")
bp.before_request(require_sign_in)


def _require_admin() -> None:
    if not actor().is_admin:
        raise NotFound("page")


def _index(form: ImportForm | None, errors: list[str] | None = None, status: int = 200):
    db = get_session()
    return render_template("catalogue/index.html", editions=catalogue.list_editions(db),
                           form=form, errors=errors or [],
                           current_form=CurrentForm()), status


@bp.route("/")
def index():
    """The editions, the current one first in mind; the import form for administrators."""
    return _index(ImportForm() if actor().is_admin else None)


@bp.route("/template.xlsx")
def template():
    """The XLSX template of an edition file (headers, an example, drop-down lists)."""
    out = io.BytesIO()
    write_catalogue_template(get_session(), out)
    out.seek(0)
    return send_file(out, mimetype=exports.MEDIA_TYPES["xlsx"], as_attachment=True,
                     download_name="catalogue-template.xlsx")


@bp.route("/import", methods=["POST"])
def import_edition():
    """Import an edition file: all of it or nothing, every bad row named."""
    _require_admin()
    form = ImportForm()
    if not form.validate():
        return _index(form, status=UNPROCESSABLE)
    db = get_session()
    upload = form.file.data
    result = import_catalogue(
        db, actor(), io.BytesIO(upload.read()), upload.filename or "", data=catalogue.EditionData(
            name=form.name.data or "", published_on=form.published_on.data,
            source_note=form.source_note.data or "", is_sample=bool(form.is_sample.data)),
        make_current=bool(form.make_current.data),
        limits=Limits.from_config(current_app.config, seconds_key="UPLOAD_MAX_SECONDS"))
    if not result.ok:
        db.rollback()
        return _index(form, [localized(e) for e in result.errors], UNPROCESSABLE)
    db.commit()
    flash(_("Edition %(name)s imported: %(n)d entries.", name=result.edition,
            n=result.entries), "success")
    if result.activation is not None:
        return redirect(url_for("catalogue.changes", edition_id=result.edition_id))
    return redirect(url_for("catalogue.show", edition_id=result.edition_id))


@bp.route("/<int:edition_id>")
def show(edition_id: int):
    """An edition's entries, by region and list."""
    db = get_session()
    edition = catalogue.get_edition(db, edition_id)
    return render_template("catalogue/show.html", edition=edition,
                           entries=catalogue.entries_of(db, edition_id),
                           current_form=CurrentForm())


@bp.route("/<int:edition_id>/current", methods=["POST"])
def make_current(edition_id: int):
    """Make the edition current and re-screen every project; then show what changed."""
    _require_admin()
    form = CurrentForm()
    if not form.validate():
        raise NotFound("page")
    db = get_session()
    activation = catalogue_changes.activate(db, actor(), edition_id)
    db.commit()
    flash(_("%(name)s is the current edition: %(n)d projects screened, %(changed)d changed.",
            name=activation.edition.name, n=activation.screened,
            changed=len(activation.changes)), "success")
    return redirect(url_for("catalogue.changes", edition_id=edition_id))


@bp.route("/<int:edition_id>/changes")
def changes(edition_id: int):
    """The projects (in the user's scope) whose flag under this edition differs from their flag
    under the edition it replaced."""
    db = get_session()
    edition = catalogue.get_edition(db, edition_id)
    return render_template("catalogue/changes.html", edition=edition,
                           changes=screening.changes(db, actor(), edition))


@bp.route("/results/<int:result_id>/decide", methods=["GET", "POST"])
def decide(result_id: int):
    """Record which list applies to a project to be reviewed, and why."""
    db = get_session()
    result = screening.result_by_id(db, result_id)
    project = get_project(db, actor(), result.project_id)
    if not screening.may_decide(db, actor(), project):
        raise NotFound("page")
    form = DecisionForm(version=result.version)
    form.fill_choices(coded_label)
    if form.list.data is None and result.decided_list is not None:
        form.list.data = result.decided_list.value
    done = submit(form, lambda: screening.decide(
        db, actor(), result_id, int(form.version.data or 0), form.list.data or "",
        form.reason.data or ""),
        lambda r: url_for("projects.show", project_id=r.project_id), _("Decision recorded."))
    shown = screening.shown(db, project.id)
    return done or (render_template("catalogue/decide.html", form=form, project=project,
                                    shown=shown, result=result), status_of(form))
