"""The quarterly sign-off of an agreement (access.md): OPEN → SUBMITTED → confirmed by every
party → CLOSED, with four eyes, closing in order, frozen results and auditor reviews."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified

from app.domain.codes import AgreementStatus, PartyRole, QuarterState, ReviewKind, Role
from app.domain.hashchain import canonical_json
from app.domain.messages import N_
from app.domain.quarter import Quarter
from app.models import (
    AgreementQuarter,
    Confirmation,
    FrozenAllocation,
    Review,
)
from app.models.base import utcnow
from app.services.access.scopes import Actor, require_role
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.notifications import events
from app.services.notifications.recipients import bureaus_of
from app.services.sharing.agreements import get_agreement, party_in_scope
from app.services.sharing.deadlines import local_date, require_submission_open
from app.services.sharing.statements import (
    Statement,
    cached_statement,
    compute_statement,
    first_quarter,
    quarter_states,
)

_STATE_WORDS = {QuarterState.OPEN: N_("open"), QuarterState.SUBMITTED: N_("submitted"),
                QuarterState.CLOSED: N_("closed")}
"""A quarter's state as a word of a message (translated by the web)."""


def agreement_quarter(session: Session, agreement_id: int, quarter: Quarter) -> AgreementQuarter:
    """The workflow record of a quarter, created OPEN on first use, and locked for the rest of
    the transaction (on PostgreSQL) so that workflow steps and edits on it run one at a time."""
    aq = session.scalars(
        select(AgreementQuarter).where(AgreementQuarter.agreement_id == agreement_id,
                                       AgreementQuarter.quarter == quarter)
        .with_for_update().execution_options(populate_existing=True)
        .options(selectinload(AgreementQuarter.confirmations),
                 selectinload(AgreementQuarter.reviews))).first()
    if aq is None:
        aq = AgreementQuarter(agreement_id=agreement_id, quarter=quarter, state=QuarterState.OPEN)
        session.add(aq)
        session.flush()
    return aq


def statement_for(session: Session, actor: Actor, agreement_id: int, quarter: Quarter
                  ) -> tuple[Statement, AgreementQuarter | None]:
    """A quarter's statement: exactly as frozen once closed, else recomputed now."""
    return statement_of(session, get_agreement(session, actor, agreement_id), quarter)


def statement_of(session: Session, agreement, quarter: Quarter
                 ) -> tuple[Statement, AgreementQuarter | None]:
    """:func:`statement_for` an agreement the caller has loaded (and checked the scope of)."""
    aq = quarter_states(session, agreement.id).get(quarter)
    if aq is not None and aq.state is QuarterState.CLOSED and aq.statement_json:
        return Statement.from_data(json.loads(aq.statement_json), aq.fingerprint), aq
    return cached_statement(session, agreement, quarter), aq


def submit(session: Session, actor: Actor, agreement_id: int, quarter: Quarter, *,
           at: dt.datetime | None = None) -> AgreementQuarter:
    """The destination bureau says the quarter's observations are complete; refused once the
    quarter is locked, unless an exception is in force (app.services.sharing.deadlines).
    ``at`` is the moment of submission, now unless given (the demo replays its history)."""
    moment = at or utcnow()
    agreement = get_agreement(session, actor, agreement_id)
    if agreement.status is not AgreementStatus.ACTIVE:
        raise ValidationFailed(status=N_("only a signed (active) agreement has quarters to submit"))
    destinations = [p for p in agreement.parties if p.role is PartyRole.DESTINATION]
    if not any(party_in_scope(actor, p) for p in destinations or agreement.parties):
        raise NotFound(f"agreement {agreement_id}")
    start = first_quarter(agreement)
    if start is None or quarter < start:
        raise ValidationFailed(quarter=N_("the agreement's first quarter is %(quarter)s",
                                          quarter=start))
    _require_previous_closed(session, agreement.id, start, quarter)
    aq = agreement_quarter(session, agreement.id, quarter)
    if aq.state is not QuarterState.OPEN:
        raise ValidationFailed(state=N_("%(quarter)s is %(state)s, not open", quarter=quarter,
                                        state=_STATE_WORDS[aq.state]))
    require_submission_open(session, actor, agreement, quarter, local_date(session, moment))
    aq.state = QuarterState.SUBMITTED
    aq.submitted_by_id = actor.user_id
    aq.submitted_at = moment
    if aq.first_submitted_at is None:  # kept on resubmission: the timeliness figures count it
        aq.first_submitted_at = moment
    aq.fingerprint = compute_statement(session, agreement, quarter).fingerprint
    session.flush()
    events.quarter_submitted(session, aq, actor.user_id, actor.label, agreement.parties)
    return aq


