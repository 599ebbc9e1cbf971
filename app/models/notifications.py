"""The notification outbox: one row per event and recipient, written in the event's transaction.

The row is the in-app inbox item and the e-mail to send. Its text is not stored: ``kind`` and
``params`` (plain strings) are rendered when shown or sent, in the recipient's language."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, CreatedAt, IntPK, UTCDateTime
from app.models.users import User

EMAIL_STATES = ("PENDING", "SENT", "FAILED", "SKIPPED", "DIGESTED")
"""PENDING: to send (or to gather into a digest); SENT: sent alone; DIGESTED: sent in a digest;
SKIPPED: never e-mailed (the user chose no e-mail, or the server has no MAIL_URL); FAILED: five
deliveries failed (an administrator may retry it)."""

EMAIL_MODES = ("EACH", "DIGEST", "OFF")
"""A user's choice: one e-mail per event, one daily digest, or the in-app inbox only."""


class Notification(Base):
    """One event told to one user. ``event_key`` names the event, so the same event is stored
    (and sent) at most once per recipient."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("event_key", "user_id"),
        CheckConstraint("email_state IN ('PENDING', 'SENT', 'FAILED', 'SKIPPED', 'DIGESTED')",
                        name="email_state_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_notifications_inbox", "user_id", "id"),
        Index("ix_notifications_due", "email_state", "next_attempt_at"),
    )

    id: Mapped[IntPK]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    event_key: Mapped[str] = mapped_column(String(200))
    params: Mapped[str] = mapped_column(Text, default="{}")
    link: Mapped[str] = mapped_column(String(500))
    object_kind: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("issued_reports.id"))
    created_at: Mapped[CreatedAt]
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    email_state: Mapped[str] = mapped_column(String(12), default="PENDING")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(1000))
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
