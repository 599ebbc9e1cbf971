"""Views of the audit trail: filtered, paginated by sequence, with a chain check."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from flask import Blueprint, render_template
from flask_babel import gettext as _

from app.db import get_session
from app.domain.codes import Role
from app.services.access import audit, audit_words
from app.services.access.scopes import require_role
from app.services.lists import web as list_pages
from app.web import lists
from app.web.common import actor, local_time, require_sign_in, said, sayer

bp = Blueprint("audit", __name__, url_prefix="/audit")
bp.before_request(require_sign_in)


@bp.route("/")
def index():
    """A page of the trail, newest first; filters by entity, id, user and dates stay in the URL."""
    db = get_session()
    say = sayer()
    state = lists.ListState("audit.index", lists.read_args(
        "entity", "entity_id", "actor", "since", "until"), "-time")
    since, until = lists.parse_date(state, "since"), lists.parse_date(state, "until")
    fetch = lambda **paging: list_pages.audit_page(db, actor(), **paging)  # noqa: E731
    filters = {"entity": state.value("entity"), "entity_id": state.value("entity_id"),
               "user": state.value("actor"), "since": since, "until": until}
    if lists.export_format():
        exported = lists.export(state, fetch, "audit-trail", [
            ("#", lambda r: r[0].seq), (_("When"), lambda r: local_time(r[0].at, True)),
            (_("Who"), lambda r: r[0].actor),
            (_("What happened"), lambda r: say(r[1].sentence)),
            (_("Record"), lambda r: say(audit_words.ENTITY_LABELS.get(r[0].entity,
                                                                      r[0].entity))),
            (_("Table"), lambda r: r[0].entity), (_("Id"), lambda r: r[0].entity_id),
            (_("Action"), lambda r: r[0].action),
            (_("Changes"), lambda r: _changes_text(r, say))],
            prepare=lambda rows: _in_words(db, rows), **filters)
        if exported is not None:
            return exported
    lists.load(state, fetch, {}, **filters)
    words = audit_words.describe_entries(db, list(state.rows or []))
    fields = {seq: field_texts(w, say, LISTED_VALUE_CHARS) for seq, w in words.items()}
    return render_template("audit/index.html", state=state, words=words, said=say,
                           fields=fields,
                           entities=sorted(((e, say(audit_words.ENTITY_LABELS.get(e, e)))
                                            for e in audit.entities(db)), key=lambda p: p[1])
                           ), state.status


EXPORT_CHUNK = 500
"""Entries described at a time in an export (the names of their ids read in one go)."""


def _in_words(db, entries: list) -> list:
    """Each entry with its words (``audit_words.Described``), read a chunk at a time."""
    rows = []
    for start in range(0, len(entries), EXPORT_CHUNK):
        chunk = entries[start:start + EXPORT_CHUNK]
        words = audit_words.describe_entries(db, chunk)
        rows.extend((e, words[e.seq]) for e in chunk)
    return rows


def _changes_text(row, say) -> str:
    """The changes as the list shows them, one "field: old → new" per line, in words (or how
    long they are, when the entry's own page must show them)."""
    entry, words = row
    fields = field_texts(words, say)
    if fields is None:
        return _("%(count)s characters of changes: open the entry to read them",
                 count=entry.changes_length)
    return "\n".join(f"{label}: {old} → {new}" if old is not None else f"{label}: {new}"
                     for _name, label, old, new in fields)


LISTED_VALUE_CHARS = 300
"""How much of a changed value the list shows (the entry's page shows it whole)."""


def field_texts(words: audit_words.Described, say: Callable[[object], object],
                clip: int | None = None) -> list[tuple[str, str, str | None, str]] | None:
    """An entry's changed fields (its own id left out) as text in the user's language (``say``,
    from ``sayer()`` once per request): (field, label, old value or None when there was none,
    new value or "—"), each value cut to ``clip`` characters with "…" when given; None when the
    preview did not hold the changes."""
    if words.fields is None:
        return None

    def text(value) -> str:
        shown = str(say(value))
        return shown if clip is None or len(shown) <= clip else shown[:clip - 1] + "…"
    return [(name, str(say(label)), None if old is None else text(old),
             "—" if new is None else text(new))
            for name, label, old, new in words.fields if name != "id"]


@bp.route("/<int:seq>")
def entry(seq: int):
    """One entry of the trail in full: every changed field with its whole old and new value,
    and the hashes that chain it."""
    db = get_session()
    found = audit.get_entry(db, actor(), seq)
    raw = {name: (_shown(old), _shown(new)) for name, old, new in audit.describe(found)}
    words = audit_words.describe_entries(db, [found])[found.seq]
    in_words = {name: (label, old, new) for name, label, old, new in words.fields or []}
    fields = []
    for name, (old_raw, new_raw) in raw.items():
        label, old, new = in_words.get(name, (name, old_raw, new_raw))
        fields.append((name, said(label), _side(old, old_raw), _side(new, new_raw)))
    return render_template("audit/entry.html", entry=found, fields=fields, words=words,
                           said=said, label=audit_words.ENTITY_LABELS.get(found.entity))


def _side(value, raw) -> tuple[str | None, str | None]:
    """One side of a changed field as (in words, as stored): the stored value only when it
    says something the words do not (an id, a code, a number as stored), never a UTC moment;
    a structure only as stored (indented); (None, None) when there is no value."""
    if value is None and raw is None:
        return None, None
    if isinstance(value, dt.datetime):
        return said(value), None
    if isinstance(raw, str) and raw[:1] in ("{", "["):
        return None, raw
    text = str(said(value))
    return text, (None if raw is None or str(raw) == text else str(raw))


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