def _require_previous_closed(session: Session, agreement_id: int, start: Quarter,
                             quarter: Quarter) -> None:
    """Quarters close in order: the one before ``quarter`` (from the first on) must be closed."""
    previous = quarter - 1
    states = quarter_states(session, agreement_id)
    if previous >= start and (previous not in states
                              or states[previous].state is not QuarterState.CLOSED):
        raise ValidationFailed(quarter=N_(
            "%(quarter)s must be closed first: quarters close in order", quarter=previous))


def barred_by_four_eyes(aq: AgreementQuarter, user_id: int | None, party_count: int) -> bool:
    """Whether confirming the next party now would make the submitter of the quarter the only
    one to have confirmed it (access.md: four eyes)."""
    is_last = len(aq.confirmations) + 1 == party_count
    confirmers = {c.user_id for c in aq.confirmations} | {user_id}
    return is_last and confirmers == {aq.submitted_by_id}


def confirm(session: Session, actor: Actor, agreement_id: int, quarter: Quarter,
            party_code: str, fingerprint: str) -> AgreementQuarter:
    """Confirm one party's side of the submitted statement the user saw (``fingerprint``);
    closes the quarter when every party has confirmed."""
    require_role(actor, Role.FINANCE_BUREAU, Role.ADMIN)
    agreement = get_agreement(session, actor, agreement_id)
    party = next((p for p in agreement.parties if p.region.code == party_code), None)
    if party is None or not party_in_scope(actor, party):
        raise NotFound(f"party {party_code}")
    aq = agreement_quarter(session, agreement.id, quarter)
    if aq.state is not QuarterState.SUBMITTED:
        raise ValidationFailed(state=N_("%(quarter)s is %(state)s, not submitted", quarter=quarter,
                                        state=_STATE_WORDS[aq.state]))
    statement = compute_statement(session, agreement, quarter)
    if fingerprint != statement.fingerprint or fingerprint != aq.fingerprint:
        raise Conflict(N_("The statement changed since you opened it. Nothing was confirmed: "
                          "reload it, check it again and confirm."))
    if any(c.party_id == party.id for c in aq.confirmations):
        raise ValidationFailed(party=N_("%(party)s has confirmed already",
                                        party=party.region.name))
    is_last = len(aq.confirmations) + 1 == len(agreement.parties)
    if barred_by_four_eyes(aq, actor.user_id, len(agreement.parties)):
        raise ValidationFailed(party=N_("four eyes: the person who submitted cannot be the only "
                                        "one to confirm"))
    if is_last:
        _require_previous_closed(session, agreement.id, first_quarter(agreement), quarter)
    confirmation = Confirmation(party=party, user_id=actor.user_id,
                                fingerprint=statement.fingerprint)
    aq.confirmations.append(confirmation)
    # Touch the quarter so its version moves: an edit racing this confirmation conflicts.
    flag_modified(aq, "state")
    session.flush()
    if is_last:
        _close(session, agreement, aq, statement)
        events.quarter_closed(session, aq, actor.user_id, actor.label, agreement.parties)
        _announce_caps(session, agreement, aq, statement)
    else:
        events.quarter_confirmed(session, aq, confirmation, actor.user_id, actor.label,
                                 agreement.parties)
    return aq


def _announce_caps(session: Session, agreement, aq: AgreementQuarter,
                   statement: Statement) -> None:
    """Tell both bureaus of each cap the closed statement shows used at 90 % or 100 % (the
    highest reached; once per cap, threshold and period: the agreement's life, or the year of
    a yearly cap)."""
    scopes = {(rule.indicator_code, cap.party.region.code): cap.scope.value
              for rule in agreement.rules for cap in rule.caps}
    indicators = {rule.indicator_code: (rule.indicator_code, rule.indicator.name,
                                        rule.indicator.name_en) for rule in agreement.rules}
    names = {p.region.code: (p.region.code, p.region.name, p.region.name_en or p.region.name)
             for p in agreement.parties}
    users = None
    for row in statement.rows:
        for code, line in row.lines.items():
            if not line.cap or line.cap_used is None:
                continue
            reached = [t for t in events.CAP_THRESHOLDS if line.cap_used * 100 >= t * line.cap]
            if not reached:
                continue
            if users is None:
                users = bureaus_of(session, list(names))
            period = str(aq.quarter.year) if scopes.get((row.indicator, code)) == "YEAR" \
                else "life"
            events.cap_reached(session, aq, project=row.project_code,
                               indicator=indicators[row.indicator], party=names[code],
                               cap=line.cap, used=line.cap_used, threshold=max(reached),
                               period=period, users=users)


