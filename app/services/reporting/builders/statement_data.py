"""The data of a sharing statement report: the statement of the quarter (frozen once closed), the
parties, each rule in words (zh and en), the workflow and reviews; amounts in each indicator's
unit as exact decimal text. It depends only on the agreement and the quarter."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.codes import QuarterState
from app.domain.messages import N_
from app.domain.quarter import Quarter
from app.domain.sharing.words import describe_rule
from app.models import Agreement
from app.services.access.scopes import Actor
from app.services.errors import NotFound, ValidationFailed
from app.services.reporting.builders.common import Subject, utc_text
from app.services.sharing import workflow
from app.services.sharing.agreements import (
    agreement_filter,
    domain_parties,
    domain_rule,
    get_agreement,
    party_in_scope,
)
from app.services.sharing.statements import quarter_states

KIND = "statement"
_LINE = ("current", "adjustment", "total", "year_to_date", "since_inception", "cap_used",
         "cap_left")
_STATE_WORDS = {QuarterState.OPEN: N_("open"), QuarterState.SUBMITTED: N_("submitted")}
"""The states of a quarter whose statement is not issued yet, as its message names them."""


def subject(session: Session, actor: Actor, code: str) -> Subject:
    """The agreement with ``code`` (not a draft) if the actor may read it; else NotFound."""
    agreement_id = session.scalar(select(Agreement.id).where(Agreement.code == code,
                                                             agreement_filter(actor)))
    if agreement_id is None:
        raise NotFound(f'agreement "{code}"')
    agreement = get_agreement(session, actor, agreement_id)
    return Subject(KIND, agreement.code, agreement.title, agreement_id=agreement.id,
                   obj=agreement)


def check_issuer(session: Session, actor: Actor, subject: Subject, quarter: Quarter) -> None:
    """A bureau of one of the parties (or the operator's command line) issues a statement, and
    only for a closed quarter: an open one is downloadable as a draft, never issued."""
    agreement = subject.obj
    if actor.user_id is not None and not any(party_in_scope(actor, p)
                                             for p in agreement.parties):
        raise NotFound("page")
    aq = quarter_states(session, agreement.id).get(quarter)
    state = aq.state if aq is not None else QuarterState.OPEN
    if state is not QuarterState.CLOSED:
        raise ValidationFailed(quarter=N_(
            "%(quarter)s is %(state)s: only a closed quarter's statement is issued (download it "
            "as a draft)", quarter=quarter,
            state=_STATE_WORDS.get(state) or state.value.lower()))


def _when(moment: dt.datetime | None) -> str | None:
    """A stored moment as "2026-10-08 01:12 UTC" (None stays None; printed in local time)."""
    return utc_text(moment)


def _bureau(user, region=None) -> str:
    """The bureau a person acted for: "深圳市财政局" (``region``'s, else their first bureau
    grant's), or "" when they hold none."""
    if region is None:
        region = next((g.region for g in user.grants
                       if g.role == "FINANCE_BUREAU" and g.region is not None), None)
    return f"{region.name}财政局" if region is not None else ""


def _text(value) -> str | None:
    """An exact amount as text in the indicator's unit (None stays None)."""
    return None if value is None else f"{value:f}"


def collect(session: Session, subject: Subject, quarter: Quarter) -> dict:
    """Every figure and word of the statement report, keyed to diff."""
    agreement = subject.obj
    statement, aq = workflow.statement_of(session, agreement, quarter)
    regions = {p.region.code: p.region for p in agreement.parties}
    parties = {p["code"]: {"name": p["name"], "name_en": regions[p["code"]].name_en or p["code"],
                           "role": p["role"], "priority": p["priority"],
                           "is_default": p["is_default"]} for p in statement.parties}
    order = domain_parties(agreement)
    overrides: dict[int, dict[str, str]] = {}
    for covered in sorted(agreement.covered, key=lambda c: c.project.code):
        for override in covered.cap_overrides:
            overrides.setdefault(override.cap_id, {})[covered.project.code] = \
                _text(override.amount)
    rules = {}
    for rule in sorted(agreement.rules, key=lambda r: (r.indicator.position, r.indicator_code)):
        indicator = rule.indicator
        words = {language: describe_rule(
            domain_rule(rule), order, {c: p[key] for c, p in parties.items()},
            indicator.unit, language) for language, key in (("zh", "name"), ("en", "name_en"))}
        rules[rule.indicator_code] = {
            "name": indicator.name, "name_en": indicator.name_en, "unit": indicator.unit,
            "quantum": indicator.quantum, "mode": rule.mode.value, **words,
            "caps": {cap.party.region.code: {"amount": _text(cap.amount),
                                             "scope": cap.scope.value,
                                             "projects": overrides.get(cap.id, {})}
                     for cap in rule.caps}}
    rows = {}
    for row in statement.rows:
        rows[f"{row.indicator} {row.project_code}"] = {
            "project_code": row.project_code, "project_name": row.project_name,
            "indicator": row.indicator, "value": _text(row.value), "missing": row.is_missing,
            "parties": {code: {name: _text(getattr(line, name)) for name in _LINE}
                        for code, line in row.lines.items()},
            **({"via_park": row.via_park} if row.via_park else {})}
    totals = {t.indicator: {"value": _text(t.value), "parties": {
        code: {name: _text(getattr(line, name)) for name in _LINE[:5]}
        for code, line in t.lines.items()}} for t in statement.totals}
    parks = {c.park.code: c.park.name for c in agreement.covered_parks}
    return {
        **({"covered_parks": parks} if parks else {}),  # only agreements that cover a park
        "agreement": {"code": agreement.code, "title": agreement.title,
                      "basis_document": agreement.basis_document or "",
                      "signed_on": agreement.signed_on.isoformat() if agreement.signed_on
                      else None},
        "quarter": str(quarter), "parties": parties, "rules": rules,
        "adjusts_against": statement.adjusts_against,
        "statement_fingerprint": statement.fingerprint,
        "rows": rows, "totals": totals, "workflow": _workflow(aq),
    }


def _workflow(aq) -> dict:
    """The quarter's state, who submitted and confirmed for each party and when, and reviews."""
    if aq is None:
        return {"state": QuarterState.OPEN.value, "submitted_by": None, "submitted_bureau": "",
                "submitted_at": None,
                "closed_at": None, "confirmations": {}, "reviews": {}}
    return {
        "state": aq.state.value,
        "submitted_by": aq.submitted_by.name if aq.submitted_by else None,
        "submitted_bureau": _bureau(aq.submitted_by) if aq.submitted_by else "",
        "submitted_at": _when(aq.submitted_at),
        "closed_at": _when(aq.closed_at),
        "confirmations": {c.party.region.code: {"by": c.user.name, "at": _when(c.confirmed_at),
                                                "bureau": _bureau(c.user, c.party.region),
                                                "fingerprint": c.fingerprint}
                          for c in aq.confirmations},
        "reviews": {str(i): {"kind": r.kind.value, "by": r.auditor.name, "at": _when(r.created_at),
                             "comment": r.comment, "answer": r.answer}
                    for i, r in enumerate(aq.reviews, start=1)},
    }
