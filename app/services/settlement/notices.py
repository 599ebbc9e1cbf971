"""The superior department's booking: settlement notices recorded by a bureau, the reconciliation
per pair (due against booked, the difference and its reason) and the auditor's resolution of a
difference. Amounts in 元, exact to the fen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.domain.codes import DifferenceReason, NoticeLevel, Role, SettlementState
from app.domain.messages import N_
from app.models import Region, SettlementDifference, SettlementNotice
from app.models.base import utcnow
from app.services.access.scopes import Actor, require_role
from app.services.errors import Conflict, NotFound, ValidationFailed, require
from app.services.settlement import events
from app.services.settlement.runs import check_year, content_of, latest_run
from app.services.sharing.agreements import get_agreement, party_in_scope

ZERO = Decimal(0)
FEN = Decimal("0.01")


@dataclass(frozen=True)
class NoticeData:
    """A notice as entered (text from a form, a file or the API)."""

    level: str
    number: str
    issued_on: str
    payer: str
    payee: str
    amount: str
    reason: str = ""


@dataclass(frozen=True)
class PairReconciliation:
    """One pair of a year: due (the run's net), booked (the notices' sum), booked − due."""

    payer: str
    payee: str
    due: Decimal
    booked: Decimal
    difference: Decimal
    reason: DifferenceReason | None
    open_difference: SettlementDifference | None


def _parse(data: NoticeData, today: dt.date):
    errors: dict[str, list] = {}
    level = number = day = amount = reason = None
    try:
        level = NoticeLevel.parse(data.level)
    except ValueError:
        errors["level"] = [N_("choose the issuing level: CENTRAL, PROVINCIAL or MUNICIPAL")]
    number = (data.number or "").strip()
    if not number:
        errors["number"] = [N_("is required")]
    elif len(number) > 100:
        errors["number"] = [N_("at most %(n)s characters", n=100)]
    try:
        day = dt.date.fromisoformat((data.issued_on or "").strip())
        if day > today:
            errors["issued_on"] = [N_("a notice cannot be dated in the future")]
    except ValueError:
        errors["issued_on"] = [N_("give a date as YYYY-MM-DD")]
    try:
        amount = Decimal((data.amount or "").strip().replace(",", ""))
        if not amount.is_finite():
            raise InvalidOperation
        if amount < 0:
            errors["amount"] = [N_("the amount booked cannot be negative")]
        elif amount != amount.quantize(FEN):
            errors["amount"] = [N_("at most two decimals (fen)")]
    except InvalidOperation:
        errors["amount"] = [N_("give an amount in yuan, such as 15900000.00")]
    if (data.reason or "").strip():
        try:
            reason = DifferenceReason.parse(data.reason)
        except ValueError:
            errors["reason"] = [N_("choose a reason: TIMING, REFUND_AFTER_CUTOFF, DISPUTE or "
                                   "ROUNDING")]
    require(errors)
    return level, number, day, amount, reason


def record_notice(session: Session, actor: Actor, agreement_id: int, fiscal_year,
                  data: NoticeData) -> SettlementNotice:
    """Record a notice for the confirmed run of ``fiscal_year``. Refused (nothing written, the
    field named): a pair that owes nothing in the run's net, a negative amount, a duplicate
    notice number (per level), and a booking that differs from what is due without a reason."""
    require_role(actor, Role.FINANCE_BUREAU, Role.ADMIN)
    agreement = get_agreement(session, actor, agreement_id)
    if not (actor.is_admin or any(party_in_scope(actor, p) for p in agreement.parties)):
        raise NotFound(f"agreement {agreement_id}")
    year = check_year(fiscal_year)
    level, number, day, amount, reason = _parse(data, utcnow().date())
    # FOR UPDATE on the year's newest run: notices of one agreement's year are recorded one
    # after the other, so each sees what the others booked (and their numbers).
    run = latest_run(session, agreement.id, year, lock=True)
    if run is None or run.state is not SettlementState.CONFIRMED:
        raise ValidationFailed(fiscal_year=N_(
            "the settlement of %(year)s is not confirmed by both parties yet: a notice books a "
            "confirmed settlement", year=year))
    payer, payee = (data.payer or "").strip(), (data.payee or "").strip()
    due = {(n["payer"], n["payee"]): Decimal(n["amount"]) for n in content_of(run)["net"]}
    if (payer, payee) not in due:
        raise ValidationFailed(payee=N_(
            "%(payer)s owes %(payee)s nothing in the settlement of %(year)s", payer=payer or "—",
            payee=payee or "—", year=year))
    if session.scalar(select(SettlementNotice.id).where(SettlementNotice.level == level,
                                                        SettlementNotice.number == number)):
        raise ValidationFailed(number=N_("notice %(number)s is recorded already",
                                         number=number))
    regions = dict(session.execute(select(Region.code, Region.id).where(
        Region.code.in_((payer, payee)))).all())
    booked = _booked(session, agreement.id, year, regions[payer], regions[payee]) + amount
    difference = booked - due[payer, payee]
    if difference and reason is None:
        raise ValidationFailed(reason=N_(
            "booked differs from due by %(difference)s: give the reason", difference=difference))
    notice = SettlementNotice(
        agreement_id=agreement.id, fiscal_year=year, level=level, number=number, issued_on=day,
        payer_region_id=regions[payer], payee_region_id=regions[payee], amount=amount,
        recorded_by_id=actor.user_id)
    session.add(notice)
    try:
        session.flush()
    except IntegrityError as exc:
        raise ValidationFailed(number=N_("notice %(number)s is recorded already",
                                         number=number)) from exc
    _note_difference(session, agreement.id, year, regions[payer], regions[payee],
                     due[payer, payee], booked, reason, number)
    events.notice_recorded(session, actor, agreement, notice, [
        p.region.code for p in agreement.parties
        if not actor.is_admin and party_in_scope(actor, p)])
    return notice


def _booked(session: Session, agreement_id: int, year: int, payer_id: int, payee_id: int
            ) -> Decimal:
    """What the pair's notices of the year booked so far (元)."""
    return sum(session.scalars(select(SettlementNotice.amount).where(
        SettlementNotice.agreement_id == agreement_id, SettlementNotice.fiscal_year == year,
        SettlementNotice.payer_region_id == payer_id,
        SettlementNotice.payee_region_id == payee_id)), ZERO)


