"""Views of import and export: upload → dry-run preview (every error by row) → confirm."""

from __future__ import annotations

import io
import tempfile

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.db import get_session
from app.services.errors import NotFound
from app.services.exchange import exports
from app.services.exchange.imports import WORKBOOK, import_file, importable_kinds, may_import
from app.services.exchange.imports.layout import EXPORTED
from app.services.exchange.imports.limits import Limits
from app.services.exchange.imports.sources import SNIFF_BYTES, UnreadableFile, file_type
from app.services.exchange.imports.templates import write_template
from app.services.exchange.imports.uploads import discard_upload, get_upload, store_upload
from app.web.common import UNPROCESSABLE, actor, localized, parse_id_or_404, require_sign_in
from app.web.exchange.forms import ConfirmForm, UploadForm

bp = Blueprint("exchange", __name__, url_prefix="/exchange")
bp.before_request(require_sign_in)

LABELS = {"funds": _l("Funds"), "commitments": _l("LP commitments"), "projects": _l("Projects"),
          "parks": _l("Parks"), "park_members": _l("Park membership"),
          "movements": _l("Capital movements"), "transactions": _l("Investment transactions"),
          "valuations": _l("Valuations"), "observations": _l("Observations"),
          "notices": _l("Settlement notices"),
          WORKBOOK: _l("Workbook (one sheet per kind)")}
XLSX = exports.MEDIA_TYPES["xlsx"]


def _limits() -> Limits:
    """The import limits of an upload: the configured ones, with the web's shorter time."""
    return Limits.from_config(current_app.config, seconds_key="UPLOAD_MAX_SECONDS")


def _upload_form() -> UploadForm:
    form = UploadForm()
    kinds = importable_kinds(actor())
    form.kind.choices = [(k, str(LABELS[k])) for k in [*kinds, WORKBOOK] if may_import(actor(), k)]
    return form


def _index(form: UploadForm, status: int = 200):
    return render_template("exchange/index.html", form=form, labels=LABELS, kinds=EXPORTED,
                           importable=[k for k, _label in form.kind.choices]), status


@bp.route("/")
def index():
    """Upload a file to import, download templates, export what the user can see."""
    return _index(_upload_form())


@bp.route("/preview", methods=["POST"])
def preview():
    """Check the uploaded file with a dry run and show what importing it would do."""
    form = _upload_form()
    if not form.kind.choices:
        raise NotFound("page")
    if not form.validate():
        return _index(form, UNPROCESSABLE)
    filename = form.file.data.filename or ""
    content = form.file.data.read()
    try:
        file_type(filename, content[:SNIFF_BYTES])
    except UnreadableFile as exc:
        form.file.errors = [*form.file.errors, localized(exc.args[0])]
        return _index(form, UNPROCESSABLE)
    db = get_session()
    db.rollback()  # end the sign-in's read: no transaction waits while the file is opened
    result = import_file(db, actor(), form.kind.data, io.BytesIO(content), filename,
                         dry_run=True, limits=_limits())
    confirm = None
    if result.ok and result.total("changes"):
        confirm = ConfirmForm(upload_id=store_upload(db, actor(), form.kind.data, filename,
                                                     content).id)
    db.commit()
    return _preview(result, filename, form.kind.data, confirm)


def _preview(result, filename: str, kind: str, confirm: ConfirmForm | None):
    return render_template("exchange/preview.html", result=result, filename=filename,
                           kind=kind, labels=LABELS, confirm=confirm
                           ), 200 if result.ok else UNPROCESSABLE


@bp.route("/confirm", methods=["POST"])
def confirm():
    """Import the previewed file for real: all of it, or nothing."""
    form = ConfirmForm()
    if not form.validate():
        raise NotFound("page")
    db = get_session()
    upload = get_upload(db, actor(), parse_id_or_404(form.upload_id.data))
    result = import_file(db, actor(), upload.kind, io.BytesIO(upload.content), upload.filename,
                         dry_run=False, limits=_limits())
    if not result.ok:  # the data changed since the preview
        db.rollback()
        return _preview(result, upload.filename, upload.kind, None)
    filename = upload.filename
    discard_upload(db, upload)
    db.commit()
    flash(_("%(file)s imported: %(added)d added, %(updated)d updated, %(unchanged)d unchanged.",
            file=filename, added=result.total("added"), updated=result.total("updated"),
            unchanged=result.total("unchanged")), "success")
    return redirect(url_for("exchange.index"))


@bp.route("/template")
def template():
    """An XLSX template of a kind: headers, an example row, drop-down lists."""
    kind = request.args.get("kind", "")
    if not may_import(actor(), kind):
        abort(404)
    out = io.BytesIO()
    write_template(get_session(), kind, out)
    out.seek(0)
    return send_file(out, mimetype=XLSX, as_attachment=True,
                     download_name=f"template-{kind}.xlsx")


@bp.route("/export")
def export():
    """What the user can see of a kind, as CSV or XLSX in the import layout."""
    kind, fmt = request.args.get("kind", ""), request.args.get("format", "csv")
    if kind not in EXPORTED or fmt not in exports.FORMATS:
        abort(404)
    out = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - send_file closes it
    exports.export(get_session(), actor(), kind, fmt, out)
    out.seek(0)
    return send_file(out, mimetype=exports.MEDIA_TYPES[fmt], as_attachment=True,
                     download_name=f"{kind}.{fmt}")
