"""Errors of the JSON API as RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

import json

from flask import Flask, Response, g, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from app.db import get_session
from app.services.access.users import log_access_denied
from app.services.errors import Conflict, NotFound, ValidationFailed

MEDIA_TYPE = "application/problem+json"
TYPES = {422: "/api/v1/problems/validation-failed", 409: "/api/v1/problems/conflict"}
"""Problem types with more to them than their status; the others are ``about:blank``."""
UNAUTHORIZED_DETAIL = ("Send a personal API token as 'Authorization: Bearer <token>'; create one "
                       "on your profile page. A revoked, expired or unknown token is refused.")


class DetailedConflict(Conflict):
    """A 409 whose problem document carries extension members (``conflicts``: what changed)."""

    def __init__(self, detail: str, **members):
        super().__init__(detail)
        self.members = members


def problem(status: int, detail: str, *, errors: dict[str, list[str]] | None = None,
            headers: dict | None = None, members: dict | None = None) -> Response:
    """A problem document: type, title, status, detail and, for 422, ``errors`` by field;
    ``members`` are extension members (RFC 9457 §3.2)."""
    body = {"type": TYPES.get(status, "about:blank"),
            "title": HTTP_STATUS_CODES.get(status, "Error"), "status": status, "detail": detail,
            **(members or {})}
    if status == 422:
        body["errors"] = [{"field": name, "message": message}
                          for name, messages in (errors or {}).items() for message in messages]
    return Response(json.dumps(body, ensure_ascii=False), status, headers=headers or {},
                    mimetype=MEDIA_TYPE)


def unauthorized() -> Response:
    """401 with the scheme the API expects."""
    return problem(401, UNAUTHORIZED_DETAIL, headers={"WWW-Authenticate": 'Bearer realm="api"'})


def _abandon() -> None:
    """Roll back whatever the request had started: a failed request writes nothing."""
    get_session().rollback()


def too_many_requests(retry_after: int) -> Response:
    """429 for a caller refused too often: try again after ``retry_after`` seconds."""
    return problem(429, f"Too many refused credentials from your address: try again in "
                   f"{retry_after} s.", headers={"Retry-After": str(retry_after)})


def validation_failed(error: ValidationFailed) -> Response:
    """422: the fields and what is wrong with each; nothing was written."""
    _abandon()
    return problem(422, "The request was not processed: see errors. Nothing was written.",
                   errors=error.errors)


def conflict(error: Exception) -> Response:
    """409: someone else changed the data first; nothing was written."""
    _abandon()
    detail = str(error) if isinstance(error, Conflict) else (
        "Someone else saved a change at the same moment. Nothing was written: read the "
        "resource again and retry.")
    return problem(409, detail, members=getattr(error, "members", None))


def out_of_scope(_error: NotFound) -> Response:
    """404 for what is absent or outside the token's scope (indistinguishable), logged."""
    _abandon()
    actor = g.get("actor")
    if actor is not None:
        session = get_session()
        log_access_denied(session, actor.user_id, actor.label, request.full_path.rstrip("?"))
        session.commit()
    return problem(404, "There is nothing here, or it is outside your scope.")


def http_error(error: HTTPException) -> Response:
    """Any HTTP error (400, 404, 405, 413 …) as a problem, keeping the Allow header of a 405."""
    _abandon()
    if error.code == 401:
        return unauthorized()
    status = error.code or 500
    headers = {k: v for k, v in error.get_headers() if k.lower() == "allow"}
    detail = error.description if status != 500 else "An unexpected error. Nothing was written."
    return problem(status, detail or HTTP_STATUS_CODES.get(status, "Error"), headers=headers)


def server_error(_error: InternalServerError) -> Response:
    """500 as a problem too (the details go to the log, not to the client)."""
    _abandon()
    return problem(500, "An unexpected error. Nothing was written; the operators were told.")


def register(bp) -> None:
    """Turn the API's errors into problems."""
    bp.register_error_handler(ValidationFailed, validation_failed)
    bp.register_error_handler(Conflict, conflict)
    bp.register_error_handler(StaleDataError, conflict)
    # The services check uniqueness first; the database refuses only what raced past the check.
    bp.register_error_handler(IntegrityError, conflict)
    bp.register_error_handler(NotFound, out_of_scope)
    bp.register_error_handler(InternalServerError, server_error)
    bp.register_error_handler(HTTPException, http_error)


def take_over_app_errors(app: Flask, prefix: str) -> None:
    """Answer app-level errors under ``prefix`` (no route, wrong method …) with problems too."""
    for code in (400, 404, 405, 413, 500):
        handlers = app.error_handler_spec[None][code]
        for exc_class, original in list(handlers.items()):
            handlers[exc_class] = _either(original, prefix)


def _either(original, prefix: str):
    def handler(error):
        if request.path == prefix or request.path.startswith(prefix + "/"):
            return server_error(error) if getattr(error, "code", 500) == 500 \
                else http_error(error)
        return original(error)

    return handler
