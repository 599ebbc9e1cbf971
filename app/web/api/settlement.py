"""API: settlement runs of an agreement's fiscal years (exact decimals as strings), their lines,
confirmation, the superior department's notices and the reconciliation per pair."""

from __future__ import annotations

import json

from flask import g

from app.db import get_session
from app.domain.codes import DifferenceReason, NoticeLevel, SettlementState
from app.services.settlement import notices, runs
from app.services.sharing.agreements import get_agreement
from app.web.api.routing import ID, operation, schema
from app.web.api.spec import REGION_PATTERN, Integer, Obj, Text
from app.web.api.statements import CONFIRM_INPUT
from app.web.api.values import (
    BOOLEAN,
    DATE,
    DATETIME,
    DECIMAL,
    INTEGER,
    STRING,
    arr,
    code,
    dec,
    enum_of,
    moment,
    nullable,
    obj,
)

_PAIR = obj({"payer": STRING, "payee": STRING, "amount": DECIMAL})
LINE = schema("SettlementLine", obj({
    "project": STRING, "project_name": STRING, "indicator": STRING, "payer": STRING,
    "payee": STRING, "amount": DECIMAL}))
RUN_FIELDS = {
    "id": INTEGER, "agreement_id": INTEGER, "agreement": STRING, "fiscal_year": INTEGER,
    "version": INTEGER, "state": enum_of(SettlementState), "fingerprint": STRING,
    "foots": BOOLEAN, "computed_at": DATETIME, "confirmed_at": nullable(DATETIME),
    "confirmations": arr(obj({"party": STRING, "user": STRING, "confirmed_at": DATETIME,
                              "fingerprint": STRING}))}
RUN = schema("SettlementRun", obj(RUN_FIELDS))
RUN_DETAIL = schema("SettlementRunDetail", obj({
    **RUN_FIELDS, "quarters": {"type": "object", "additionalProperties": STRING,
                               "description": "statement fingerprint by quarter"},
    "lines": arr(LINE),
    "kept": arr(obj({"project": STRING, "indicator": STRING, "payer": STRING,
                     "amount": DECIMAL})),
    "carried": arr(obj({"fiscal_year": INTEGER, "payer": STRING, "payee": STRING,
                        "amount": DECIMAL, "reason": enum_of(DifferenceReason)})),
    "totals": arr(_PAIR), "net": arr(_PAIR),
    "changes": arr(obj({"item": STRING, "old": nullable(STRING), "new": nullable(STRING)}))}))
NOTICE = schema("SettlementNotice", obj({
    "id": INTEGER, "fiscal_year": INTEGER, "level": enum_of(NoticeLevel), "number": STRING,
    "issued_on": DATE, "payer": STRING, "payee": STRING, "amount": DECIMAL,
    "recorded_at": DATETIME}))
RECONCILIATION = schema("SettlementReconciliation", obj({
    "agreement_id": INTEGER, "fiscal_year": INTEGER,
    "pairs": arr(obj({"payer": STRING, "payee": STRING, "due": DECIMAL, "booked": DECIMAL,
                      "difference": DECIMAL, "reason": nullable(enum_of(DifferenceReason)),
                      "open": BOOLEAN})),
    "notices": arr(NOTICE)}))
COMPUTE_INPUT = Obj({"fiscal_year": Integer(2000, 2100, required=True,
                                            description="the calendar year to settle")})
NOTICE_INPUT = Obj({
    "level": Text(12, required=True, description="CENTRAL, PROVINCIAL or MUNICIPAL"),
    "number": Text(100, required=True), "issued_on": Text(10, required=True,
                                                          description="YYYY-MM-DD"),
    "payer": Text(6, pattern=REGION_PATTERN, required=True),
    "payee": Text(6, pattern=REGION_PATTERN, required=True),
    "amount": Text(24, required=True, description="yuan, at most two decimals"),
    "reason": Text(24, description="TIMING, REFUND_AFTER_CUTOFF, DISPUTE or ROUNDING; "
                                   "required when booked differs from due")})
_YEAR = f"/agreements/<{ID}:agreement_id>/settlement/<{ID}:fiscal_year>"


def run_json(run) -> dict:
    """A run's state (without its lines)."""
    return {"id": run.id, "agreement_id": run.agreement_id,
            "agreement": runs.content_of(run)["agreement"], "fiscal_year": run.fiscal_year,
            "version": run.number, "state": code(run.state), "fingerprint": run.fingerprint,
            "foots": run.foots, "computed_at": moment(run.computed_at),
            "confirmed_at": moment(run.confirmed_at),
            "confirmations": [{"party": c.party.region.code, "user": c.user.email,
                               "confirmed_at": moment(c.confirmed_at),
                               "fingerprint": c.fingerprint} for c in run.confirmations]}


