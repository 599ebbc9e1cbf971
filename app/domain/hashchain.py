"""Canonical serialisation and SHA-256 hashing for the tamper-evident audit chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from enum import Enum

from app.domain.quarter import Quarter

GENESIS = "0" * 64
"""The "previous hash" of the first entry of a chain."""


def to_plain(value):
    """A JSON-safe, canonical form of a value: decimals, dates, quarters and codes become text."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Quarter):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    return value


def _plain_scalar(value):
    """``json.dumps`` hook: the canonical text of a value JSON has no type for."""
    plain = to_plain(value)
    if plain is value:
        raise TypeError(f"{type(value).__name__} is not serialisable")
    return plain


def canonical_json(value) -> str:
    """Sorted-key, compact JSON of ``to_plain(value)``: the same data always gives the same text."""
    if isinstance(value, dict) and all(type(k) is str for k in value):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          default=_plain_scalar)
    return json.dumps(to_plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(content: dict, previous_hash: str) -> str:
    """The SHA-256 (hex) of an entry's canonical content chained to the previous entry's hash."""
    payload = previous_hash + "\n" + canonical_json(content)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
