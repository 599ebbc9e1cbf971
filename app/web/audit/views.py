"""Views of the audit trail: filtered, paginated by sequence, with a chain check."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.db import get_session
from app.domain.codes import Role
from app.services import audit, list_pages
from app.services.access import require_role
from app.web import lists
from app.web.common import actor, require_sign_in

bp = Blueprint("audit", __name__, url_prefix="/audit")
bp.before_request(require_sign_in)


@bp.route("/")
def index():
    """A page of the trail, newest first; filters by entity, id, user and dates stay in the URL."""
    db = get_session()
    state = lists.ListState("audit.index", lists.read_args(
        "entity", "entity_id", "actor", "since", "until"), "-time")
    since, until = lists.parse_date(state, "since"), lists.parse_date(state, "until")
    lists.load(state, lambda **paging: list_pages.audit_page(db, actor(), **paging), {},
               entity=state.value("entity"), entity_id=state.value("entity_id"),
               user=state.value("actor"), since=since, until=until)
    return render_template("audit/index.html", state=state,
                           entities=[(e, e) for e in audit.entities(db)],
                           describe=audit.describe), state.status


@bp.route("/verify")
def verify():
    """Walk the hash chain and say whether it is intact."""
    require_role(actor(), Role.ADMIN, Role.AUDITOR)
    report = audit.verify_chain(get_session())
    return render_template("audit/verify.html", report=report)
