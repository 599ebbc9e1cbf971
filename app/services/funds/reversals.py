"""Four eyes on reversals that restate an issued fund report (access.md): such a reversal waits
as a PENDING request until a second person who may edit the fund approves it, which writes the
reversing entry, linked to the request as a restatement; any other reversal is written at once.

Which reversals wait: those of an entry dated in a quarter whose fund report has been issued,
and those dated on or before the end of an issued quarter (they change its since-inception
figures); see :func:`app.services.funds.ledger.restated_quarter`. The operator's commands
(SYSTEM) are not held. The API refuses such a reversal (409, pointing to the web page); an
import refuses the row; both leave the ledger unchanged."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.domain.codes import ReversalStatus
from app.domain.messages import N_
from app.domain.quarter import Quarter
from app.models import Fund, InvestmentTransaction, IssuedReport, Movement, User
from app.models.base import utcnow
from app.models.reversals import ReversalRequest
from app.services.access.scopes import Actor, can_edit_fund
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.funds import investments
from app.services.funds import register as funds
from app.services.funds.ledger import check_reversible, issued_fund_quarters, restated_quarter
from app.services.notifications import events

KINDS = {"movement": Movement, "transaction": InvestmentTransaction}
"""The two ledgers whose entries can be reversed, by the name used in URLs and requests."""


@dataclass(frozen=True)
class Outcome:
    """What asking for a reversal did: wrote ``entry`` now, or filed ``request`` to approve."""

    entry: Movement | InvestmentTransaction | None
    request: ReversalRequest | None

    @property
    def is_pending(self) -> bool:
        """The reversal waits for a second person's approval."""
        return self.request is not None


def _date_of(entry) -> dt.date:
    return entry.moved_on if isinstance(entry, Movement) else entry.occurred_on


def _column(kind: str):
    return ReversalRequest.movement_id if kind == "movement" else ReversalRequest.transaction_id


def _original(session: Session, actor: Actor, kind: str, entry_id: int):
    """The entry to reverse, if the actor may edit its fund; else NotFound."""
    model = KINDS.get(kind)
    entry = session.get(model, entry_id) if model else None
    if entry is None or not can_edit_fund(actor, entry.fund_id):
        raise NotFound(f"{kind} {entry_id}")
    return entry


def approval_quarter(session: Session, fund_id: int, entry_on: dt.date,
                     reversed_on: dt.date | None = None) -> Quarter | None:
    """The issued quarter whose report a reversal of an entry dated ``entry_on`` (dated
    ``reversed_on``, if known) restates, so that it needs approval; None if it goes through."""
    return restated_quarter(issued_fund_quarters(session, [fund_id])[fund_id], entry_on,
                            reversed_on)


def last_issued_day(session: Session, fund_id: int) -> dt.date | None:
    """The last day of the latest quarter with an issued report of the fund (reversals dated on
    or before it need approval), or None."""
    issued = issued_fund_quarters(session, [fund_id])[fund_id]
    return max(issued).last_day if issued else None


def _pending_of(session: Session, kind: str, entry_id: int) -> ReversalRequest | None:
    return session.scalars(select(ReversalRequest).where(
        _column(kind) == entry_id, ReversalRequest.status == ReversalStatus.PENDING)).first()


def reverse(session: Session, actor: Actor, kind: str, entry_id: int, reversed_on: dt.date,
            note: str) -> Outcome:
    """Reverse a fund movement or investment transaction (``kind``): at once, or as a PENDING
    request when it restates an issued quarter and the actor is a signed-in user."""
    original = _original(session, actor, kind, entry_id)
    check_reversible(session, KINDS[kind], original, _date_of(original), reversed_on, note)
    if (waiting := _pending_of(session, kind, entry_id)) is not None:
        raise ValidationFailed(reverses=N_("a reversal of this entry asked for on %(day)s "
                                           "awaits approval already",
                                           day=f"{waiting.requested_at:%Y-%m-%d}"))
    quarter = approval_quarter(session, original.fund_id, _date_of(original), reversed_on)
    if quarter is None or actor.user_id is None:
        return Outcome(_write(session, actor, kind, entry_id, reversed_on, note), None)
    report = session.scalars(select(IssuedReport).where(
        IssuedReport.kind == "fund", IssuedReport.fund_id == original.fund_id,
        IssuedReport.quarter == quarter).order_by(IssuedReport.version.desc()).limit(1)).first()
    request = ReversalRequest(
        fund_id=original.fund_id, reversed_on=reversed_on, reason=note.strip(),
        restated_quarter=quarter, issued_report_id=report.id, requested_by_id=actor.user_id,
        status=ReversalStatus.PENDING, **{_column(kind).key: entry_id})
    session.add(request)
    session.flush()
    events.reversal_requested(session, request, actor.label)
    return Outcome(None, request)


