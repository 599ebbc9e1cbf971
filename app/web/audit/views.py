"""Views of the audit trail: filtered, paginated by sequence, with a chain check."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template, request

from app.db import get_session
from app.domain.codes import Role
from app.services import audit
from app.services.access import require_role
from app.web.common import actor, require_sign_in

bp = Blueprint("audit", __name__, url_prefix="/audit")
bp.before_request(require_sign_in)
PAGE = 100


def _date_arg(name: str, errors: dict) -> dt.date | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = f'"{text}" is not a date like 2026-09-30'
        return None


@bp.route("/")
def index():
    """The newest entries first; filters by entity, id, user and dates stay in the URL."""
    errors: dict[str, str] = {}
    where = audit.AuditFilter(
        entity=request.args.get("entity", "").strip(),
        entity_id=request.args.get("entity_id", "").strip(),
        actor=request.args.get("actor", "").strip(),
        since=_date_arg("since", errors), until=_date_arg("until", errors))
    before = request.args.get("before", "")
    db = get_session()
    rows = audit.list_entries(db, actor(), where, limit=PAGE,
                              before_seq=int(before) if before.isdigit() else None)
    return render_template("audit/index.html", rows=rows, where=where, errors=errors,
                           entities=audit.entities(db), describe=audit.describe,
                           next_before=rows[-1].seq if len(rows) == PAGE else None), \
        422 if errors else 200


@bp.route("/verify")
def verify():
    """Walk the hash chain and say whether it is intact."""
    require_role(actor(), Role.ADMIN, Role.AUDITOR)
    report = audit.verify_chain(get_session())
    return render_template("audit/verify.html", report=report)
