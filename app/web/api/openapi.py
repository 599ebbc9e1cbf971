"""The OpenAPI 3.1 document, built from the operations' own declarations (so it cannot drift)."""

from __future__ import annotations

import re
from functools import cache

from app.web.api.routing import OPERATIONS, SCHEMAS, bp, operation
from app.web.api.spec import DECIMAL_INPUT, DECIMAL_OUTPUT, MAX_ID
from app.web.api.values import ref

PUBLIC_ENDPOINTS = frozenset({"api.openapi_document"})
_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([a-z_]+)>")
DESCRIPTION = f"""\
The data of the transfer ledger for other systems. Authenticate with a personal API token
(`Authorization: Bearer <token>`), created and revoked on your profile page; a token has its
user's roles and scopes, exactly as on the web. What lies outside your scope answers 404.

Money and other exact quantities travel as **strings** (`"1234.50"`), never JSON numbers, both
ways: a JSON number where an amount is expected is refused (422), because floats are not exact.
Amounts sent must match `{DECIMAL_INPUT}`; amounts returned match `{DECIMAL_OUTPUT}`.
Dates are ISO (`2026-09-30`), quarters `2026Q3`.

Lists are paginated by keyset: pass the `next_cursor` of a page as `cursor` for the next one.

Errors are RFC 9457 problem details (`application/problem+json`); a 422 lists each field in
error (`errors: [{{field, message}}]`, type `/api/v1/problems/validation-failed`), a 409 says
someone else changed the data first (type `/api/v1/problems/conflict`). Nothing is written by a
request that fails.

Every agreement quarter carries its `deadlines`: `opens` (the first day of entry, the day after
the quarter ends), `timely` (the last day a submission is on time) and `lock` (the last day of
entry), local dates, each included; and its `status` today: `NOT_OPEN`, `OPEN` (`days_left`),
`LATE` (`days_overdue`), `LOCKED` or `SUBMITTED`. After the lock day a finance bureau's
`PUT /observations` and submission of that quarter are refused (422, the field names the cell or
`quarter`) unless an administrator granted a lock exception (`exception_until`).
"""

PROBLEM = {
    "type": "object",
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"}, "instance": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
        "conflicts": {"type": "array", "description": "409 of PUT /observations: the "
                      "observations changed since the client read them", "items": {
                          "type": "object",
                          "required": ["field", "observation", "current", "expected", "value"],
                          "properties": {
                              "field": {"type": "string"}, "observation": {"type": "string"},
                              "project": {"type": "string"}, "indicator": {"type": "string"},
                              "quarter": {"type": "string"},
                              **{k: {"type": ["string", "null"]}
                                 for k in ("current", "expected", "value")}}}}},
    "required": ["type", "title", "status", "detail"],
}
UPLOAD = {"type": "object", "properties": {
    "file": {"type": "string", "format": "binary",
             "description": "PDF, OFD, PNG, JPEG, XLSX or CSV (the content decides, not the name)"},
    "note": {"type": "string", "maxLength": 500}},
    "required": ["file"]}
"""The multipart body of an upload of an attached document."""
_RESPONSES = {
    "400": ("BadRequest", "The body is not JSON."),
    "401": ("Unauthorized", "No token, or a revoked, expired or unknown one."),
    "404": ("NotFound", "Nothing there, or outside your scope."),
    "409": ("Conflict", "Someone else changed the data first; nothing was written."),
    "422": ("ValidationFailed", "Fields in error (see errors); nothing was written."),
}


def _problem_response(description: str, schema: str = "Problem") -> dict:
    return {"description": description,
            "content": {"application/problem+json": {"schema": ref(schema)}}}


def _parameters(op) -> list[dict]:
    names = _ARGUMENT.findall(op.rule)
    params = [{"name": name, "in": "path", "required": True,
               "schema": op.path[name].schema() if name in op.path
               else {"type": "integer", "minimum": 1, "maximum": MAX_ID}} for name in names]
    for name, field in op.query.items():
        schema = field.schema()
        params.append({"name": name, "in": "query", "required": False, "schema": schema,
                       **({"description": schema["description"]}
                          if "description" in schema else {})})
    return params


def _operation(op, bodies: dict) -> dict:
    success = {"description": op.summary}
    if op.response is not None:
        types = op.media_type if isinstance(op.media_type, tuple) else (op.media_type,)
        success["content"] = {media: {"schema": op.response} for media in types}
    responses = {str(op.status): success}
    statuses = []
    if op.body:
        statuses.append("400")
    if op.query or op.method != "GET":
        statuses.append("422")
    if not op.public:
        statuses += ["401", "404"]
    if op.method != "GET":
        statuses.append("409")
    for status in sorted(set(statuses)):
        responses[status] = {"$ref": f"#/components/responses/{_RESPONSES[status][0]}"}
    document = {"operationId": op.endpoint, "summary": op.summary, "tags": [op.tag],
                "parameters": _parameters(op), "responses": responses}
    if op.body:
        name, field = op.body
        bodies[name] = field.schema()
        document["requestBody"] = {"required": True,
                                   "content": {"application/json": {"schema": ref(name)}}}
    if op.upload:
        bodies["AttachmentUpload"] = UPLOAD
        document["requestBody"] = {"required": True, "content": {
            "multipart/form-data": {"schema": ref("AttachmentUpload")}}}
    if op.public:
        document["security"] = []
    return document


@cache
def document() -> dict:
    """The whole OpenAPI 3.1 document."""
    paths: dict[str, dict] = {}
    bodies: dict[str, dict] = {}
    for op in OPERATIONS:
        path = bp.url_prefix + _ARGUMENT.sub(r"{\1}", op.rule)
        paths.setdefault(path, {})[op.method.lower()] = _operation(op, bodies)
    responses = {name: _problem_response(text, "ValidationProblem" if code == "422"
                                         else "Problem")
                 for code, (name, text) in _RESPONSES.items()}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Transfer ledger API", "version": "1.0.0",
                 "description": DESCRIPTION},
        "paths": paths,
        "components": {
            "schemas": {**SCHEMAS, **bodies, "Problem": PROBLEM,
                        "ValidationProblem": {**PROBLEM,
                                              "required": [*PROBLEM["required"], "errors"]},
                        "DecimalInput": {"type": "string", "pattern": DECIMAL_INPUT},
                        "Decimal": {"type": "string", "pattern": DECIMAL_OUTPUT}},
            "responses": responses,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "a personal API token"}}},
        "security": [{"bearer": []}],
    }


@operation("/openapi.json", summary="This document", tag="meta", public=True,
           response={"type": "object"})
def openapi_document():
    """The OpenAPI 3.1 document (public: it describes, it shows no data)."""
    return document()
