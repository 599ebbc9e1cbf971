"""API: issued quarterly reports: list them, issue the next version, fetch a PDF as issued."""

from __future__ import annotations

from flask import Response, current_app, g, url_for

from app.db import get_session
from app.models.issued_reports import REPORT_KINDS
from app.services.reporting import issuing
from app.web.api.routing import ID, PAGE_QUERY, operation, page_json, page_schema, schema
from app.web.api.spec import Obj, OneOf, QuarterField, Text
from app.web.api.values import DATETIME, INTEGER, QUARTER, STRING, moment, obj

REPORT = schema("IssuedReport", obj({
    "id": INTEGER, "kind": {"type": "string", "enum": list(REPORT_KINDS)},
    "subject_code": STRING, "subject_name": STRING, "quarter": QUARTER, "version": INTEGER,
    "sha256": STRING, "fingerprint": STRING, "size": INTEGER, "pages": INTEGER,
    "changes": INTEGER, "issued_by": STRING, "issued_at": DATETIME, "pdf": STRING}))
ISSUE_INPUT = Obj({
    "kind": OneOf(REPORT_KINDS, required=True),
    "code": Text(32, required=True, description="fund code, agreement code or region code"),
    "quarter": QuarterField(required=True)})


def report_json(r) -> dict:
    """An issued report's record: version, SHA-256 of the PDF, data fingerprint, who and when."""
    return {"id": r.id, "kind": r.kind, "subject_code": r.subject_code,
            "subject_name": r.subject_name, "quarter": str(r.quarter), "version": r.version,
            "sha256": r.sha256, "fingerprint": r.fingerprint, "size": r.size, "pages": r.pages,
            "changes": r.changes, "issued_by": r.issued_by, "issued_at": moment(r.issued_at),
            "pdf": url_for("api.get_report_pdf", report_id=r.id)}


@operation("/reports", summary="Issued reports in your scope, newest first", tag="reports",
           response=page_schema("IssuedReportPage", REPORT),
           query={"kind": OneOf(REPORT_KINDS, default=None),
                  "code": Text(32, default=None, description="subject code"), **PAGE_QUERY})
def list_reports(args):
    """Fund, statement and regional reports issued for subjects you may read."""
    page = issuing.issued_page(get_session(), g.actor, kind=args["kind"], code=args["code"],
                               cursor=args["cursor"], per_page=args["limit"])
    return page_json(page, report_json)


@operation("/reports", "POST", summary="Issue the next version of a report", tag="reports",
           response=REPORT, status=201, body=("IssueInput", ISSUE_INPUT))
def issue_report(data):
    """Render and store the report (422 when nothing changed since the last version)."""
    report = issuing.issue(get_session(), g.actor, data["kind"], data["code"], data["quarter"],
                           time_zone=current_app.config["TIME_ZONE"])
    return report_json(report), {"Location": url_for("api.get_report_pdf", report_id=report.id)}


@operation(f"/reports/<{ID}:report_id>/pdf", summary="An issued report's PDF, as issued",
           tag="reports", media_type="application/pdf",
           response={"type": "string", "format": "binary"})
def get_report_pdf(report_id: int):
    """The stored bytes, exactly as issued (their SHA-256 is in the report's record)."""
    report, pdf = issuing.fetch(get_session(), g.actor, report_id)
    name = issuing.filename(report.kind, report.subject_code, report.quarter, report.version)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})
