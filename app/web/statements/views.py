"""Views of one agreement quarter: parse, call a service, render or redirect."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _

from app.db import get_session
from app.domain.codes import AgreementStatus, QuarterState, Role
from app.domain.quarter import Quarter, QuarterError
from app.services.sharing import agreements, deadlines, observations, workflow
from app.services.sharing.explanations import explain_allocation
from app.services.sharing.statements import quarter_states
from app.web.agreements.forms import (
    AnswerForm,
    ConfirmForm,
    ObservationsForm,
    ReopenForm,
    ReviewForm,
    SimpleActionForm,
)
from app.web.common import (
    UNPROCESSABLE,
    actor,
    attach_errors,
    local_today,
    localized_errors,
    require_sign_in,
    status_of,
    submit,
)
from app.web.confirm_step import is_confirmed
from app.web.statements import confirming, grid

CONFLICT = 409

bp = Blueprint("statements", __name__,
               url_prefix="/agreements/<int:agreement_id>/quarters/<quarter>")
bp.before_request(require_sign_in)


@bp.url_value_preprocessor
def _parse_quarter(_endpoint, values):
    try:
        values["quarter"] = Quarter.parse(values["quarter"])
    except QuarterError:
        abort(404)
    if not 1900 <= values["quarter"].year <= 2999:  # the range the API accepts too
        abort(404)


@bp.url_defaults
def _quarter_text(_endpoint, values):
    if isinstance(values.get("quarter"), Quarter):
        values["quarter"] = str(values["quarter"])


def _back(agreement_id: int, quarter: Quarter) -> str:
    return url_for("statements.show", agreement_id=agreement_id, quarter=quarter)


@bp.route("/")
def show(agreement_id: int, quarter: Quarter):
    """The statement with its workflow state and the actions the user may take."""
    return _statement_page(agreement_id, quarter)


def _statement_page(agreement_id: int, quarter: Quarter, review_form: ReviewForm | None = None):
    """The statement page; ``review_form`` is a refused review, shown with its errors."""
    db = get_session()
    agreement = agreements.get_agreement(db, actor(), agreement_id)
    statement, aq = workflow.statement_of(db, agreement, quarter)
    my_parties = [p for p in agreement.parties if agreements.party_in_scope(actor(), p)]
    confirmed = {c.party_id for c in aq.confirmations} if aq else set()
    page, pages, rows = _page_of_projects(statement.rows)
    return render_template(
        "statements/show.html", agreement=agreement, quarter=quarter, statement=statement,
        rows=rows, page=page, pages=pages, aq=aq, state=aq.state if aq else QuarterState.OPEN,
        my_parties=my_parties, confirmed=confirmed, action_form=SimpleActionForm(),
        confirm_form=ConfirmForm(), review_form=review_form or ReviewForm(),
        answer_form=AnswerForm(), reopen_form=ReopenForm(), is_auditor=actor().has(Role.AUDITOR),
        via_parks=bool(agreement.covered_parks) or any(r.via_park for r in statement.rows),
        standing=deadlines.standing(db, agreement, quarter, aq, local_today()))


PROJECTS_PER_PAGE = 100


def _page_of_projects(rows):
    """The statement rows of one page of covered projects (``?page=``), and the page count.

    The totals, the fingerprint and the PDF always cover the whole statement; the page only
    lists the projects a hundred at a time, so an agreement of 500 projects stays readable.
    """
    codes = list(dict.fromkeys(r.project_code for r in rows))
    pages = max(1, -(-len(codes) // PROJECTS_PER_PAGE))
    text = request.args.get("page", "1")
    page = min(max(int(text), 1), pages) if text.isdigit() else 1
    shown = set(codes[(page - 1) * PROJECTS_PER_PAGE:page * PROJECTS_PER_PAGE])
    return page, pages, [r for r in rows if r.project_code in shown]


@bp.route("/observations", methods=["GET", "POST"])
def observations_grid(agreement_id: int, quarter: Quarter):
    """The grid of covered projects × indicators for the quarter, with earlier quarters.

    Saving writes only the cells the user changed, each checked against the value the page
    showed; all or nothing (docs/web.md): a bad cell, an over-long reason or a cell
    someone else changed meanwhile (409, both values beside it) saves nothing and shows the
    form again with everything the user typed."""
    db = get_session()
    agreement = agreements.get_agreement(db, actor(), agreement_id)
    if agreement.status is AgreementStatus.DRAFT:
        return render_template("statements/observations_draft.html", agreement=agreement,
                               quarter=quarter), CONFLICT
    form = ObservationsForm()
    posted = grid.PostedGrid()
    conflicts: dict = {}
    if request.method == "POST":
        indicators, _previous, rows = observations.observation_grid(db, actor(), agreement,
                                                                    quarter)
        valid = form.validate()
        posted = grid.read_posted(request.form, indicators, rows, form.reason.data or "")
        if valid and not posted.errors:
            def save():
                try:
                    return observations.enter_observations(db, actor(), quarter,
                                                           posted.entries)
                except observations.ObservationConflict as exc:
                    conflicts.update(exc.cells)
                    posted.errors.update(localized_errors(exc.errors))
                    raise

            done = submit(form, save, lambda _n: _back(agreement_id, quarter),
                          _("Observations saved."), on_errors=posted.errors.update)
            if done:
                return done
            if conflicts:
                posted.conflicted(conflicts)
                form.conflict = _(
                    "Someone else changed %(count)d of the values you changed since you opened "
                    "the grid; both values are shown beside each. Nothing was saved, and what "
                    "you typed is kept: save again to replace their values with yours.",
                    count=len(conflicts))
    indicators, previous, rows = observations.observation_grid(db, actor(), agreement, quarter)
    compare = request.args.get("compare") == "1"  # earlier quarters beside this one, on demand
    standing = deadlines.standing(db, agreement, quarter, quarter_states(db, agreement.id)
                                  .get(quarter), local_today())
    status = CONFLICT if conflicts else UNPROCESSABLE if posted.errors else status_of(form)
    return render_template("statements/observations.html", agreement=agreement,
                           quarter=quarter, indicators=indicators, previous=previous, rows=rows,
                           form=form, cell_errors=posted.errors, typed=posted.typed,
                           shown=posted.shown, stored_text=grid.stored_text,
                           shown_value=grid.shown_value, compare=compare,
                           standing=standing), status


def _agreement(agreement_id: int):
    return agreements.get_agreement(get_session(), actor(), agreement_id)


@bp.route("/submit", methods=["POST"])
def submit_quarter(agreement_id: int, quarter: Quarter):
    """The destination bureau submits the quarter, once it has said yes to what that means."""
    form = SimpleActionForm()
    if not is_confirmed() and form.validate():
        return confirming.ask_submit(get_session(), _agreement(agreement_id), quarter)
    return _action(agreement_id, quarter, SimpleActionForm(),
                   lambda form: workflow.submit(get_session(), actor(), agreement_id, quarter),
                   _("Quarter submitted for confirmation."))


@bp.route("/confirm", methods=["POST"])
def confirm(agreement_id: int, quarter: Quarter):
    """A bureau confirms its party's side of the statement it saw; the confirmation that would
    close the quarter is asked about once more first."""
    form = ConfirmForm()
    if not is_confirmed() and form.validate():
        agreement = _agreement(agreement_id)
        if confirming.closes(get_session(), agreement, quarter, form.party.data,
                             form.fingerprint.data):
            return confirming.ask_close(agreement, quarter, form.party.data,
                                        form.fingerprint.data)
    return _action(agreement_id, quarter, form,
                   lambda form: workflow.confirm(get_session(), actor(), agreement_id, quarter,
                                                 form.party.data, form.fingerprint.data),
                   _("Confirmed."))


@bp.route("/review", methods=["POST"])
def review(agreement_id: int, quarter: Quarter):
    """An auditor records a review or raises a query; a refused one comes back on the
    statement page, the message beside its field and the choice kept."""
    form = ReviewForm()
    done = submit(form, lambda: workflow.review(get_session(), actor(), agreement_id, quarter,
                                                form.kind.data, form.comment.data or ""),
                  lambda _r: _back(agreement_id, quarter), _("Review recorded."))
    return done or (_statement_page(agreement_id, quarter, form), UNPROCESSABLE)


@bp.route("/answer", methods=["POST"])
def answer(agreement_id: int, quarter: Quarter):
    """A bureau answers an auditor's query."""
    def run(form):
        if not form.review_id.data.isdigit():
            abort(404)
        return workflow.answer_query(get_session(), actor(), int(form.review_id.data),
                                     form.answer.data)

    return _action(agreement_id, quarter, AnswerForm(), run, _("Answer recorded."))


