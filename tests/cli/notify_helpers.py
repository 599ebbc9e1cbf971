"""Helpers of the notification tests: an app whose MAIL_URL names the test's SMTP server."""

from __future__ import annotations

from sqlalchemy import select

from app import create_app
from app.models import Notification


def mail_app(database_url: str, connection, mail_url: str, **config):
    """The app bound to the test's connection (as the ``app`` fixture), sending to ``mail_url``."""
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": database_url,
                      "SECRET_KEY": "test-secret-not-for-production", "WTF_CSRF_ENABLED": False,
                      "MAIL_URL": mail_url, "MAIL_FROM": "ledger@test.example",
                      "BASE_URL": "https://ledger.test.example", **config})
    app.extensions["db_sessionmaker"].configure(
        bind=connection, join_transaction_mode="create_savepoint")
    return app


def notify_send(app):
    """Run ``flask notify send``; the Click result."""
    return app.test_cli_runner().invoke(args=["notify", "send"])


def items_of(db, user) -> list[Notification]:
    """The user's notifications as stored now, oldest first."""
    db.expire_all()
    return list(db.scalars(select(Notification).where(Notification.user_id == user.id)
                           .order_by(Notification.id)))
