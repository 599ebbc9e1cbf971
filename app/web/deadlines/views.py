"""Views of deadlines: the default days (administrators), an agreement's own days (whoever may
edit the agreement), and granting and revoking lock exceptions (administrators)."""

from __future__ import annotations

import contextlib

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.db import get_session
from app.domain.codes import Role
from app.domain.quarter import Quarter, QuarterError
from app.models import Agreement
from app.services.access.scopes import require_role
from app.services.sharing import agreements, deadlines, lock_exceptions
from app.web.common import actor, require_sign_in, status_of, submit
from app.web.deadlines.forms import AgreementDaysForm, GrantForm, RevokeForm, SettingsForm

bp = Blueprint("deadlines", __name__)
bp.before_request(require_sign_in)


def _version(form) -> int:
    try:
        return int(form.version.data or 0)
    except ValueError:
        return 0


@bp.route("/admin/deadlines", methods=["GET", "POST"])
def settings():
    """The default days every agreement without its own uses."""
    require_role(actor(), Role.ADMIN)
    db = get_session()
    row = deadlines.cycle_settings(db)
    form = SettingsForm(obj=row) if request.method == "GET" else SettingsForm()
    if request.method == "GET":
        form.version.data = row.version
    done = submit(form, lambda: deadlines.update_settings(
        db, actor(), form.timely_days.data, form.lock_days.data, _version(form)),
        lambda _r: url_for("deadlines.settings"), _("Deadline settings saved."))
    example = deadlines.window_of(row, Agreement(), Quarter(2026, 3))
    return done or (render_template("deadlines/settings.html", form=form, row=row,
                                    example=example), status_of(form))


@bp.route("/agreements/<int:agreement_id>/deadlines", methods=["GET", "POST"])
def agreement_days(agreement_id: int):
    """An agreement's own days (blank: the default)."""
    db = get_session()
    agreement = agreements.get_agreement(db, actor(), agreement_id, for_edit=True)
    form = AgreementDaysForm(obj=agreement) if request.method == "GET" else AgreementDaysForm()
    if request.method == "GET":
        form.version.data = agreement.version
    done = submit(form, lambda: deadlines.set_agreement_days(
        db, actor(), agreement_id, form.timely_days.data, form.lock_days.data, _version(form)),
        lambda _a: url_for("agreements.show", agreement_id=agreement_id),
        _("Deadlines of this agreement saved."))
    return done or (render_template("deadlines/agreement_days.html", form=form,
                                    agreement=agreement, row=deadlines.cycle_settings(db)),
                    status_of(form))


@bp.route("/agreements/<int:agreement_id>/exceptions/new", methods=["GET", "POST"])
def grant(agreement_id: int):
    """Grant a lock exception for a quarter of the agreement."""
    require_role(actor(), Role.ADMIN)
    db = get_session()
    agreement = agreements.get_agreement(db, actor(), agreement_id)
    form = GrantForm()
    form.region.choices = [("", _("every party"))] + [
        (p.region.code, f"{p.region.name} ({p.region.code})") for p in agreement.parties]
    if request.method == "GET" and request.args.get("quarter"):
        with contextlib.suppress(QuarterError):
            form.quarter.data = Quarter.parse(request.args["quarter"])
    done = submit(form, lambda: lock_exceptions.grant(
        db, actor(), agreement_id, form.quarter.data, form.until.data, form.reason.data or "",
        form.region.data or ""),
        lambda _e: url_for("agreements.show", agreement_id=agreement_id) + "#exceptions",
        lambda e: _("Lock exception granted: %(quarter)s reopened until %(date)s.",
                    quarter=e.quarter, date=e.until))
    return done or (render_template("deadlines/grant.html", form=form, agreement=agreement),
                    status_of(form))


@bp.route("/agreements/<int:agreement_id>/exceptions/<int:exception_id>/revoke",
          methods=["POST"])
def revoke(agreement_id: int, exception_id: int):
    """Revoke an exception at once."""
    require_role(actor(), Role.ADMIN)
    db = get_session()
    form = RevokeForm()
    done = submit(form, lambda: lock_exceptions.revoke(db, actor(), exception_id,
                                                       _version(form)),
                  lambda _e: url_for("agreements.show", agreement_id=agreement_id)
                  + "#exceptions", _("Lock exception revoked."))
    if done:
        return done
    messages = [m.split(": ", 1)[-1] for m in getattr(form, "form_errors", [])]
    flash(getattr(form, "conflict", None) or "; ".join(messages) or _("Nothing was changed."),
          "error")
    return redirect(url_for("agreements.show", agreement_id=agreement_id) + "#exceptions")
