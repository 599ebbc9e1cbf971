"""Views of an agreement's settlement: parse, call a service, render or redirect."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

from flask import Blueprint, Response, abort, redirect, render_template, url_for
from flask_babel import gettext as _

from app.db import get_session
from app.domain.codes import DifferenceReason, Role, SettlementState
from app.domain.quarter import Quarter
from app.models.base import utcnow
from app.services.exchange.tables import MEDIA_TYPES, write_table
from app.services.settlement import notices, runs, schedule, views
from app.services.sharing import agreements
from app.web.common import UNPROCESSABLE, actor, require_sign_in, status_of, submit
from app.web.settlement.forms import ComputeForm, NoticeForm, ResolveForm, RunConfirmForm

bp = Blueprint("settlement", __name__, url_prefix="/agreements/<int:agreement_id>/settlement")
bp.before_request(require_sign_in)
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _agreement(agreement_id: int):
    return agreements.get_agreement(get_session(), actor(), agreement_id)


def _can_act(agreement) -> bool:
    """A bureau of one of the parties, or an administrator, computes and records notices."""
    return actor().is_admin or any(agreements.party_in_scope(actor(), p)
                                   for p in agreement.parties)


@bp.route("/", methods=["GET", "POST"])
def index(agreement_id: int):
    """Every run of the agreement by year and version, and the form computing a year."""
    db = get_session()
    agreement = _agreement(agreement_id)
    form = ComputeForm()
    if _can_act(agreement):
        done = submit(form, lambda: runs.compute(db, actor(), agreement, form.fiscal_year.data),
                      lambda result: url_for("settlement.run", agreement_id=agreement_id,
                                             run_id=result[0].id),
                      lambda result: _("Version %(n)s computed.", n=result[0].number)
                      if result[1] else _("Nothing changed: this is the run as computed."))
        if done:
            return done
    elif form.is_submitted():
        abort(404)
    found = runs.runs_of(db, agreement.id)
    years = sorted({r.fiscal_year for r in found}, reverse=True)
    return render_template(
        "settlement/index.html", agreement=agreement, form=form, can_act=_can_act(agreement),
        years=[(y, [r for r in found if r.fiscal_year == y]) for y in years],
        differences=views.open_differences_with_age(db, agreement.id, utcnow().date()),
    ), status_of(form)


@bp.route("/runs/<int:run_id>")
def run(agreement_id: int, run_id: int):
    """One version of a year's run: lines, totals, net, carried, footing, versions, booking."""
    return _run_page(agreement_id, run_id)


def _run_page(agreement_id: int, run_id: int, notice_form: NoticeForm | None = None,
              confirm_form: RunConfirmForm | None = None):
    db = get_session()
    found, agreement = runs.get_run(db, actor(), run_id)
    if found.agreement_id != agreement_id:
        abort(404)
    versions = runs.runs_of(db, agreement.id, found.fiscal_year)
    content = _decimals(runs.content_of(found))
    regions = {p.region.code: p.region for p in agreement.parties}
    is_newest = versions[0].id == found.id
    confirmed = {c.party_id: c for c in found.confirmations}
    mine = [p for p in agreement.parties if agreements.party_in_scope(actor(), p)]
    form = notice_form or NoticeForm().fill(agreement.parties)
    return render_template(
        "settlement/run.html", agreement=agreement, run=found, content=content, regions=regions,
        versions=[(v, json.loads(v.changes_json)) for v in versions], is_newest=is_newest,
        confirmed=confirmed, my_parties=mine, confirm_form=confirm_form or RunConfirmForm(),
        notice_form=form, can_record=bool(
            is_newest and found.state is SettlementState.CONFIRMED and _can_act(agreement)
            and actor().has(Role.FINANCE_BUREAU)),
        reconciliation=notices.reconciliation(db, agreement.id, found.fiscal_year),
        notices=notices.notices_of(db, agreement.id, found.fiscal_year),
        is_auditor=actor().has(Role.AUDITOR), resolve_form=ResolveForm(),
        schedule_quarter=Quarter(found.fiscal_year, 4),
    ), status_of(form) if notice_form else (status_of(confirm_form) if confirm_form else 200)


_AMOUNTS = ("amount", "statements", "run")


def _decimals(content: dict) -> dict:
    """The run's content with its amounts as Decimals, for the number filters."""
    def item(x: dict) -> dict:
        return {k: Decimal(v) if k in _AMOUNTS else DifferenceReason(v) if k == "reason" else v
                for k, v in x.items()}
    return {k: [item(x) for x in v] if isinstance(v, list) and v and isinstance(v[0], dict)
            and k != "parties" else v for k, v in content.items()}


