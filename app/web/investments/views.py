"""Views of one investment: its ledger, reversals and valuations."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _

from app.db import get_session
from app.services.access.scopes import can_edit_fund
from app.services.errors import NotFound
from app.services.funds import investments, reversals
from app.web.common import actor, coded_label, require_sign_in, status_of, submit
from app.web.funds.reversals import reverse_page
from app.web.investments.forms import TransactionForm, ValuationForm

bp = Blueprint("investments", __name__, url_prefix="/investments")
bp.before_request(require_sign_in)


@bp.route("/<int:investment_id>")
def show(investment_id: int):
    """The ledger and valuations of an investment."""
    investment = investments.get_investment(get_session(), actor(), investment_id)
    reversed_ids = {t.reverses_id for t in investment.transactions if t.reverses_id}
    return render_template("investments/show.html", investment=investment,
                           reversed_ids=reversed_ids,
                           pending_reversals=reversals.pending_entry_ids(get_session(),
                                                                         investment.fund_id),
                           can_edit=can_edit_fund(actor(), investment.fund_id))


@bp.route("/<int:investment_id>/transactions/new", methods=["GET", "POST"])
def new_transaction(investment_id: int):
    """Append a ledger entry: only the types the instrument takes are offered, and the page
    shows what remains of the commitment (the service checks both again on submit, and
    refuses a disbursement beyond what remains)."""
    db = get_session()
    investment = investments.get_investment(db, actor(), investment_id, for_edit=True)
    form = TransactionForm()
    form.type.choices = [(t.value, coded_label(t))
                         for t in investments.allowed_types(investment.instrument)]
    form.type.validate_choice = False  # a type the instrument refuses: the service says why
    done = submit(
        form, lambda: investments.record_transaction(db, actor(), investment_id, form.to_data(),
                                                     within_commitment=True),
        lambda _t: url_for("investments.show", investment_id=investment_id),
        _("Transaction recorded."))
    return done or (render_template(
        "investments/entry.html", form=form, investment=investment, title=_("New transaction"),
        position=investments.commitment_position(investment.transactions)), status_of(form))


@bp.route("/<int:investment_id>/transactions/<int:transaction_id>/reverse",
          methods=["GET", "POST"])
def reverse_transaction(investment_id: int, transaction_id: int):
    """Reverse a ledger entry with a new, opposite entry that names it (or ask for approval)."""
    db = get_session()
    investment = investments.get_investment(db, actor(), investment_id, for_edit=True)
    entry = next((t for t in investment.transactions if t.id == transaction_id), None)
    if entry is None:
        raise NotFound(f"transaction {transaction_id}")
    return reverse_page("transaction", investment.fund, entry,
                        url_for("investments.show", investment_id=investment_id))


@bp.route("/<int:investment_id>/valuations/new", methods=["GET", "POST"])
def new_valuation(investment_id: int):
    """Mark an equity holding to fair value."""
    db = get_session()
    investment = investments.get_investment(db, actor(), investment_id, for_edit=True)
    form = ValuationForm()
    done = submit(
        form,
        lambda: investments.record_valuation(db, actor(), investment_id, form.as_of_on.data,
                                             form.value.data, form.note.data or ""),
        lambda _v: url_for("investments.show", investment_id=investment_id),
        _("Valuation recorded."))
    return done or (render_template("investments/entry.html", form=form, investment=investment,
                                    title=_("New valuation")), status_of(form))
