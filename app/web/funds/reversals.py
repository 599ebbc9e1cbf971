"""Reversals under four eyes: the reverse form of both ledgers, and a fund's page of reversal
requests where a second person approves or rejects them (nested in the funds blueprint)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.db import get_session
from app.services.access.scopes import get_fund
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.funds import reversals
from app.web.common import actor, localized, localized_errors, require_sign_in, status_of, submit
from app.web.funds.forms import ReverseForm

bp = Blueprint("reversals", __name__)
bp.before_request(require_sign_in)

CONFLICT, UNPROCESSABLE = 409, 422


class DecisionForm(FlaskForm):
    """Approve or reject one pending reversal request (the version read guards the decision)."""

    request_id = HiddenField(validators=[InputRequired()])
    version = HiddenField(validators=[InputRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=500)],
                         description=_l("Required to reject: say why."))
    approve = SubmitField(_l("Approve and reverse"))
    reject = SubmitField(_l("Reject"))


def _entry_on(entry):
    return entry.moved_on if hasattr(entry, "moved_on") else entry.occurred_on


def _done_message(kind: str, outcome: reversals.Outcome) -> str:
    if outcome.is_pending:
        return _("The fund report of %(quarter)s has been issued, so this reversal needs a "
                 "second person's approval. Your request waits for another manager of the fund "
                 "or an administrator; nothing is in the ledger until then.",
                 quarter=str(outcome.request.restated_quarter))
    return _("Movement reversed.") if kind == "movement" else _("Transaction reversed.")


def reverse_page(kind: str, fund, entry, back_url: str):
    """The reverse form of a movement or transaction: written at once, or filed as a request
    when it restates an issued quarter (the page says so before and after)."""
    db = get_session()
    form = ReverseForm()
    done = submit(
        form,
        lambda: reversals.reverse(db, actor(), kind, entry.id, form.reversed_on.data,
                                  form.note.data),
        lambda outcome: url_for("funds.reversals.index", fund_id=fund.id)
        if outcome.is_pending else back_url,
        lambda outcome: _done_message(kind, outcome))
    if done:
        return done
    entry_on = _entry_on(entry)
    return render_template(
        "funds/reverse.html", form=form, fund=fund, entry=entry, entry_on=entry_on,
        approval=reversals.approval_quarter(db, fund.id, entry_on),
        approval_until=reversals.last_issued_day(db, fund.id)), status_of(form)


@bp.route("/<int:fund_id>/reversals", methods=["GET", "POST"])
def index(fund_id: int):
    """A fund's reversal requests; a POST approves or rejects one (four eyes on the server)."""
    db = get_session()
    fund = get_fund(db, actor(), fund_id, for_edit=True)
    form = DecisionForm()
    failed: dict[int, list[str]] = {}
    status = 200
    if request.method == "POST":
        if not form.validate() or not (form.request_id.data or "").isdigit() \
                or not (form.version.data or "").isdigit():
            raise NotFound(f"reversal request of fund {fund_id}")
        request_id = int(form.request_id.data)
        if reversals.get_request(db, actor(), request_id).fund_id != fund.id:
            raise NotFound(f"reversal request {request_id}")
        try:
            if form.approve.data:
                reversals.approve(db, actor(), request_id, int(form.version.data),
                                  form.note.data or "")
                message = _("Reversal approved: the reversing entry is in the ledger, marked as "
                            "a restatement for the next report.")
            else:
                reversals.reject(db, actor(), request_id, int(form.version.data),
                                 form.note.data or "")
                message = _("Reversal request rejected; the ledger is unchanged.")
            db.commit()
        except ValidationFailed as exc:
            db.rollback()
            failed[request_id] = [message for messages in localized_errors(exc.errors).values()
                                  for message in messages]
            status = UNPROCESSABLE
        except (Conflict, StaleDataError) as exc:
            db.rollback()
            failed[request_id] = [localized(exc.args[0]) if isinstance(exc, Conflict) else _(
                "Someone else decided this request at the same moment: reload and check.")]
            status = CONFLICT
        else:
            flash(message, "success")
            return redirect(url_for("funds.reversals.index", fund_id=fund.id))
    return render_template(
        "funds/reversals.html", fund=fund, requests=reversals.fund_requests(db, actor(), fund.id),
        failed=failed, me=actor().user_id), status
