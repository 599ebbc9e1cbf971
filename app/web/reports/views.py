"""Views of the reports: download a draft, issue, list issued reports, fetch an issued PDF."""

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

from app.db import get_session
from app.domain.codes import QuarterState, SettlementState
from app.domain.quarter import Quarter, QuarterError
from app.domain.regions import is_within
from app.services.access.scopes import can_edit_fund
from app.services.errors import Conflict, ValidationFailed
from app.services.reporting import issuing
from app.services.reporting.builders import BUILDERS
from app.services.sharing.agreements import party_in_scope
from app.web.common import (
    REPORT_KINDS,
    actor,
    local_time,
    localized_errors,
    require_sign_in,
    today,
)
from app.web.confirm_step import ask, is_confirmed
from app.web.people import person

bp = Blueprint("reports", __name__, url_prefix="/reports")
bp.before_request(require_sign_in)
PAGE_SIZE = 50


def _kind_and_quarter(kind: str, quarter: str) -> Quarter:
    """404 for an unknown kind or a text that is not a quarter."""
    if kind not in BUILDERS:
        abort(404)
    try:
        return Quarter.parse(quarter)
    except QuarterError:
        abort(404)


def _pdf(data: bytes, name: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<kind>/<code>/<quarter>.pdf")
def download(kind: str, code: str, quarter: str):
    """The report rendered from today's data, marked as a draft (404 out of scope)."""
    rendered = issuing.draft(get_session(), actor(), kind, code,
                             _kind_and_quarter(kind, quarter),
                             time_zone=current_app.config["TIME_ZONE"])
    return _pdf(rendered.pdf, rendered.filename)


@bp.route("/<kind>/<code>/<quarter>/issue", methods=["POST"])
def issue(kind: str, code: str, quarter: str):
    """Issue the next version of a report, then show it in the list of issued reports."""
    parsed = _kind_and_quarter(kind, quarter)
    session = get_session()
    try:
        if not is_confirmed():
            return _ask_issue(issuing.next_issue(session, actor(), kind, code, parsed))
        report = issuing.issue(session, actor(), kind, code, parsed,
                               time_zone=current_app.config["TIME_ZONE"])
        session.commit()
    except (ValidationFailed, Conflict) as exc:
        session.rollback()
        errors = localized_errors(exc.errors if isinstance(exc, ValidationFailed)
                                  else {"report": [exc.args[0] if exc.args else str(exc)]})
        for message in (m for messages in errors.values() for m in messages):
            flash(message, "error")
        back = request.referrer or ""
        same_site = back.startswith(request.host_url)  # never send anyone elsewhere
        return redirect(back if same_site else url_for("reports.index", kind=kind, code=code))
    flash(_("Issued: %(kind)s %(code)s %(quarter)s, version %(version)s, issued %(time)s by "
            "%(who)s.", kind=REPORT_KINDS[report.kind], code=report.subject_code,
            quarter=report.quarter, version=report.version, time=local_time(report.issued_at),
            who=person(report.issued_by_id, report.issued_by)), "success")
    return redirect(url_for("reports.index", kind=kind, code=report.subject_code))


def _ask_issue(upcoming: issuing.NextIssue):
    """The confirmation page before a report is issued for good."""
    report = _("%(kind)s %(code)s %(quarter)s", kind=REPORT_KINDS[upcoming.kind],
               code=upcoming.subject.code, quarter=upcoming.quarter)
    lines = [_("This issues %(report)s (%(name)s) as version %(version)s: the PDF is stored with "
               "its SHA-256 and shown in the list of issued reports.", report=report,
               name=upcoming.subject.name, version=upcoming.version)]
    if upcoming.previous_version:
        lines.append(_("It follows version %(previous)s and lists what changed since.",
                       previous=upcoming.previous_version))
    back = request.referrer or ""
    if not back.startswith(request.host_url):
        back = url_for("reports.index", kind=upcoming.kind, code=upcoming.subject.code)
    return ask(title=_("Issue %(report)s, version %(version)s?", report=report,
                       version=upcoming.version),
               lines=lines,
               warning=_("An issued report can never be changed or withdrawn: a later change of "
                         "its data needs a new version."),
               action=request.path, fields={},
               yes=_("Yes, issue version %(version)s", version=upcoming.version), back=back)


@bp.route("/")
def index():
    """The issued reports in the user's scope, newest first (keyset pages of 50); a cursor that
    is not one this list gave out is reported and the first page shown."""
    kind = request.args.get("kind", "") if request.args.get("kind", "") in BUILDERS else ""
    code = request.args.get("code", "").strip()

    def page_at(cursor):
        return issuing.issued_page(get_session(), actor(), kind=kind or None, code=code or None,
                                   cursor=cursor, per_page=PAGE_SIZE)
    try:
        page = page_at(request.args.get("cursor") or None)
    except ValidationFailed as exc:
        for messages in localized_errors(exc.errors).values():
            for message in messages:
                flash(message, "error")
        page = page_at(None)
    return render_template("reports/index.html", page=page, reports=page.items, kind=kind,
                           code=code, kinds=REPORT_KINDS)


VERIFY_MAX_BYTES = 20 * 1024 * 1024  # an issued report is far smaller; more is refused unread


@bp.route("/verify", methods=["POST"])
def verify():
    """Check an uploaded PDF against the issued reports (the service behind ``flask report
    verify``): issued and unchanged, a copy whose data changed since, or not an issued report.
    A file that is not a PDF, empty or too large gets a clear message, never an error page."""
    upload = request.files.get("pdf")
    problem = None
    pdf = upload.stream.read(VERIFY_MAX_BYTES + 1) if upload else b""
    if not pdf:
        problem = _("Choose a PDF file to check.")
    elif len(pdf) > VERIFY_MAX_BYTES:
        problem = _("This file is larger than %(size)s MB: it is not an issued report.",
                    size=VERIFY_MAX_BYTES // (1024 * 1024))
    elif pdf.lstrip()[:5] != b"%PDF-":
        problem = _("This file is not a PDF.")
    result = None
    if problem is None:
        try:
            result = issuing.verify(get_session(), pdf)
        except ValueError:  # a damaged Info dictionary
            problem = _("This PDF is damaged: it is not an issued report.")
    status = 200 if problem is None else 422
    return render_template("reports/verified.html", result=result, problem=problem,
                           name=upload.filename if upload else "", kinds=REPORT_KINDS), status


@bp.route("/issued/<int:report_id>.pdf")
def issued(report_id: int):
    """An issued report's stored bytes, exactly as issued (404 out of scope)."""
    report, pdf = issuing.fetch(get_session(), actor(), report_id)
    return _pdf(pdf, issuing.filename(report.kind, report.subject_code, report.quarter,
                                      report.version))


@bp.app_template_global("may_issue_report")
def may_issue_report(kind: str, subject, state=None) -> bool:
    """Whether to offer the issue button: a fund's managers and administrators; a bureau of one
    of an agreement's parties once the quarter is closed; the region's bureau (the service
    checks again)."""
    who = actor()
    if kind == "fund":
        return can_edit_fund(who, subject.id)
    if kind == "statement":
        return state == QuarterState.CLOSED and any(party_in_scope(who, p)
                                                    for p in subject.parties)
    if kind == "settlement":
        return state == SettlementState.CONFIRMED and any(party_in_scope(who, p)
                                                          for p in subject.parties)
    return any(is_within(subject, region) for region in who.bureau_regions)


@bp.app_template_global("report_not_ended")
def report_not_ended(kind: str, quarter: Quarter) -> bool:
    """Whether a fund or regional report's quarter has not ended yet: the page then says when
    it is issued instead of offering a button the service would refuse (statements follow their
    quarter's closing instead)."""
    return issuing.not_ended(kind, quarter, today())