@bp.route("/reopen", methods=["POST"])
def reopen(agreement_id: int, quarter: Quarter):
    """An administrator reopens the latest closed quarter, with a reason, once they have said yes
    to what that means."""
    form = ReopenForm()
    if not is_confirmed() and form.validate() and actor().is_admin:
        return confirming.ask_reopen(_agreement(agreement_id), quarter, form.reason.data)
    return _action(agreement_id, quarter, form,
                   lambda form: workflow.reopen(get_session(), actor(), agreement_id, quarter,
                                                form.reason.data),
                   _("Quarter reopened."))


def _action(agreement_id: int, quarter: Quarter, form, run, message: str):
    """Run a workflow step for a POSTed form; on failure show the statement with the reason."""
    done = submit(form, lambda: run(form), lambda _r: _back(agreement_id, quarter), message)
    if done:
        return done
    db = get_session()
    agreement = agreements.get_agreement(db, actor(), agreement_id)
    attach_errors(form, {})
    return render_template("statements/refused.html", agreement=agreement, quarter=quarter,
                           form=form), UNPROCESSABLE


@bp.route("/explain")
def explain(agreement_id: int, quarter: Quarter):
    """For auditors: how one allocation was computed, step by step."""
    project = request.args.get("project", "")
    indicator = request.args.get("indicator", "")
    party = request.args.get("party", "")
    explanation = explain_allocation(get_session(), actor(), agreement_id, quarter, project,
                                     indicator, party)
    return render_template("statements/explain.html", e=explanation, quarter=quarter,
                           agreement_id=agreement_id)