@bp.route("/runs/<int:run_id>/confirm", methods=["POST"])
def confirm(agreement_id: int, run_id: int):
    """A bureau confirms its party's side of the run it saw."""
    form = RunConfirmForm()
    done = submit(form, lambda: runs.confirm(get_session(), actor(), run_id, form.party.data,
                                             form.fingerprint.data),
                  lambda _r: url_for("settlement.run", agreement_id=agreement_id, run_id=run_id),
                  _("Confirmed."))
    return done or _run_page(agreement_id, run_id, confirm_form=_with_errors(form))


def _with_errors(form):
    """A refused hidden-field form: its field errors shown at the top of the page."""
    form.form_errors = list(getattr(form, "form_errors", [])) + [
        m for messages in form.errors.values() for m in messages]
    return form


@bp.route("/runs/<int:run_id>/notices", methods=["POST"])
def record_notice(agreement_id: int, run_id: int):
    """A bureau records the superior department's settlement notice for the run's year."""
    db = get_session()
    found, agreement = runs.get_run(db, actor(), run_id)
    form = NoticeForm().fill(agreement.parties)
    done = submit(form, lambda: notices.record_notice(
        db, actor(), agreement.id, found.fiscal_year, notices.NoticeData(
            form.level.data or "", form.number.data or "", form.issued_on.data or "",
            form.payer.data or "", form.payee.data or "", form.amount.data or "",
            form.reason.data or "")),
        lambda _n: url_for("settlement.run", agreement_id=agreement_id, run_id=run_id),
        _("Notice recorded."))
    if done:
        return done
    return _run_page(agreement_id, run_id, notice_form=form)


@bp.route("/differences/<int:difference_id>/resolve", methods=["POST"])
def resolve(agreement_id: int, difference_id: int):
    """An auditor resolves an open difference with a note; it is carried no more."""
    form = ResolveForm()
    version = int(form.version.data) if (form.version.data or "").isdigit() else None
    done = submit(form, lambda: notices.resolve(get_session(), actor(), difference_id,
                                                form.note.data or "", version),
                  lambda _d: url_for("settlement.index", agreement_id=agreement_id),
                  _("Difference resolved."))
    if done:
        return done
    agreement = _agreement(agreement_id)
    return render_template("settlement/refused.html", agreement=agreement,
                           form=_with_errors(form)), UNPROCESSABLE


@bp.route("/years/<int:year>/audit")
def audit(agreement_id: int, year: int):
    """The auditor's view of a year: the three-way match, open differences, versions."""
    db = get_session()
    agreement = _agreement(agreement_id)
    if not 2000 <= year <= 2100:
        abort(404)
    return render_template(
        "settlement/audit.html", agreement=agreement, year=year,
        stages=views.three_way(db, agreement, year),
        versions=[(v, json.loads(v.changes_json)) for v in runs.runs_of(db, agreement.id, year)],
        reconciliation=notices.reconciliation(db, agreement.id, year),
        differences=views.open_differences_with_age(db, agreement.id, utcnow().date()),
        notices=notices.notices_of(db, agreement.id, year),
        is_auditor=actor().has(Role.AUDITOR), resolve_form=ResolveForm())


@bp.route("/runs/<int:run_id>.xlsx")
def workbook(agreement_id: int, run_id: int):
    """The run's lines, carried differences, totals and net as an XLSX (text cells inert)."""
    found, agreement = runs.get_run(get_session(), actor(), run_id)
    if found.agreement_id != agreement_id:
        abort(404)
    out = io.BytesIO()
    write_table(schedule.SHEET_HEADERS, schedule.sheet_rows(found), "xlsx", out)
    name = f"settlement-{agreement.code}-{found.fiscal_year}-v{found.number}.xlsx"
    response = Response(out.getvalue(), mimetype=MEDIA_TYPES["xlsx"])
    response.headers["Content-Disposition"] = f'attachment; filename="{_SAFE.sub("_", name)}"'
    return response


@bp.route("/latest/<int:year>")
def latest(agreement_id: int, year: int):
    """The newest version of a year's run (a stable link)."""
    found = runs.latest_run(get_session(), _agreement(agreement_id).id, year)
    if found is None:
        abort(404)
    return redirect(url_for("settlement.run", agreement_id=agreement_id, run_id=found.id))