def _write(session: Session, actor: Actor, kind: str, entry_id: int, reversed_on: dt.date,
           note: str, *, approved: bool = False):
    if kind == "movement":
        return funds.reverse_movement(session, actor, entry_id, reversed_on, note,
                                      approved=approved)
    return investments.reverse_transaction(session, actor, entry_id, reversed_on, note,
                                           approved=approved)


def get_request(session: Session, actor: Actor, request_id: int) -> ReversalRequest:
    """A reversal request of a fund the actor may edit (its managers, administrators); else
    NotFound."""
    request = session.get(ReversalRequest, request_id)
    if request is None or not can_edit_fund(actor, request.fund_id):
        raise NotFound(f"reversal request {request_id}")
    return request


def _decidable(session: Session, actor: Actor, request_id: int, version: int
               ) -> ReversalRequest:
    request = get_request(session, actor, request_id)
    if not request.is_pending:
        who = request.decided_by.email if request.decided_by else N_("someone")
        day = f"{request.decided_at:%Y-%m-%d}"
        raise ValidationFailed(status=N_(
            "this request was approved already by %(who)s on %(day)s", who=who, day=day)
            if request.status is ReversalStatus.APPROVED else N_(
            "this request was rejected already by %(who)s on %(day)s", who=who, day=day))
    if request.version != version:
        raise Conflict(N_("version: this request was changed by someone else since you opened "
                          "it; nothing was saved: reload and decide again"))
    return request


def approve(session: Session, actor: Actor, request_id: int, version: int, note: str = ""
            ) -> ReversalRequest:
    """Approve a pending request as a second person (not its requester) who may edit the fund:
    write the reversing entry, linked to the request as a restatement, in this transaction."""
    request = _decidable(session, actor, request_id, version)
    if actor.user_id is None or actor.user_id == request.requested_by_id:
        raise ValidationFailed(decided_by=N_("you asked for this reversal: another manager of "
                                             "the fund or an administrator must approve it "
                                             "(four eyes)"))
    kind = "movement" if request.movement_id else "transaction"
    try:
        entry = _write(session, actor, kind, request.movement_id or request.transaction_id,
                       request.reversed_on, request.reason, approved=True)
        request.status = ReversalStatus.APPROVED
        request.decided_by_id, request.decided_at = actor.user_id, utcnow()
        request.decision_note = note.strip() or None
        setattr(request, f"reversal_{kind}_id", entry.id)
        session.flush()
    except (IntegrityError, StaleDataError) as exc:
        raise Conflict(N_("version: this request or its entry was decided by someone else at "
                          "the same moment; nothing was saved: reload and check")) from exc
    for other in session.scalars(select(ReversalRequest).where(
            _column(kind) == entry.reverses_id, ReversalRequest.id != request.id,
            ReversalRequest.status == ReversalStatus.PENDING)):
        other.status, other.decided_by_id, other.decided_at = (
            ReversalStatus.REJECTED, actor.user_id, utcnow())
        other.decision_note = f"the entry was reversed on approval of request {request.id}"
    session.flush()
    events.reversal_decided(session, request, actor.label)
    return request


def reject(session: Session, actor: Actor, request_id: int, version: int, note: str
           ) -> ReversalRequest:
    """Reject a pending request, saying why (its requester may withdraw it this way); the
    ledger is unchanged."""
    request = _decidable(session, actor, request_id, version)
    if not (note or "").strip():
        raise ValidationFailed(note=N_("say why the reversal is rejected"))
    request.status = ReversalStatus.REJECTED
    request.decided_by_id, request.decided_at = actor.user_id, utcnow()
    request.decision_note = note.strip()
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(N_("version: this request was decided by someone else at the same "
                          "moment; nothing was saved: reload and check")) from exc
    events.reversal_decided(session, request, actor.label)
    return request


