"""The one place that reads the environment; fails fast on a missing production secret."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.domain.mail import MailUrlError, parse_mail_url


class ConfigError(RuntimeError):
    """The configuration cannot be used (for example, no SECRET_KEY in production)."""


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the app's settings from the environment, then apply ``overrides``.

    ``APP_ENV`` is ``production`` (the default), ``development`` or ``testing``. Outside
    development and testing a ``SECRET_KEY`` must be set: no default secret is ever shipped.
    """
    overrides = dict(overrides or {})
    env = overrides.get("APP_ENV") or os.environ.get("APP_ENV", "production")
    if env not in {"production", "development", "testing"}:
        raise ConfigError(f'APP_ENV must be production, development or testing, not "{env}"')
    secret = overrides.get("SECRET_KEY") or os.environ.get("SECRET_KEY")
    if not secret:
        if env == "production":
            raise ConfigError(
                "SECRET_KEY is not set. Set it in the environment (for example "
                "`export SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')`)."
            )
        # A throwaway key per process: sessions do not survive a restart, which is fine locally.
        secret = secrets.token_hex(32)
    time_zone = overrides.get("TIME_ZONE") or os.environ.get("TIME_ZONE") or "Asia/Shanghai"
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f'TIME_ZONE must be an IANA time zone such as Asia/Shanghai, not '
                          f'"{time_zone}"') from exc
    if overrides.get("FILES_URL") or os.environ.get("FILES_URL"):
        raise ConfigError(
            "FILES_URL is set, but an S3-compatible store for attached documents is not "
            "supported yet: unset FILES_URL (documents are kept in the database; see "
            "docs/documents.md)")
    mail_url = overrides.get("MAIL_URL", os.environ.get("MAIL_URL")) or None
    try:
        mail_server = parse_mail_url(mail_url) if mail_url else None
    except MailUrlError as exc:
        raise ConfigError(f"MAIL_URL cannot be used: {exc}. Expected smtp://host:port, "
                          "smtp+starttls://user:password@host:port or "
                          "smtps://user:password@host:port") from exc
    digest_hour = overrides.get("MAIL_DIGEST_HOUR", os.environ.get("MAIL_DIGEST_HOUR") or "8")
    if not str(digest_hour).isdigit() or not 0 <= int(digest_hour) <= 23:
        raise ConfigError(f'MAIL_DIGEST_HOUR must be an hour from 0 to 23, not "{digest_hour}"')
    default_db = "sqlite:///" + str(Path(instance_path) / "transfer-ledger.sqlite3")
    config = {
        "APP_ENV": env,
        "SECRET_KEY": secret,
        "DATABASE_URL": os.environ.get("DATABASE_URL") or default_db,
        "SQL_ECHO": os.environ.get("SQL_ECHO") == "1",
        # Refused API tokens one address may send a minute before it is answered 429.
        "API_REFUSALS_PER_MINUTE": int(os.environ.get("API_REFUSALS_PER_MINUTE") or 20),
        # How many reverse proxies in front set X-Forwarded-For/-Proto/-Host (0: none trusted).
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", 0)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_BYTES", 20 * 1024 * 1024)),
        # What reading one imported file may cost (app/services/exchange/imports/limits.py).
        "IMPORT_MAX_ROWS": int(os.environ.get("IMPORT_MAX_ROWS", 1_000_000)),
        "IMPORT_MAX_SECONDS": float(os.environ.get("IMPORT_MAX_SECONDS", 600)),
        "UPLOAD_MAX_SECONDS": float(os.environ.get("UPLOAD_MAX_SECONDS", 20)),
        "IMPORT_MAX_UNPACKED_MB": int(os.environ.get("IMPORT_MAX_UNPACKED_MB", 512)),
        "IMPORT_MAX_RATIO": int(os.environ.get("IMPORT_MAX_RATIO", 100)),
        "IMPORT_MAX_MEMBERS": int(os.environ.get("IMPORT_MAX_MEMBERS", 1000)),
        "IMPORT_MAX_LINE_KB": int(os.environ.get("IMPORT_MAX_LINE_KB", 1024)),
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "SIGN_IN_MAX_FAILURES": int(os.environ.get("SIGN_IN_MAX_FAILURES", 5)),
        "SIGN_IN_WINDOW_SECONDS": int(os.environ.get("SIGN_IN_WINDOW_SECONDS", 15 * 60)),
        "BABEL_DEFAULT_LOCALE": "zh",
        # Reports print moments (workflow steps, issue) in this IANA zone; data stays in UTC.
        "TIME_ZONE": time_zone,
        # Notifications by e-mail (docs/notifications.md): no MAIL_URL, the in-app inbox only.
        "MAIL_SERVER": mail_server,
        "MAIL_FROM": overrides.get("MAIL_FROM") or os.environ.get("MAIL_FROM")
        or "transfer-ledger@localhost",
        "MAIL_DIGEST_HOUR": int(digest_hour),
        # The address links in e-mails start with, e.g. https://ledger.example.gov.cn
        "BASE_URL": (overrides.get("BASE_URL") or os.environ.get("BASE_URL") or "").rstrip("/"),
        "TESTING": env == "testing",
    }
    config.update(overrides)
    return config


def test_database_url() -> str | None:
    """The database the test suite runs on (``TEST_DATABASE_URL``), or None for SQLite."""
    return os.environ.get("TEST_DATABASE_URL") or None
