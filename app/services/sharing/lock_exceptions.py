"""Lock exceptions: an administrator reopens entry of an agreement's quarter (for one party
region or all) until a date, with a reason; listed on the agreement page; revocable. Both
steps are audit-trailed (the rows are audited)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.domain.codes import AgreementStatus, Role
from app.domain.messages import N_
from app.domain.quarter import Quarter
from app.models import LockException
from app.models.base import utcnow
from app.services.access.scopes import Actor, require_role
from app.services.errors import Conflict, NotFound, ValidationFailed, require
from app.services.sharing.agreements import get_agreement
from app.services.sharing.deadlines import local_date

MAX_REASON = 500
LONGEST = dt.timedelta(days=366)
"""An exception lasts at most a year from the day it is granted."""


def grant(session: Session, actor: Actor, agreement_id: int, quarter: Quarter, until: dt.date,
          reason: str, region_code: str = "", at: dt.datetime | None = None) -> LockException:
    """Grant an exception for ``quarter`` of an agreement, in force from the moment granted
    (``at``, now unless given: the demo replays its history) through ``until`` (a local date,
    inclusive), for the party ``region_code`` or every party (blank)."""
    require_role(actor, Role.ADMIN)
    agreement = get_agreement(session, actor, agreement_id)
    at = at or utcnow()
    today = local_date(session, at)
    errors: dict[str, list[str]] = {}
    if agreement.status is not AgreementStatus.ACTIVE:
        errors["agreement"] = [N_("only a signed (active) agreement has quarters to reopen")]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [N_("say why the exception is granted")]
    elif len(reason) > MAX_REASON:
        errors["reason"] = [N_("at most %(count)s characters", count=MAX_REASON)]
    if until is None:
        errors["until"] = [N_("is required")]
    elif until < today:
        errors["until"] = [N_("%(date)s is in the past: the exception must last at least until "
                              "today (%(today)s)", date=until.isoformat(),
                              today=today.isoformat())]
    elif until > today + LONGEST:
        errors["until"] = [N_("an exception lasts at most a year (until %(date)s)",
                              date=(today + LONGEST).isoformat())]
    party = None
    if region_code:
        party = next((p for p in agreement.parties if p.region.code == region_code), None)
        if party is None:
            errors["region"] = [N_('"%(code)s" is not a party of this agreement',
                                   code=region_code)]
    require(errors)
    exception = LockException(agreement_id=agreement.id, quarter=quarter,
                              region_id=party.region_id if party else None, until=until,
                              reason=reason, granted_by_id=actor.user_id, granted_at=at)
    session.add(exception)
    session.flush()
    return exception


def revoke(session: Session, actor: Actor, exception_id: int, version: int) -> LockException:
    """End an exception at once (it stays listed, marked revoked)."""
    require_role(actor, Role.ADMIN)
    exception = session.get(LockException, exception_id)
    if exception is None:
        raise NotFound(f"lock exception {exception_id}")
    get_agreement(session, actor, exception.agreement_id)
    if exception.revoked_at is not None:
        raise ValidationFailed(exception=N_("this exception was revoked already"))
    if exception.version != version:
        raise Conflict(N_("Someone else changed this exception meanwhile. Nothing was saved: "
                          "reload and try again."))
    exception.revoked_at = utcnow()
    exception.revoked_by_id = actor.user_id
    session.flush()
    return exception


def exceptions_of(session: Session, agreement_id: int) -> list[LockException]:
    """Every exception of the agreement (revoked ones too), newest first, with names."""
    return list(session.scalars(
        select(LockException).where(LockException.agreement_id == agreement_id)
        .order_by(LockException.quarter.desc(), LockException.id.desc())
        .options(selectinload(LockException.region), selectinload(LockException.granted_by),
                 selectinload(LockException.revoked_by))))
