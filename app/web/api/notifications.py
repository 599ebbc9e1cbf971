"""API: the signed-in user's own notifications (the inbox) and marking them read."""

from __future__ import annotations

from flask import g, url_for

from app.db import get_session
from app.models.notifications import EMAIL_STATES
from app.services.lists.notifications import inbox_page
from app.services.notifications import inbox, texts
from app.web.api.routing import ID, PAGE_QUERY, operation, page_json, page_schema, schema
from app.web.api.spec import OneOf
from app.web.api.values import DATETIME, INTEGER, STRING, moment, nullable, obj

NOTIFICATION = schema("Notification", obj({
    "id": INTEGER, "kind": {"type": "string", "enum": sorted(texts.KINDS)},
    "subject": STRING, "body": STRING,
    "link": {"type": "string", "description": "the app path where the action is"},
    "object": nullable({"type": "object", "properties": {"kind": STRING, "id": INTEGER},
                        "required": ["kind", "id"], "additionalProperties": False}),
    "report_pdf": nullable(STRING), "created_at": DATETIME, "read_at": nullable(DATETIME),
    "email_state": {"type": "string", "enum": list(EMAIL_STATES)}}))
MARKED = schema("MarkedRead", obj({"marked": INTEGER}))


def notification_json(n) -> dict:
    """One notification, its texts in the user's language."""
    locale = "en" if g.user.locale == "en" else "zh"
    subject, body = texts.render(n.kind, n.params, locale)
    return {"id": n.id, "kind": n.kind, "subject": subject, "body": body, "link": n.link,
            "object": {"kind": n.object_kind, "id": n.object_id}
            if n.object_kind and n.object_id is not None else None,
            "report_pdf": url_for("api.get_report_pdf", report_id=n.report_id)
            if n.report_id else None,
            "created_at": moment(n.created_at), "read_at": moment(n.read_at),
            "email_state": n.email_state}


@operation("/notifications", summary="Your notifications, newest first", tag="notifications",
           response=page_schema("NotificationPage", NOTIFICATION),
           query={"show": OneOf(("all", "unread"), default="all",
                                description="all (the default) or unread only"),
                  "kind": OneOf(sorted(texts.KINDS), default=None), **PAGE_QUERY})
def list_notifications(args):
    """The token owner's own notifications (nobody else's), texts in their language."""
    page = inbox_page(get_session(), g.user.id, unread_only=args["show"] == "unread",
                      kind=args["kind"], cursor=args["cursor"], per_page=args["limit"])
    return page_json(page, notification_json)


@operation(f"/notifications/<{ID}:notification_id>/read", "POST",
           summary="Mark one of your notifications read", tag="notifications",
           response=NOTIFICATION)
def mark_notification_read(notification_id: int):
    """Marks it read (again: no change); anyone else's is 404."""
    return notification_json(inbox.mark_read(get_session(), g.user.id, notification_id))


@operation("/notifications/read-all", "POST", summary="Mark all your notifications read",
           tag="notifications", response=MARKED)
def mark_all_notifications_read():
    """Marks every unread notification of yours read; says how many."""
    return {"marked": inbox.mark_all_read(get_session(), g.user.id)}
