"""WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi``.

A setting that cannot be used (a missing SECRET_KEY, an unparseable MAIL_URL …) stops the start
with one line naming it, rather than a traceback."""

import sys

from app import create_app
from app.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    sys.exit(f"transfer-ledger cannot start: {exc}")