def run_detail_json(run) -> dict:
    """A run with its lines, kept amounts, carried differences, totals, net and changes."""
    content = runs.content_of(run)
    return {**run_json(run), "quarters": content["quarters"],
            **{k: content[k] for k in ("lines", "kept", "carried", "totals", "net")},
            "changes": json.loads(run.changes_json)}


@operation(f"/agreements/<{ID}:agreement_id>/settlement/runs",
           summary="Settlement runs of an agreement, newest year and version first",
           tag="settlement", response=arr(RUN))
def list_runs(agreement_id: int):
    """Every version of every year's run of an agreement in your scope."""
    db = get_session()
    agreement = get_agreement(db, g.actor, agreement_id)
    return [run_json(r) for r in runs.runs_of(db, agreement.id)]


@operation(f"/agreements/<{ID}:agreement_id>/settlement/runs", "POST",
           summary="Compute (or show) the settlement of a fiscal year", tag="settlement",
           response=RUN_DETAIL, body=("SettlementComputeInput", COMPUTE_INPUT))
def compute_run(agreement_id: int, data):
    """All four quarters must be closed; unchanged since the last version gives it back."""
    db = get_session()
    agreement = get_agreement(db, g.actor, agreement_id)
    run, _made = runs.compute(db, g.actor, agreement, data["fiscal_year"])
    return run_detail_json(run)


@operation(f"/settlement/runs/<{ID}:run_id>", summary="A settlement run with its lines",
           tag="settlement", response=RUN_DETAIL)
def get_run(run_id: int):
    """One version of a year's run, exactly as computed."""
    run, _agreement = runs.get_run(get_session(), g.actor, run_id)
    return run_detail_json(run)


@operation(f"/settlement/runs/<{ID}:run_id>/lines", summary="The lines of a settlement run",
           tag="settlement", response=arr(LINE))
def get_lines(run_id: int):
    """Per project, settling indicator and payee: the year's sum of the statements' totals."""
    run, _agreement = runs.get_run(get_session(), g.actor, run_id)
    return runs.content_of(run)["lines"]


@operation(f"/settlement/runs/<{ID}:run_id>/confirm", "POST",
           summary="Confirm a party's side of a settlement run", tag="settlement",
           response=RUN, body=("SettlementConfirmInput", CONFIRM_INPUT))
def confirm_run(run_id: int, data):
    """Confirm the run with the fingerprint you checked; the last party confirms it."""
    return run_json(runs.confirm(get_session(), g.actor, run_id, data["party"],
                                 data["fingerprint"]))


def _notice_json(n) -> dict:
    return {"id": n.id, "fiscal_year": n.fiscal_year, "level": code(n.level),
            "number": n.number, "issued_on": n.issued_on.isoformat(), "payer": n.payer.code,
            "payee": n.payee.code, "amount": dec(n.amount), "recorded_at": moment(n.recorded_at)}


@operation(f"{_YEAR}/reconciliation", summary="Due against booked per pair of a fiscal year",
           tag="settlement", response=RECONCILIATION)
def get_reconciliation(agreement_id: int, fiscal_year: int):
    """Per pair: due (the newest run's net), booked (the notices), the difference, its reason."""
    db = get_session()
    agreement = get_agreement(db, g.actor, agreement_id)
    pairs = notices.reconciliation(db, agreement.id, fiscal_year)
    return {"agreement_id": agreement.id, "fiscal_year": fiscal_year,
            "pairs": [{"payer": p.payer, "payee": p.payee, "due": dec(p.due),
                       "booked": dec(p.booked), "difference": dec(p.difference),
                       "reason": code(p.reason) if p.reason else None,
                       "open": p.open_difference is not None} for p in pairs],
            "notices": [_notice_json(n) for n in notices.notices_of(db, agreement.id,
                                                                    fiscal_year)]}


@operation(f"{_YEAR}/notices", "POST", summary="Record the superior department's notice",
           tag="settlement", response=NOTICE, status=201,
           body=("SettlementNoticeInput", NOTICE_INPUT))
def record_notice(agreement_id: int, fiscal_year: int, data):
    """Refused naming the field: a pair that owes nothing, a negative amount, a duplicate
    number, a difference without a reason; nothing is written then."""
    notice = notices.record_notice(get_session(), g.actor, agreement_id, fiscal_year,
                                   notices.NoticeData(**{k: data.get(k) or "" for k in (
                                       "level", "number", "issued_on", "payer", "payee",
                                       "amount", "reason")}))
    return _notice_json(notice)
