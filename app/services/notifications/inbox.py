"""A user's inbox: the unread count of the header's bell, the list, marking items read, the
e-mail preference; and, for administrators, the deliveries that failed five times."""

from __future__ import annotations

from sqlalchemy import Select, case, func, or_, select, update
from sqlalchemy.orm import Session

from app.domain.codes import Role
from app.domain.messages import N_
from app.models import Notification, User
from app.models.base import utcnow
from app.models.notifications import EMAIL_MODES
from app.services.access.scopes import Actor, require_role
from app.services.errors import NotFound, ValidationFailed
from app.services.notifications.texts import KINDS


def unread_count(session: Session, user_id: int) -> int:
    """How many of the user's notifications are unread (one indexed count)."""
    return session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def inbox_query(user_id: int, *, unread_only: bool = False, kind: str | None = None) -> Select:
    """``select(Notification)`` of the user's own items, optionally unread ones or one kind."""
    if kind is not None and kind not in KINDS:
        raise ValidationFailed(kind=N_('"%(value)s" is not a kind of notification', value=kind))
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if kind:
        query = query.where(Notification.kind == kind)
    return query


def get_own(session: Session, user_id: int, notification_id: int) -> Notification:
    """One of the user's notifications (anyone else's is NotFound)."""
    item = session.get(Notification, notification_id)
    if item is None or item.user_id != user_id:
        raise NotFound(f"notification {notification_id}")
    return item


def mark_read(session: Session, user_id: int, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (again: no change)."""
    item = get_own(session, user_id, notification_id)
    if item.read_at is None:
        item.read_at = utcnow()
        session.flush()
    return item


def mark_all_read(session: Session, user_id: int) -> int:
    """Mark every unread notification of the user read; return how many."""
    result = session.execute(
        update(Notification).where(Notification.user_id == user_id,
                                   Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount or 0


def settle_history(session: Session) -> int:
    """Mark every notification read and never e-mailed: for data loaded as history (the demo),
    whose events are long past; return how many."""
    result = session.execute(
        update(Notification).where(or_(Notification.read_at.is_(None),
                                       Notification.email_state == "PENDING"))
        .values(read_at=func.coalesce(Notification.read_at, utcnow()),
                email_state=case((Notification.email_state == "PENDING", "SKIPPED"),
                                 else_=Notification.email_state))
        .execution_options(synchronize_session=False))
    return result.rowcount or 0


def set_email_mode(session: Session, user_id: int, mode: str) -> User:
    """Choose how notifications reach the user by e-mail: EACH, DIGEST or OFF (audit-trailed
    as a change of the user)."""
    if mode not in EMAIL_MODES:
        raise ValidationFailed(email_mode=N_('"%(value)s" is not one of %(choices)s',
                                             value=mode, choices=", ".join(EMAIL_MODES)))
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id}")
    if user.email_mode != mode:
        user.email_mode = mode
        session.flush()
    return user


def failed_deliveries(session: Session, actor: Actor, limit: int = 200) -> list[Notification]:
    """Notifications whose e-mail failed five times, newest first (administrators only)."""
    require_role(actor, Role.ADMIN)
    return list(session.scalars(
        select(Notification).where(Notification.email_state == "FAILED")
        .order_by(Notification.id.desc()).limit(limit)))


def retry_delivery(session: Session, actor: Actor, notification_id: int) -> Notification:
    """Put a failed e-mail back in the queue with its attempts reset (administrators only)."""
    require_role(actor, Role.ADMIN)
    item = session.get(Notification, notification_id)
    if item is None:
        raise NotFound(f"notification {notification_id}")
    if item.email_state != "FAILED":
        raise ValidationFailed(email_state=N_("only a failed delivery can be retried"))
    item.email_state, item.attempts, item.next_attempt_at = "PENDING", 0, None
    session.flush()
    return item
