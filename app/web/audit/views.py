"""Views of the audit trail: filtered, paginated by sequence, with a chain check."""

from __future__ import annotations

import json

from flask import Blueprint, render_template
from flask_babel import gettext as _

from app.db import get_session
from app.domain.codes import Coded, Role
from app.domain.messages import Message
from app.services.access import audit, audit_words
from app.services.access.scopes import require_role
from app.services.lists import web as list_pages
from app.web import lists
from app.web.common import actor, is_chinese, require_sign_in

bp = Blueprint("audit", __name__, url_prefix="/audit")
bp.before_request(require_sign_in)


@bp.route("/")
def index():
    """A page of the trail, newest first; filters by entity, id, user and dates stay in the URL."""
    db = get_session()
    state = lists.ListState("audit.index", lists.read_args(
        "entity", "entity_id", "actor", "since", "until"), "-time")
    since, until = lists.parse_date(state, "since"), lists.parse_date(state, "until")
    fetch = lambda **paging: list_pages.audit_page(db, actor(), **paging)  # noqa: E731
    filters = {"entity": state.value("entity"), "entity_id": state.value("entity_id"),
               "user": state.value("actor"), "since": since, "until": until}
    if lists.export_format():
        exported = lists.export(state, fetch, "audit-trail", [
            ("#", lambda e: e.seq), (_("When (UTC)"), lambda e: e.at),
            (_("Who"), lambda e: e.actor), (_("What"), lambda e: e.entity),
            (_("Id"), lambda e: e.entity_id), (_("Action"), lambda e: e.action),
            (_("Changes"), _changes_text)], **filters)
        if exported is not None:
            return exported
    lists.load(state, fetch, {}, **filters)
    words = audit_words.describe_entries(db, list(state.rows or []))
    return render_template("audit/index.html", state=state, words=words, said=said,
                           entities=sorted(((e, said(audit_words.ENTITY_LABELS.get(e, e)))
                                            for e in audit.entities(db)), key=lambda p: p[1])
                           ), state.status


def said(value) -> object:
    """A sentence or value of the trail in words in the user's language: messages
    translated, codes by their label (English labels in English too)."""
    if isinstance(value, Message):
        return _(value.template, **{k: said(v) for k, v in value.values.items()})
    if isinstance(value, Coded):
        return value.label_zh if is_chinese() else value.label_en
    return value


def _changes_text(entry) -> str:
    """The changes as the list shows them, one "field: old → new" per line (or how long)."""
    fields = audit.describe_preview(entry)
    if fields is None:
        return _("%(count)s characters of changes: open the entry to read them",
                 count=entry.changes_length)
    return "\n".join(f"{name}: {old} → {new}" if old is not None else f"{name}: {new}"
                     for name, old, new in fields)


@bp.route("/<int:seq>")
def entry(seq: int):
    """One entry of the trail in full: every changed field with its whole old and new value,
    and the hashes that chain it."""
    found = audit.get_entry(get_session(), actor(), seq)
    fields = [(name, _shown(old), _shown(new)) for name, old, new in audit.describe(found)]
    return render_template("audit/entry.html", entry=found, fields=fields)


def _shown(value) -> str | None:
    """A changed value as text: indented JSON (Chinese kept as it is) for a structure, or for a
    text field that holds one (a statement's data); as stored otherwise; None stays None (no
    old value)."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


@bp.route("/verify")
def verify():
    """Walk the hash chain and say whether it is intact."""
    require_role(actor(), Role.ADMIN, Role.AUDITOR)
    report = audit.verify_chain(get_session())
    return render_template("audit/verify.html", report=report)
