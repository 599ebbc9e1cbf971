"""JSON search of regions, industries and funds for the pickers of the forms (app/static/picker.js).

Signed-in users only (any role: the reference tables are the same for everyone; funds within
the user's scope); an anonymous
request is sent to the sign-in page, as on every other non-public route.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from app.db import get_session
from app.services.lists import finder
from app.services.reference import search as lookup
from app.web.common import actor, require_sign_in

bp = Blueprint("lookup", __name__, url_prefix="/lookup")
bp.before_request(require_sign_in)


def _answer(matches):
    response = jsonify(results=[m.as_json() for m in matches])
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/regions")
def regions():
    """Up to 20 regions: the code, then codes starting with ``q``, then names containing it."""
    return _answer(lookup.search_regions(get_session(), request.args.get("q")))


@bp.route("/industries")
def industries():
    """Up to 20 industry codes ranked the same way."""
    return _answer(lookup.search_industries(get_session(), request.args.get("q")))


@bp.route("/funds")
def funds():
    """Up to 20 funds the user may read, ranked the same way (code, then name)."""
    return _answer(finder.search_funds(get_session(), actor(), request.args.get("q")))
