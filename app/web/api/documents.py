"""API: documents attached to agreements, quarters, queries and answers, and investments: list
them, upload one (multipart ``file`` and ``note``), supersede one, fetch one's bytes."""

from __future__ import annotations

from flask import current_app, g, request, url_for

from app.db import get_session
from app.models.documents import OBJECT_KINDS
from app.services.documents import attachments
from app.services.documents.content import TYPES
from app.services.documents.subjects import Target
from app.services.limits import Limits
from app.web.api.routing import ID, operation, schema
from app.web.api.spec import QuarterField
from app.web.api.values import DATETIME, INTEGER, QUARTER, STRING, arr, moment, nullable, obj
from app.web.documents.views import file_response

ATTACHMENT = schema("Attachment", obj({
    "id": INTEGER, "object_kind": {"type": "string", "enum": list(OBJECT_KINDS)},
    "object_id": INTEGER, "quarter": nullable(QUARTER), "filename": STRING,
    "file_type": {"type": "string", "enum": ["pdf", "ofd", "png", "jpeg", "xlsx", "csv"]},
    "content_type": STRING, "size": {**INTEGER, "description": "bytes"},
    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}, "note": STRING,
    "uploaded_by": STRING, "uploaded_at": DATETIME,
    "superseded_by": nullable(INTEGER), "superseded_at": nullable(DATETIME),
    "version": INTEGER, "content": STRING}))
ATTACHMENTS = schema("Attachments", obj({"items": arr(ATTACHMENT)}))
MEDIA_TYPES = (*(t.content_type for t in TYPES.values() if t.code != "csv"),
               "text/csv; charset=utf-8", "text/csv; charset=gb18030")
"""What a document's bytes are served as: the type detected from its content."""
_QUARTER = {"quarter": QuarterField()}
_OBJECTS = (
    ("agreement", f"/agreements/<{ID}:agreement_id>/attachments", {},
     "an agreement (the signed agreement)"),
    ("quarter", f"/agreements/<{ID}:agreement_id>/quarters/<quarter>/attachments", _QUARTER,
     "a quarter of an agreement (the signed statement)"),
    ("query", f"/queries/<{ID}:review_id>/attachments", {}, "an auditor's query"),
    ("answer", f"/queries/<{ID}:review_id>/answer/attachments", {}, "the answer to a query"),
    ("investment", f"/investments/<{ID}:investment_id>/attachments", {},
     "an investment (the contract)"),
)


def attachment_json(a) -> dict:
    """A document's record: what it is attached to, name, detected type, size, SHA-256, who and
    when, what superseded it, and where its bytes are."""
    return {"id": a.id, "object_kind": a.object_kind, "object_id": a.object_id,
            "quarter": str(a.quarter) if a.quarter else None, "filename": a.filename,
            "file_type": a.file_type, "content_type": a.content_type, "size": a.size,
            "sha256": a.sha256, "note": a.note,
            "uploaded_by": a.uploaded_by.email if a.uploaded_by else "",
            "uploaded_at": moment(a.uploaded_at), "superseded_by": a.superseded_by_id,
            "superseded_at": moment(a.superseded_at), "version": a.version,
            "content": url_for("api.get_attachment_content", attachment_id=a.id)}


def _upload() -> attachments.UploadedFile:
    storage = request.files.get("file")
    data = storage.read() if storage is not None else None
    return attachments.UploadedFile(
        filename=(storage.filename or "") if storage is not None else "", data=data,
        declared_type=storage.mimetype if storage is not None else "",
        note=request.form.get("note", ""))


def _limits() -> dict:
    config = current_app.config
    return {"max_bytes": config["MAX_CONTENT_LENGTH"],
            "limits": Limits.from_config(config, seconds_key="UPLOAD_MAX_SECONDS")}


def _register(kind: str, rule: str, path: dict, what: str) -> None:
    def target(values: dict) -> Target:
        quarter = values.pop("quarter", None)
        return Target(kind, next(iter(values.values())), quarter)

    def list_view(**values):
        _subject, items = attachments.list_attachments(get_session(), g.actor, target(values))
        return {"items": [attachment_json(a) for a in items]}

    def upload_view(**values):
        attachment = attachments.attach(get_session(), g.actor, target(values), _upload(),
                                        **_limits())
        return attachment_json(attachment), {
            "Location": url_for("api.get_attachment", attachment_id=attachment.id)}

    list_view.__name__ = f"list_{kind}_attachments"
    upload_view.__name__ = f"attach_to_{kind}"
    operation(rule, summary=f"Documents attached to {what}", tag="documents",
              response=ATTACHMENTS, path=path)(list_view)
    operation(rule, "POST", summary=f"Attach a document to {what}", tag="documents",
              response=ATTACHMENT, status=201, path=path, upload=True)(upload_view)


for _object in _OBJECTS:
    _register(*_object)


@operation(f"/attachments/<{ID}:attachment_id>", summary="An attached document's record",
           tag="documents", response=ATTACHMENT)
def get_attachment(attachment_id: int):
    """The record of a document whose object you may read."""
    attachment, _subject = attachments.get_attachment(get_session(), g.actor, attachment_id)
    return attachment_json(attachment)


@operation(f"/attachments/<{ID}:attachment_id>/content", summary="An attached document's bytes",
           tag="documents", media_type=MEDIA_TYPES,
           response={"type": "string", "format": "binary"})
def get_attachment_content(attachment_id: int):
    """The bytes as uploaded, with the detected type (the download is audit-trailed)."""
    db = get_session()
    attachment, data = attachments.download(db, g.actor, attachment_id)
    db.commit()
    return file_response(attachment, data)


@operation(f"/attachments/<{ID}:attachment_id>/supersede", "POST",
           summary="Supersede a document with a new file", tag="documents",
           response=ATTACHMENT, status=201, upload=True)
def supersede_attachment(attachment_id: int):
    """Attach a new file beside the old one, which is marked superseded (409 if it is already)."""
    attachment = attachments.supersede(get_session(), g.actor, attachment_id, _upload(),
                                       **_limits())
    return attachment_json(attachment), {
        "Location": url_for("api.get_attachment", attachment_id=attachment.id)}
