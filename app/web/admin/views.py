"""Views of user administration (administrators only)."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _

from app.db import get_session
from app.domain.codes import Role
from app.services.access import users
from app.services.access.scopes import require_role
from app.web import lists
from app.web.admin.forms import SCOPE_HINTS, EditUserForm, NewUserForm
from app.web.common import actor, require_sign_in, role_label, status_of, submit

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _administrators_only():
    redirect = require_sign_in()
    if redirect:
        return redirect
    require_role(actor(), Role.ADMIN)
    return None


@bp.route("/users")
def users_index():
    """Every user with their roles; ``format=csv|xlsx``: the same list as a file."""
    everyone = users.list_users(get_session())
    fmt = lists.export_format()
    if fmt:
        def grants(user) -> str:
            return "; ".join(
                role_label(g.role) + (f" · {g.fund.code}" if g.fund else
                                      f" · {g.region.name} ({g.region.code})" if g.region else "")
                for g in user.grants)
        return lists.send_table(
            "users", fmt, [_("E-mail"), _("Name"), _("Roles and scopes"), _("May sign in")],
            [(u.email, u.name, grants(u), _("yes") if u.is_active else _("no")) for u in everyone])
    return render_template("admin/users.html", users=everyone)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    """Add a user."""
    db = get_session()
    form = NewUserForm.blank()
    done = submit(
        form,
        lambda: users.create_user(db, form.email.data, form.name.data, form.password.data,
                                  form.specs, locale=form.locale.data),
        lambda _u: url_for("admin.users_index"), _("User added."), on_errors=form.place)
    return done or (render_template("admin/user_form.html", form=form, user=None,
                                    scope_hints=SCOPE_HINTS),
                    status_of(form))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    """Change a user's roles and scopes, or disable them."""
    db = get_session()
    user = users.get_user(db, user_id)
    form = EditUserForm.for_user(user)
    done = submit(
        form,
        lambda: users.set_grants(db, user_id, _version(form), form.specs,
                                 bool(form.is_active.data)),
        lambda _u: url_for("admin.users_index"), _("User saved."), on_errors=form.place)
    return done or (render_template("admin/user_form.html", form=form, user=user,
                                    scope_hints=SCOPE_HINTS),
                    status_of(form))


def _version(form) -> int:
    """The version the page showed (0, which conflicts, when it was tampered with)."""
    text = form.version.data or ""
    return int(text) if text.isdigit() else 0
