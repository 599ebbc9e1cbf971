"""API: a quarter's statement (exact decimals, whole quanta) and its sign-off (submit, confirm)."""

from __future__ import annotations

from decimal import Decimal

from flask import g

from app.db import get_session
from app.domain.codes import PartyRole, QuarterState
from app.services.sharing import workflow
from app.web.api.deadlines import DEADLINES, quarter_deadlines
from app.web.api.routing import ID, operation, schema
from app.web.api.spec import REGION_PATTERN, Obj, QuarterField, Text
from app.web.api.values import (
    BOOLEAN,
    DATETIME,
    DECIMAL,
    INTEGER,
    QUARTER,
    STRING,
    arr,
    code,
    enum_of,
    moment,
    nullable,
    obj,
)

_QUARTER_PATH = {"quarter": QuarterField()}
_BASE = f"/agreements/<{ID}:agreement_id>/quarters/<quarter>"
LINE = schema("PartyLine", obj({
    "current": DECIMAL, "adjustment": DECIMAL, "total": DECIMAL, "year_to_date": DECIMAL,
    "since_inception": DECIMAL, "cap": nullable(DECIMAL), "cap_used": nullable(DECIMAL),
    "cap_left": nullable(DECIMAL)}))
_LINES = {"type": "object", "additionalProperties": LINE,
          "description": "by party region code"}
CONFIRMATION = obj({"party": STRING, "user": STRING, "confirmed_at": DATETIME,
                    "fingerprint": STRING})
QUARTER_STATE_FIELDS = {
    "agreement_id": INTEGER, "quarter": QUARTER, "state": enum_of(QuarterState),
    "fingerprint": nullable(STRING), "submitted_at": nullable(DATETIME),
    "closed_at": nullable(DATETIME), "confirmations": arr(CONFIRMATION),
    "deadlines": DEADLINES}
QUARTER_STATE = schema("QuarterState", obj(QUARTER_STATE_FIELDS))
STATEMENT = schema("Statement", obj({
    **QUARTER_STATE_FIELDS,
    "statement": obj({
        "agreement_code": STRING, "agreement_title": STRING, "quarter": QUARTER,
        "adjusts_against": nullable(QUARTER), "fingerprint": STRING,
        "parties": arr(obj({"code": STRING, "name": STRING, "role": enum_of(PartyRole),
                            "priority": INTEGER, "is_default": BOOLEAN})),
        "rows": arr(obj({"project_code": STRING, "project_name": STRING, "indicator": STRING,
                         "value": DECIMAL, "is_missing": BOOLEAN, "cumulative_total": DECIMAL,
                         "lines": _LINES})),
        "totals": arr(obj({"indicator": STRING, "name": STRING, "unit": STRING, "mode": STRING,
                           "value": DECIMAL, "lines": _LINES}))})}))
CONFIRM_INPUT = Obj({
    "party": Text(6, pattern=REGION_PATTERN, required=True,
                  description="the region code of the party you confirm for"),
    "fingerprint": Text(64, required=True,
                        description="the fingerprint of the statement you checked")})


def _plain(value):
    """Statement data with every Decimal as its exact string."""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def quarter_state_json(agreement_id: int, quarter, aq) -> dict:
    """The workflow state of a quarter (OPEN when nothing happened yet)."""
    return {"agreement_id": agreement_id, "quarter": str(quarter),
            "state": code(aq.state) if aq else QuarterState.OPEN.value,
            "fingerprint": aq.fingerprint if aq else None,
            "submitted_at": moment(aq.submitted_at) if aq else None,
            "closed_at": moment(aq.closed_at) if aq else None,
            "confirmations": [{"party": c.party.region.code, "user": c.user.email,
                               "confirmed_at": moment(c.confirmed_at),
                               "fingerprint": c.fingerprint}
                              for c in (aq.confirmations if aq else [])],
            "deadlines": quarter_deadlines(get_session(), agreement_id, quarter, aq)}


@operation(f"{_BASE}/statement", summary="The statement of a quarter", tag="statements",
           response=STATEMENT, path=_QUARTER_PATH)
def get_statement(agreement_id: int, quarter):
    """Exactly as frozen once the quarter closed; recomputed from today's observations before."""
    statement, aq = workflow.statement_for(get_session(), g.actor, agreement_id, quarter)
    return {**quarter_state_json(agreement_id, quarter, aq),
            "statement": {**_plain(statement.data()), "fingerprint": statement.fingerprint}}


@operation(f"{_BASE}/submit", "POST", summary="Submit a quarter for confirmation",
           tag="statements", response=QUARTER_STATE, path=_QUARTER_PATH)
def submit_quarter(agreement_id: int, quarter):
    """The destination bureau says the quarter's observations are complete."""
    aq = workflow.submit(get_session(), g.actor, agreement_id, quarter)
    return quarter_state_json(agreement_id, quarter, aq)


@operation(f"{_BASE}/confirm", "POST", summary="Confirm a party's side of a statement",
           tag="statements", response=QUARTER_STATE, path=_QUARTER_PATH,
           body=("ConfirmInput", CONFIRM_INPUT))
def confirm_quarter(agreement_id: int, quarter, data):
    """Confirm the statement with the fingerprint you checked; the last party closes it."""
    aq = workflow.confirm(get_session(), g.actor, agreement_id, quarter, data["party"],
                          data["fingerprint"])
    return quarter_state_json(agreement_id, quarter, aq)
