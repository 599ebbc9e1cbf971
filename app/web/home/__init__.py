"""The start page."""

from flask import Blueprint, redirect, render_template, url_for

from app.web.common import actor, require_sign_in

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    """The start page of the signed-in user, or the sign-in page."""
    if require_sign_in():
        return redirect(url_for("auth.sign_in"))
    return render_template("home/index.html", actor=actor())


@bp.route("/health")
def health():
    """Liveness for load balancers: the process answers (no database call)."""
    return {"status": "ok"}
