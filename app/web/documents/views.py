"""Attach, supersede and download documents; the Attachments panel shown by the pages of the
objects they belong to (``attachments_panel`` and ``review_documents`` in templates)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup

from app.db import get_session
from app.domain.quarter import Quarter, QuarterError
from app.models.documents import OBJECT_KINDS, Attachment
from app.services.documents import attachments
from app.services.documents.content import TYPES
from app.services.documents.names import content_disposition
from app.services.documents.subjects import Subject, Target, resolve
from app.services.errors import Conflict, ValidationFailed
from app.services.limits import Limits
from app.web.common import UNPROCESSABLE, actor, attach_errors, localized, require_sign_in
from app.web.documents.forms import AttachForm

bp = Blueprint("documents", __name__, url_prefix="/documents")
bp.before_request(require_sign_in)

DOWNLOAD_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'"
"""A downloaded document runs nothing, even if a browser were to display it."""


def target_of(kind: str, object_id: int, quarter: str | Quarter | None = None) -> Target:
    """The target named by a URL (404 for an unknown kind or a malformed quarter)."""
    if kind not in OBJECT_KINDS:
        abort(404)
    if quarter is not None and not isinstance(quarter, Quarter):
        try:
            quarter = Quarter.parse(quarter)
        except QuarterError:
            abort(404)
        if not 1900 <= quarter.year <= 2999:
            abort(404)
    return Target(kind, object_id, quarter)


def page_of(subject: Subject) -> str:
    """The page of the object the documents belong to, at its Attachments panel."""
    target = subject.target
    if target.kind == "investment":
        return url_for("investments.show", investment_id=target.object_id) + "#attachments"
    if target.kind == "agreement":
        return url_for("agreements.show", agreement_id=target.object_id) + "#attachments"
    anchor = "#attachments" if target.kind == "quarter" else f"#review-{target.object_id}"
    return url_for("statements.show", agreement_id=subject.agreement.id,
                   quarter=str(subject.quarter)) + anchor


ROUTES = {
    "agreement": ("/agreement/<int:agreement_id>", "agreement_id"),
    "quarter": ("/quarter/<int:agreement_id>/<quarter>", "agreement_id"),
    "query": ("/query/<int:review_id>", "review_id"),
    "answer": ("/answer/<int:review_id>", "review_id"),
    "investment": ("/investment/<int:investment_id>", "investment_id"),
}
"""The attach form of each kind of object: its URL and the name of the object's id in it."""


def upload_url(target: Target) -> str:
    """Where the attach form of a target posts."""
    values = {ROUTES[target.kind][1]: target.object_id}
    if target.quarter is not None:
        values["quarter"] = str(target.quarter)
    return url_for(f"documents.attach_{target.kind}", **values)


def _upload(form: AttachForm) -> attachments.UploadedFile:
    storage = request.files.get("file")
    data = storage.read() if storage is not None and (storage.filename or "") != "" else None
    return attachments.UploadedFile(
        filename=storage.filename if storage is not None else "", data=data,
        declared_type=storage.mimetype if storage is not None else "",
        note=form.note.data or "")


def _limits() -> dict:
    config = current_app.config
    return {"max_bytes": config["MAX_CONTENT_LENGTH"],
            "limits": Limits.from_config(config, seconds_key="UPLOAD_MAX_SECONDS")}


def _save(form: AttachForm, action) -> Attachment | None:
    """Run ``action`` in one transaction; field errors on the form and None when refused."""
    db = get_session()
    if not form.validate_on_submit():
        return None
    try:
        result = action()
        db.commit()
    except ValidationFailed as exc:
        db.rollback()
        attach_errors(form, exc.errors)
        return None
    except Conflict as exc:
        db.rollback()
        form.conflict = localized(exc.args[0])
        return None
    return result


def attach(kind: str, object_id: int, quarter: str | None = None):
    """Attach a file to an object the user may write (else 404); errors beside the fields."""
    target = target_of(kind, object_id, quarter)
    db = get_session()
    subject = resolve(db, actor(), target, for_write=True)
    form = AttachForm()
    if request.method == "POST":
        done = _save(form, lambda: attachments.attach(db, actor(), target, _upload(form),
                                                      **_limits()))
        if done is not None:
            flash(_("%(name)s attached.", name=done.filename), "success")
            return redirect(page_of(subject))
    return render_template("documents/attach.html", form=form, subject=subject, old=None,
                           action=upload_url(target), back=page_of(subject)), \
        UNPROCESSABLE if request.method == "POST" else 200


def _register_attach_routes() -> None:
    for kind, (rule, id_name) in ROUTES.items():
        def view(kind=kind, id_name=id_name, **values):
            return attach(kind, values[id_name], values.get("quarter"))
        bp.add_url_rule(rule, f"attach_{kind}", view, methods=["GET", "POST"])


_register_attach_routes()


@bp.route("/<int:attachment_id>/supersede", methods=["GET", "POST"])
def supersede(attachment_id: int):
    """Supersede a document with a new file (the old one stays, marked superseded)."""
    db = get_session()
    old, _subject = attachments.get_attachment(db, actor(), attachment_id)
    subject = resolve(db, actor(), _subject.target, for_write=True)
    form = AttachForm()
    if request.method == "POST":
        version = int(form.version.data) if (form.version.data or "").isdigit() else None
        done = _save(form, lambda: attachments.supersede(
            db, actor(), attachment_id, _upload(form), version=version, **_limits()))
        if done is not None:
            flash(_("%(old)s is superseded by %(name)s.", old=old.filename, name=done.filename),
                  "success")
            return redirect(page_of(subject))
    else:
        form.version.data = str(old.version)
    return render_template("documents/attach.html", form=form, subject=subject, old=old,
                           action=url_for("documents.supersede", attachment_id=attachment_id),
                           back=page_of(subject)), \
        UNPROCESSABLE if request.method == "POST" else 200


@bp.route("/<int:attachment_id>/download")
def download(attachment_id: int):
    """The document's bytes as stored, with its detected type; the download is audit-trailed."""
    db = get_session()
    document, data = attachments.download(db, actor(), attachment_id)
    db.commit()
    return file_response(document, data)


def file_response(document: Attachment, data: bytes) -> Response:
    """A stored document as a download: its detected type, never sniffed, scripts stopped."""
    return Response(data, headers={
        "Content-Type": document.content_type,
        "Content-Disposition": content_disposition(document.filename),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": DOWNLOAD_POLICY,
        "Content-Length": str(len(data))})


def attachments_panel(kind: str, object_id: int, quarter: Quarter | None = None) -> Markup:
    """The Attachments panel of an object the page has shown (its scope already checked)."""
    db = get_session()
    subject, items = attachments.list_attachments(db, actor(), Target(kind, object_id, quarter))
    html = render_template("documents/_panel.html", subject=subject, items=items,
                           action=upload_url(subject.target), form=AttachForm())
    return Markup(html)  # noqa: S704  (an autoescaped template's output)


def review_documents(reviews) -> dict[str, list[Attachment]]:
    """The documents of the queries and answers of a quarter's reviews, in one query, by
    ``query-<id>`` and ``answer-<id>``."""
    ids = [r.id for r in reviews]
    found: dict[str, list[Attachment]] = {}
    for item in attachments.review_attachments(get_session(), ids):
        found.setdefault(f"{item.object_kind}-{item.object_id}", []).append(item)
    return found


@bp.app_context_processor
def _helpers():
    return {"attachments_panel": attachments_panel, "review_documents": review_documents,
            "attach_form": AttachForm, "document_types": TYPES}
