"""Readiness for load balancers and deploy scripts: ``GET /health/ready`` (no sign-in).

Liveness (``GET /health``, no database call) lives with the start page in ``app/web/home``.
"""

from __future__ import annotations

from flask import Blueprint, current_app

from app.db import get_session
from app.services.operations.health import readiness

bp = Blueprint("health", __name__)


@bp.route("/health/ready")
def ready():
    """200 when the database answers and is migrated to the head revision, else 503; JSON."""
    try:
        result = readiness(get_session())
    except Exception:  # a readiness probe answers 503, never a stack trace
        current_app.logger.warning("readiness check failed", exc_info=True)
        return {"status": "unavailable", "checks": {"database": "error"}}, 503
    body = {"status": "ok" if result.ready else "unavailable", "checks": result.checks,
            "revision": result.revision, "head": result.head}
    return body, 200 if result.ready else 503
