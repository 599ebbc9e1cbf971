"""API: the audit trail (auditors and administrators), newest first."""

from __future__ import annotations

from flask import g

from app.db import get_session
from app.services.lists import web as list_pages
from app.web.api.routing import PAGE_QUERY, operation, page_json, page_schema, schema
from app.web.api.spec import Day, Text
from app.web.api.values import DATETIME, INTEGER, STRING, moment, nullable, obj

ENTRY = schema("AuditEntry", obj({
    "seq": INTEGER, "at": DATETIME, "actor_id": nullable(INTEGER), "actor": STRING,
    "entity": STRING, "entity_id": STRING, "action": STRING,
    "changes": {"type": "object", "description": "field → [old, new] (new only for events)"},
    "prev_hash": STRING, "hash": STRING}))


def entry_json(e) -> dict:
    """One hash-chained entry as stored."""
    return {"seq": e.seq, "at": moment(e.at), "actor_id": e.actor_id, "actor": e.actor,
            "entity": e.entity, "entity_id": e.entity_id, "action": e.action,
            "changes": e.changed_fields, "prev_hash": e.prev_hash, "hash": e.hash}


@operation("/audit-entries", summary="The audit trail, newest first", tag="audit",
           response=page_schema("AuditEntryPage", ENTRY),
           query={"entity": Text(64, default=""), "entity_id": Text(64, default=""),
                  "actor": Text(254, default="", description="the user's e-mail"),
                  "since": Day(default=None), "until": Day(default=None), **PAGE_QUERY})
def list_audit_entries(args):
    """Filtered by entity, id, user and dates (UTC days, both included)."""
    page = list_pages.audit_page(get_session(), g.actor, entity=args["entity"],
                                 entity_id=args["entity_id"], user=args["actor"],
                                 since=args["since"], until=args["until"], cursor=args["cursor"],
                                 per_page=args["limit"], whole=True)
    return page_json(page, entry_json)