def _close(session: Session, agreement, aq: AgreementQuarter, statement: Statement) -> None:
    """Freeze R and T per (project, indicator, party) as printed, and the statement itself."""
    projects = {c.project.code: c.project_id for c in agreement.covered}
    parties = {p.region.code: p.id for p in agreement.parties}
    session.add_all([
        FrozenAllocation(
            agreement_id=agreement.id, quarter=aq.quarter, project_id=projects[row.project_code],
            indicator_code=row.indicator, party_id=parties[code],
            cumulative_rounded=line.since_inception,
            cumulative_total=row.cumulative_total,
            fingerprint=statement.fingerprint)
        for row in statement.rows for code, line in row.lines.items()])
    aq.state = QuarterState.CLOSED
    aq.closed_at = utcnow()
    aq.statement_json = canonical_json(statement.data())
    aq.fingerprint = statement.fingerprint
    session.flush()


def reopen(session: Session, actor: Actor, agreement_id: int, quarter: Quarter,
           reason: str) -> AgreementQuarter:
    """An administrator reopens the latest closed quarter, with a reason (written to the trail)."""
    require_role(actor, Role.ADMIN)
    agreement = get_agreement(session, actor, agreement_id)
    if not reason.strip():
        raise ValidationFailed(reason=N_("say why the quarter is reopened"))
    states = quarter_states(session, agreement.id)
    aq = agreement_quarter(session, agreement.id, quarter) if quarter in states else None
    if aq is None or aq.state is not QuarterState.CLOSED:
        raise ValidationFailed(quarter=N_("%(quarter)s is not closed", quarter=quarter))
    later = [q for q, s in states.items() if q > quarter and s.state is QuarterState.CLOSED]
    if later:
        raise ValidationFailed(quarter=N_("reopen %(quarter)s first: quarters reopen in order",
                                          quarter=max(later)))
    session.execute(delete(FrozenAllocation).where(FrozenAllocation.agreement_id == agreement.id,
                                                   FrozenAllocation.quarter == quarter))
    aq.state = QuarterState.OPEN
    aq.closed_at = None
    aq.statement_json = None
    aq.fingerprint = None
    aq.reopen_reason = reason.strip()
    aq.confirmations.clear()
    events.quarter_reopened(session, aq, actor.user_id, actor.label, agreement.parties, utcnow())
    for later in (s for q, s in states.items() if q > quarter
                  and s.state is QuarterState.SUBMITTED):
        # Its statement adjusted against the quarter now reopened: it must be submitted again.
        later.state = QuarterState.OPEN
        later.fingerprint = None
        later.confirmations.clear()
    session.flush()
    return aq


def review(session: Session, actor: Actor, agreement_id: int, quarter: Quarter,
           kind: ReviewKind, comment: str) -> Review:
    """An auditor records REVIEWED, or a QUERY with a comment; the state does not change."""
    require_role(actor, Role.AUDITOR)
    agreement = get_agreement(session, actor, agreement_id)
    if kind is ReviewKind.QUERY and not comment.strip():
        raise ValidationFailed(comment=N_("a query needs a comment"))
    aq = agreement_quarter(session, agreement.id, quarter)
    entry = Review(agreement_quarter=aq, kind=kind, comment=comment.strip(),
                   auditor_id=actor.user_id)
    session.add(entry)
    session.flush()
    if kind is ReviewKind.QUERY:
        events.query_raised(session, entry, actor.label, agreement.parties)
    return entry


def answer_query(session: Session, actor: Actor, review_id: int, answer: str) -> Review:
    """A bureau of one of the parties answers an auditor's query."""
    entry = session.get(Review, review_id)
    if entry is None:
        raise NotFound(f"review {review_id}")
    agreement = get_agreement(session, actor, entry.agreement_quarter.agreement_id)
    if not any(party_in_scope(actor, p) for p in agreement.parties):
        raise NotFound(f"review {review_id}")
    if not entry.is_open_query:
        raise ValidationFailed(answer=N_("only an open query can be answered"))
    if not answer.strip():
        raise ValidationFailed(answer=N_("is required"))
    entry.answer = answer.strip()
    entry.answered_by_id = actor.user_id
    entry.answered_at = utcnow()
    session.flush()
    events.query_answered(session, entry, actor.label)
    return entry
