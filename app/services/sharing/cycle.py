"""The quarterly cycle of many agreements at once: each active agreement's destination parties,
first quarter, workflow states and exceptions, read in a fixed number of queries, for the
reminders (``reminders``) and the timeliness figures (``timeliness``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session, selectinload

from app.domain.codes import AgreementStatus, PartyRole
from app.domain.quarter import Quarter
from app.models import (
    Agreement,
    AgreementParty,
    AgreementQuarter,
    LockException,
    RuleTier,
    SharingRule,
)
from app.services.sharing.deadlines import cycle_settings, exceptions_in_force


@dataclass
class AgreementCycle:
    """One active agreement with what its deadlines need."""

    agreement: Agreement
    first: Quarter
    destinations: list[AgreementParty]
    states: dict[Quarter, AgreementQuarter] = field(default_factory=dict)
    exceptions: dict[Quarter, list[LockException]] = field(default_factory=dict)


def agreement_cycles(session: Session, where: ColumnElement[bool] | None = None
                     ) -> list[AgreementCycle]:
    """Every active agreement with a first quarter (matching ``where``), by code."""
    cycle_settings(session)  # read once here, so the callers' loops find it in the session
    agreements = list(session.scalars(
        select(Agreement).where(Agreement.status == AgreementStatus.ACTIVE,
                                true() if where is None else where)
        .order_by(Agreement.code)
        .options(selectinload(Agreement.parties).selectinload(AgreementParty.region))))
    if not agreements:
        return []
    ids = [a.id for a in agreements]
    firsts = dict(session.execute(
        select(SharingRule.agreement_id, func.min(RuleTier.first_quarter))
        .join(RuleTier, RuleTier.rule_id == SharingRule.id)
        .where(SharingRule.agreement_id.in_(ids)).group_by(SharingRule.agreement_id)).all())
    states: dict[int, dict[Quarter, AgreementQuarter]] = defaultdict(dict)
    for aq in session.scalars(select(AgreementQuarter)
                              .where(AgreementQuarter.agreement_id.in_(ids))):
        states[aq.agreement_id][aq.quarter] = aq
    found = exceptions_in_force(session, ids)
    by_agreement: dict[int, dict[Quarter, list[LockException]]] = defaultdict(dict)
    for (aid, quarter), rows in found.items():
        by_agreement[aid][quarter] = rows
    return [AgreementCycle(a, firsts[a.id],
                           [p for p in a.parties if p.role is PartyRole.DESTINATION],
                           states[a.id], by_agreement[a.id])
            for a in agreements if a.id in firsts]
