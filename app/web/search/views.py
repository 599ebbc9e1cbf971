"""The header's search: a results page grouped by kind, each row a link."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from app.db import get_session
from app.services.lists import finder
from app.web.common import actor, localized, require_sign_in

bp = Blueprint("search", __name__)
bp.before_request(require_sign_in)


@bp.route("/search")
def index():
    """What the header's box found for ``q``, within the user's scope."""
    found = finder.find(get_session(), actor(), request.args.get("q", ""))
    return render_template("search/index.html", found=found,
                           problem=localized(found.problem) if found.problem else None)