def fund_requests(session: Session, actor: Actor, fund_id: int, limit: int = 50
                  ) -> list[ReversalRequest]:
    """A fund's reversal requests, pending first, then the latest decided (NotFound unless the
    actor may edit the fund), with their entries and people loaded."""
    if not can_edit_fund(actor, fund_id) or session.get(Fund, fund_id) is None:
        raise NotFound(f"fund {fund_id}")
    return list(session.scalars(
        select(ReversalRequest).where(ReversalRequest.fund_id == fund_id)
        .options(*(selectinload(getattr(ReversalRequest, name)) for name in (
            "movement", "transaction", "requested_by", "decided_by", "reversal_movement",
            "reversal_transaction")))
        .order_by((ReversalRequest.status == ReversalStatus.PENDING).desc(),
                  ReversalRequest.id.desc()).limit(limit)))


def pending_entry_ids(session: Session, fund_id: int) -> dict[str, set[int]]:
    """The ids of a fund's entries with a pending reversal, by kind, for ledger markers."""
    ids: dict[str, set[int]] = {"movement": set(), "transaction": set()}
    for movement_id, transaction_id in session.execute(
            select(ReversalRequest.movement_id, ReversalRequest.transaction_id).where(
                ReversalRequest.fund_id == fund_id,
                ReversalRequest.status == ReversalStatus.PENDING)):
        if movement_id:
            ids["movement"].add(movement_id)
        else:
            ids["transaction"].add(transaction_id)
    return ids


@dataclass(frozen=True)
class PendingReversal:
    """A pending request as a home page lists it (plain values; amount in yuan)."""

    id: int
    fund_id: int
    fund_code: str
    fund_name: str
    kind: str
    entry_reference: str
    entry_on: dt.date
    amount: Decimal
    reversed_on: dt.date
    restated_quarter: Quarter
    reason: str
    requested_by: str
    requested_at: dt.datetime
    is_mine: bool
    requested_by_id: int | None = None

    @property
    def can_decide(self) -> bool:
        """The actor may approve it (four eyes: not their own request)."""
        return not self.is_mine


def pending_for(session: Session, actor: Actor) -> list[PendingReversal]:
    """Pending reversal requests the actor may decide (in funds they may edit, not their own)
    and their own pending ones, oldest first, in one query."""
    if not (actor.is_admin or actor.fund_ids):
        return []
    movement, transaction = aliased(Movement), aliased(InvestmentTransaction)
    query = (
        select(ReversalRequest.id, Fund.id, Fund.code, Fund.name, ReversalRequest.movement_id,
               movement.reference, movement.moved_on, movement.amount, transaction.reference,
               transaction.occurred_on, transaction.amount, ReversalRequest.reversed_on,
               ReversalRequest.restated_quarter, ReversalRequest.reason, User.email,
               ReversalRequest.requested_at, ReversalRequest.requested_by_id)
        .join(Fund, Fund.id == ReversalRequest.fund_id)
        .join(User, User.id == ReversalRequest.requested_by_id)
        .outerjoin(movement, movement.id == ReversalRequest.movement_id)
        .outerjoin(transaction, transaction.id == ReversalRequest.transaction_id)
        .where(ReversalRequest.status == ReversalStatus.PENDING)
        .order_by(ReversalRequest.requested_at, ReversalRequest.id))
    if not actor.is_admin:
        query = query.where(ReversalRequest.fund_id.in_(actor.fund_ids))
    return [PendingReversal(
        id=row[0], fund_id=row[1], fund_code=row[2], fund_name=row[3],
        kind="movement" if row[4] else "transaction",
        entry_reference=row[5] if row[4] else row[8], entry_on=row[6] if row[4] else row[9],
        amount=row[7] if row[4] else row[10], reversed_on=row[11], restated_quarter=row[12],
        reason=row[13], requested_by=row[14], requested_at=row[15],
        is_mine=row[16] == actor.user_id, requested_by_id=row[16])
        for row in session.execute(query)]