def _note_difference(session, agreement_id, year, payer_id, payee_id, due, booked, reason,
                     number) -> None:
    """Open (or update) the pair's difference; a booking that squares it resolves it."""
    row = session.scalar(select(SettlementDifference).where(
        SettlementDifference.agreement_id == agreement_id,
        SettlementDifference.fiscal_year == year,
        SettlementDifference.payer_region_id == payer_id,
        SettlementDifference.payee_region_id == payee_id))
    difference = booked - due
    if row is None and not difference:
        return
    if row is None:
        row = SettlementDifference(agreement_id=agreement_id, fiscal_year=year,
                                   payer_region_id=payer_id, payee_region_id=payee_id)
        session.add(row)
    row.due, row.booked, row.amount = due, booked, difference
    if reason is not None:
        row.reason = reason
    if not difference and row.resolved_at is None:
        row.resolved_at = utcnow()
        row.resolution_note = f"booked in full by notice {number}"
    session.flush()


def resolve(session: Session, actor: Actor, difference_id: int, note: str,
            version: int | None = None) -> SettlementDifference:
    """An auditor marks an open difference resolved, with a note (it is no longer carried)."""
    require_role(actor, Role.AUDITOR)
    row = session.get(SettlementDifference, difference_id)
    if row is None:
        raise NotFound(f"difference {difference_id}")
    get_agreement(session, actor, row.agreement_id)
    if not (note or "").strip():
        raise ValidationFailed(note=N_("say how the difference was resolved"))
    if row.resolved_at is not None:
        raise ValidationFailed(note=N_("the difference is resolved already"))
    if version is not None and version != row.version:
        raise Conflict(N_("Someone changed the difference since you opened it. Nothing was "
                          "written: reload it."))
    row.resolved_at = utcnow()
    row.resolved_by_id = actor.user_id
    row.resolution_note = note.strip()[:2000]
    session.flush()
    return row


def notices_of(session: Session, agreement_id: int, year: int | None = None
               ) -> list[SettlementNotice]:
    """The agreement's notices (of one year if given), in the order recorded."""
    query = select(SettlementNotice).where(SettlementNotice.agreement_id == agreement_id)
    if year is not None:
        query = query.where(SettlementNotice.fiscal_year == year)
    return list(session.scalars(query.options(
        selectinload(SettlementNotice.payer), selectinload(SettlementNotice.payee))
        .order_by(SettlementNotice.fiscal_year, SettlementNotice.id)))


def differences_of(session: Session, agreement_id: int) -> list[SettlementDifference]:
    """Every difference of the agreement, oldest year first."""
    return list(session.scalars(select(SettlementDifference).where(
        SettlementDifference.agreement_id == agreement_id).options(
        selectinload(SettlementDifference.payer), selectinload(SettlementDifference.payee),
        selectinload(SettlementDifference.resolved_by))
        .order_by(SettlementDifference.fiscal_year, SettlementDifference.id)))


def reconciliation(session: Session, agreement_id: int, year: int) -> list[PairReconciliation]:
    """Per pair of the year's newest run (and any pair booked): due, booked, the difference."""
    run = latest_run(session, agreement_id, year)
    due = {(n["payer"], n["payee"]): Decimal(n["amount"])
           for n in (content_of(run)["net"] if run else [])}
    booked: dict[tuple[str, str], Decimal] = {}
    for notice in notices_of(session, agreement_id, year):
        key = (notice.payer.code, notice.payee.code)
        booked[key] = booked.get(key, ZERO) + notice.amount
    differences = {(d.payer.code, d.payee.code): d for d in differences_of(session, agreement_id)
                   if d.fiscal_year == year}
    out = []
    for key in sorted(due.keys() | booked.keys()):
        row = differences.get(key)
        d, b = due.get(key, ZERO), booked.get(key, ZERO)
        out.append(PairReconciliation(key[0], key[1], d, b, b - d,
                                      row.reason if row and b != d else None,
                                      row if row and row.is_open else None))
    return out
