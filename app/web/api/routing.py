"""The API blueprint and its operations, declared once for parsing and for the OpenAPI document."""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps

from flask import Blueprint, Response, request
from werkzeug.exceptions import BadRequest, NotFound

from app.db import get_session
from app.services.errors import ValidationFailed
from app.services.lists.keyset import MAX_CURSOR_LENGTH
from app.web.api.spec import MAX_ID, MISSING, Field, Integer, Invalid, Text
from app.web.api.values import ref

bp = Blueprint("api", __name__, url_prefix="/api/v1")

ID = "int"
"""The converter of every id in a path (ids beyond MAX_ID are no id: 404, not a database error)."""

PAGE_QUERY = {
    "limit": Integer(1, 500, default=100, description="how many items, 1 to 500 (100)"),
    "cursor": Text(MAX_CURSOR_LENGTH, default=None,
                   description="next_cursor of the previous page (opaque)"),
}


@dataclass(frozen=True)
class Operation:
    """One route of the API as the OpenAPI document describes it."""

    endpoint: str
    rule: str
    method: str
    summary: str
    tag: str
    response: dict | None
    status: int
    path: dict[str, Field] = field(default_factory=dict)
    query: dict[str, Field] = field(default_factory=dict)
    body: tuple[str, Field] | None = None
    public: bool = False
    media_type: str | tuple[str, ...] = "application/json"  # a file's: one of several
    upload: bool = False  # a multipart/form-data body: ``file`` and ``note`` (the view reads it)


OPERATIONS: list[Operation] = []
SCHEMAS: dict[str, dict] = {}


def schema(name: str, value: dict) -> dict:
    """Register a response schema under ``name``; return a reference to it."""
    SCHEMAS[name] = value
    return ref(name)


def operation(rule: str, method: str = "GET", *, summary: str, tag: str,
              response: dict | None = None, status: int = 200,
              path: dict[str, Field] | None = None, query: dict[str, Field] | None = None,
              body: tuple[str, Field] | None = None, public: bool = False,
              media_type: str | tuple[str, ...] = "application/json", upload: bool = False):
    """Declare and register a route whose view gets parsed ``args``/``data`` and returns JSON."""

    # Path values of the wrong shape are 404; the view returns a payload or (payload, headers),
    # or a Response of ``media_type``; a write commits once, after the view.

    def decorate(view):
        op = Operation(view.__name__, rule, method, summary, tag, response, status, path or {},
                       query or {}, body, public, media_type, upload)

        @wraps(view)
        def run(**values):
            if any(isinstance(v, int) and not 1 <= v <= MAX_ID for v in values.values()):
                raise NotFound()
            for name, shape in op.path.items():
                try:
                    values[name] = shape.parse_text(values[name])
                except Invalid:
                    raise NotFound() from None
            if op.query:
                values["args"] = read_query(op.query)
            if op.body:
                values["data"] = read_body(op.body[1])
            result = view(**values)
            payload, headers = result if isinstance(result, tuple) else (result, {})
            if method != "GET":
                get_session().commit()
            if isinstance(payload, Response):  # a file (media_type), sent as it is
                return payload
            return json_response(payload, op.status, headers)

        bp.add_url_rule(rule, op.endpoint, run, methods=[method])
        OPERATIONS.append(op)
        return run

    return decorate


@contextmanager
def fields_renamed(names: dict[str, str]):
    """Name the fields in error as the API names them (``date`` → ``reversed_on``)."""
    try:
        yield
    except ValidationFailed as exc:
        raise ValidationFailed({names.get(k, k): v for k, v in exc.errors.items()}) from exc


def read_query(fields: dict[str, Field]) -> dict:
    """The declared query parameters, parsed; ValidationFailed naming each bad one."""
    values, errors = {}, {}
    for name, shape in fields.items():
        raw = request.args.get(name)
        if raw is None:
            values[name] = shape.default
            continue
        try:
            values[name] = shape.parse_text(raw)
        except Invalid as exc:
            errors[name] = [str(exc)]
    if errors:
        raise ValidationFailed(errors)
    return values


def _no_constants(name: str):
    raise ValueError(f"{name} is not JSON")


def read_body(shape: Field) -> dict:
    """The parsed JSON body: 400 if it is not JSON, 422 naming every field of the wrong shape."""
    raw = request.get_data(cache=False)
    if not raw.strip():
        raise BadRequest("The request needs a JSON body.")
    try:
        value = json.loads(raw, parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:
        raise BadRequest(f"The body is not valid JSON: {str(exc)[:200]}") from None
    errors: dict[str, list[str]] = {}
    parsed = shape.load(value, "", errors)
    if errors or parsed is MISSING:
        raise ValidationFailed({name or "body": messages for name, messages in errors.items()})
    return parsed


def _refuse(value):
    raise TypeError(f"{type(value).__name__} is not sent as JSON: convert it first")


def json_response(payload, status: int = 200, headers: dict | None = None) -> Response:
    """A JSON response; a float, Decimal or date that was not converted to text raises."""
    text = json.dumps(payload, ensure_ascii=False, allow_nan=False, default=_refuse)
    return Response(text, status, headers=headers or {}, mimetype="application/json")


def page_json(page, item) -> dict:
    """A page of a list: its items through ``item`` and the cursor of the next page."""
    return {"items": [item(x) for x in page.items], "next_cursor": page.next_cursor}


def page_schema(name: str, item: dict) -> dict:
    """The schema of a page of ``item``, registered as ``name``."""
    return schema(name, {"type": "object", "properties": {
        "items": {"type": "array", "items": item},
        "next_cursor": {"type": ["string", "null"]}},
        "required": ["items", "next_cursor"], "additionalProperties": False})
