"""Response values of the JSON API and their schemas: exact decimals as strings, ISO dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from app.web.api.spec import DECIMAL_OUTPUT

DECIMAL = {"type": "string", "pattern": DECIMAL_OUTPUT, "description": "an exact decimal"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
QUARTER = {"type": "string", "pattern": r"^[0-9]{4}Q[1-4]$"}
STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}


def nullable(schema: dict) -> dict:
    """The schema, or null."""
    return {**schema, "type": [schema["type"], "null"]}


def enum_of(enum_cls) -> dict:
    """A string that is one of the codes of ``enum_cls``."""
    return {"type": "string", "enum": [m.value for m in enum_cls]}


def obj(properties: dict, optional: tuple[str, ...] = ()) -> dict:
    """An object whose properties are all present unless named in ``optional``."""
    return {"type": "object", "properties": properties,
            "required": [k for k in properties if k not in optional],
            "additionalProperties": False}


def arr(items: dict) -> dict:
    """An array of ``items``."""
    return {"type": "array", "items": items}


def ref(name: str) -> dict:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def dec(value) -> str | None:
    """An exact decimal as its string (``Decimal("1234.50")`` → ``"1234.50"``); None stays None."""
    return None if value is None else f"{Decimal(value):f}"


def day(value: dt.date | None) -> str | None:
    """A date as ISO text."""
    return None if value is None else value.isoformat()


def moment(value: dt.datetime | None) -> str | None:
    """A UTC datetime as ISO text."""
    return None if value is None else value.isoformat()


def code(member) -> str | None:
    """A coded value as its code."""
    return None if member is None else member.value
