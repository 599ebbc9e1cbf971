"""The auditor's explanation of one allocation: the engine's arithmetic step by step, and the
history of the observations behind it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import sharing as engine
from app.domain.codes import QuarterState
from app.domain.quarter import Quarter
from app.domain.sharing.explain import Explanation, explain
from app.domain.sharing.words import describe_rule
from app.models import AuditEntry, Observation, ObservationCorrection
from app.services.access.scopes import Actor
from app.services.errors import NotFound, ValidationFailed
from app.services.sharing.agreements import (
    cap_overrides,
    domain_parties,
    domain_rule,
    get_agreement,
)
from app.services.sharing.coverage import covers
from app.services.sharing.workflow import statement_of


@dataclass(frozen=True)
class HistoryEntry:
    """One change of an observation of the series: when, who, which quarter, old → new."""

    at: dt.datetime
    actor: str
    quarter: str
    action: str
    old: Decimal | None
    new: Decimal | None
    reason: str | None


@dataclass(frozen=True)
class Named:
    """A region's or an indicator's name in both languages (``name``, ``name_en``)."""

    name: str
    name_en: str


@dataclass(frozen=True)
class AllocationExplanation:
    """Everything an auditor needs to redo one allocation by hand."""

    agreement_code: str
    project_code: str
    project_name: str
    indicator: str
    unit: str
    party: str
    party_name: str
    rule_words: str
    observations: dict[Quarter, object]
    steps: Explanation
    history: list[HistoryEntry]
    indicator_name: Named | None = None
    party_names: dict[str, Named] = field(default_factory=dict)
    """Each party's region code → its names (the page shows names, not codes)."""
    closed_allocation: Decimal | None = None
    """What the statement showed when the quarter closed, if it is closed (corrections made
    since then change the recomputed steps, not the closed statement)."""


def explain_allocation(session: Session, actor: Actor, agreement_id: int, quarter: Quarter,
                       project_code: str, indicator: str, party: str) -> AllocationExplanation:
    """Explain ``party``'s allocation for one covered project and indicator in ``quarter``."""
    agreement = get_agreement(session, actor, agreement_id)
    covered = next((c for c in agreement.covered if c.project.code == project_code), None)
    rule = next((r for r in agreement.rules if r.indicator_code == indicator), None)
    names = {p.region.code: p.region.name for p in agreement.parties}
    if covered is None or rule is None or party not in names:
        raise NotFound("allocation")
    observed = dict(session.execute(
        select(Observation.quarter, Observation.value).where(
            Observation.project_id == covered.project_id,
            Observation.indicator_code == indicator, Observation.quarter <= quarter)).all())
    if covered.via_park_id is not None:  # a park's member: only the quarters it belongs
        observed = {q: v for q, v in observed.items() if covers(covered, q)}
    parties = domain_parties(agreement)
    try:
        steps = explain(domain_rule(rule), parties, observed, quarter, party,
                        cap_overrides=cap_overrides(covered, rule))
    except engine.RuleError as exc:
        raise ValidationFailed({exc.field: [exc.message]}) from exc
    return AllocationExplanation(
        agreement_code=agreement.code, project_code=covered.project.code,
        project_name=covered.project.name, indicator=indicator, unit=rule.indicator.unit,
        party=party, party_name=names[party],
        rule_words=describe_rule(domain_rule(rule), parties,
                                 names if actor.locale == "zh" else
                                 {p.region.code: p.region.name_en or p.region.name
                                  for p in agreement.parties}, rule.indicator.unit,
                                 actor.locale),
        observations=dict(sorted(observed.items())), steps=steps,
        history=_history(session, covered.project_id, indicator),
        indicator_name=Named(rule.indicator.name, rule.indicator.name_en),
        party_names={p.region.code: Named(p.region.name, p.region.name_en or p.region.name)
                     for p in agreement.parties},
        closed_allocation=_closed_allocation(session, agreement, quarter, project_code,
                                             indicator, party))


def _closed_allocation(session: Session, agreement, quarter: Quarter, project_code: str,
                       indicator: str, party: str) -> Decimal | None:
    statement, aq = statement_of(session, agreement, quarter)
    if aq is None or aq.state is not QuarterState.CLOSED:
        return None
    row = next((r for r in statement.rows
                if r.project_code == project_code and r.indicator == indicator), None)
    return row.lines[party].current if row else None


def _history(session: Session, project_id: int, indicator: str) -> list[HistoryEntry]:
    """Every audited change of the series' observations and corrections, oldest first."""
    series = select(Observation.id, Observation.quarter).where(
        Observation.project_id == project_id, Observation.indicator_code == indicator)
    quarters = {str(i): q for i, q in session.execute(series)}
    corrections = {str(c.id): c for c in session.scalars(select(ObservationCorrection).where(
        ObservationCorrection.observation_id.in_([int(i) for i in quarters])))}
    if not quarters:
        return []
    entries = session.scalars(select(AuditEntry).where(
        ((AuditEntry.entity == "observations") & AuditEntry.entity_id.in_(quarters))
        | ((AuditEntry.entity == "observation_corrections")
           & AuditEntry.entity_id.in_(corrections))).order_by(AuditEntry.seq))
    history = []
    for entry in entries:
        changes = json.loads(entry.changes)
        if entry.entity == "observation_corrections":
            correction = corrections[entry.entity_id]
            history.append(HistoryEntry(
                entry.at, entry.actor,
                str(quarters[str(correction.observation_id)]), "CORRECTION",
                correction.old_value, correction.new_value, correction.reason))
        else:
            old, new = (None if v is None else Decimal(v)
                        for v in changes.get("value", [None, None]))
            history.append(HistoryEntry(entry.at, entry.actor,
                                        str(quarters[entry.entity_id]), entry.action, old, new,
                                        None))
    return history
