"""API: agreements with parties, rules (tiers, caps, baseline; exact decimals) and projects."""

from __future__ import annotations

from flask import g

from app.db import get_session
from app.domain.codes import AgreementStatus, CapScope, PartyRole, QuarterState, SharingMode
from app.services.lists import api as listings
from app.services.sharing import agreements as agreement_service
from app.services.sharing import deadlines
from app.services.sharing.statements import quarter_states
from app.web.api.deadlines import DEADLINES, deadlines_json
from app.web.api.routing import ID, PAGE_QUERY, operation, page_json, page_schema, schema
from app.web.api.spec import REGION_PATTERN, Choice, Text
from app.web.api.values import (
    BOOLEAN,
    DATE,
    DECIMAL,
    INTEGER,
    QUARTER,
    STRING,
    arr,
    code,
    day,
    dec,
    enum_of,
    nullable,
    obj,
)

PARTY = schema("Party", obj({
    "region": STRING, "name": STRING, "role": enum_of(PartyRole), "priority": INTEGER,
    "is_default": BOOLEAN}))
AGREEMENT_FIELDS = {
    "id": INTEGER, "code": STRING, "title": STRING, "status": enum_of(AgreementStatus),
    "basis_document": nullable(STRING), "signed_on": nullable(DATE), "version": INTEGER,
    "parties": arr(PARTY)}
AGREEMENT = schema("Agreement", obj(AGREEMENT_FIELDS))
RULE = schema("Rule", obj({
    "indicator": STRING, "mode": enum_of(SharingMode), "as_percent": BOOLEAN,
    "baseline": nullable(DECIMAL), "baseline_owner": nullable(STRING),
    "tiers": arr(obj({"first_quarter": QUARTER, "last_quarter": nullable(QUARTER),
                      "weights": {"type": "object", "additionalProperties": DECIMAL}})),
    "caps": arr(obj({"party": STRING, "amount": DECIMAL, "scope": enum_of(CapScope)}))}))
COVERED = schema("CoveredProject", obj({
    "project_id": INTEGER, "project": STRING, "name": STRING,
    "cap_overrides": arr(obj({"indicator": STRING, "party": STRING, "amount": DECIMAL}))}))
AGREEMENT_DETAIL = schema("AgreementDetail", obj({
    **AGREEMENT_FIELDS, "rules": arr(RULE), "covered": arr(COVERED),
    "quarters": arr(obj({"quarter": QUARTER, "state": enum_of(QuarterState),
                         "deadlines": DEADLINES}))}))


def agreement_json(a) -> dict:
    """An agreement's heading and parties (in priority order)."""
    return {"id": a.id, "code": a.code, "title": a.title, "status": code(a.status),
            "basis_document": a.basis_document, "signed_on": day(a.signed_on),
            "version": a.version,
            "parties": [{"region": p.region.code, "name": p.region.name, "role": code(p.role),
                         "priority": p.priority, "is_default": p.is_default}
                        for p in sorted(a.parties, key=lambda p: p.priority)]}


def rule_json(r) -> dict:
    """One indicator's rule exactly as stored (what the split engine reads)."""
    return {"indicator": r.indicator_code, "mode": code(r.mode), "as_percent": r.as_percent,
            "baseline": dec(r.baseline),
            "baseline_owner": r.baseline_owner.region.code if r.baseline_owner else None,
            "tiers": [{"first_quarter": str(t.first_quarter),
                       "last_quarter": str(t.last_quarter) if t.last_quarter else None,
                       "weights": {w.party.region.code: dec(w.weight) for w in t.weights}}
                      for t in r.tiers],
            "caps": [{"party": c.party.region.code, "amount": dec(c.amount),
                      "scope": code(c.scope)} for c in r.caps]}


def covered_json(c) -> dict:
    """A covered project and its own cap amounts."""
    return {"project_id": c.project_id, "project": c.project.code, "name": c.project.name,
            "cap_overrides": [{"indicator": o.cap.rule.indicator_code,
                               "party": o.cap.party.region.code, "amount": dec(o.amount)}
                              for o in c.cap_overrides]}


@operation("/agreements", summary="Agreements in your scope, by code", tag="agreements",
           response=page_schema("AgreementPage", AGREEMENT),
           query={"code": Text(32, default=None, description="exactly this code"),
                  "status": Choice(AgreementStatus, default=None),
                  "party_region": Text(6, pattern=REGION_PATTERN, default=None,
                                       description="with a party within this region"),
                  **PAGE_QUERY})
def list_agreements(args):
    """Agreements with a party in the token's regions (all, for administrators)."""
    page = listings.list_agreements(get_session(), g.actor, **args)
    return page_json(page, agreement_json)


@operation(f"/agreements/<{ID}:agreement_id>", summary="An agreement with its rules",
           tag="agreements", response=AGREEMENT_DETAIL)
def get_agreement(agreement_id: int):
    """Parties, rules, covered projects and the quarters that have a workflow state."""
    db = get_session()
    agreement = agreement_service.get_agreement(db, g.actor, agreement_id)
    states = quarter_states(db, agreement.id)
    found = deadlines.standings(db, agreement, states, states)
    return {**agreement_json(agreement), "rules": [rule_json(r) for r in agreement.rules],
            "covered": [covered_json(c) for c in agreement.covered],
            "quarters": [{"quarter": str(q), "state": code(states[q].state),
                          "deadlines": deadlines_json(found[q])} for q in sorted(states)]}
