"""Fingerprints: compute one from data, read one back from a PDF's Info dictionary."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from decimal import Decimal
from typing import Any

_HEX = re.compile(rb"[0-9a-f]{64}")
_INFO_REF = re.compile(rb"/Info\s+(\d+)\s+(\d+)\s+R")
_LITERAL = rb"\(((?:[^()\\]|\\.)*)\)"
_HEXSTR = rb"<([0-9A-Fa-f\s]*)>"


def _canonical(value: Any) -> Any:
    """A JSON-ready copy: Decimals and dates as strings, tuples and sets as lists."""
    kind = type(value)  # the common exact types first (a report's data has ~10^5 strings)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        return {k if type(k) is str else str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_canonical(v) for v in value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    raise TypeError(f"cannot fingerprint a {type(value).__name__}")


def fingerprint_of(data: Any) -> str:
    """SHA-256 (lowercase hex) of the canonical JSON of `data` (sorted keys, Decimals as text)."""
    text = json.dumps(_canonical(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _info_dictionary(pdf: bytes) -> bytes | None:
    """The text of the Info object named by the last trailer, or None."""
    refs = list(_INFO_REF.finditer(pdf))
    if not refs:
        return None
    number, generation = refs[-1].group(1), refs[-1].group(2)
    heads = list(re.finditer(rb"(?<!\d)" + number + rb"\s+" + generation + rb"\s+obj\b", pdf))
    if not heads:
        return None
    start = heads[-1].end()
    end = pdf.find(b"endobj", start)
    return pdf[start:end] if end != -1 else None


def _string_value(dictionary: bytes, key: bytes) -> bytes | None:
    """The string stored under `key` (literal or hex, UTF-16 with BOM decoded), or None."""
    found = re.search(rb"/" + key + rb"\s*(?:" + _LITERAL + rb"|" + _HEXSTR + rb")", dictionary)
    if found is None:
        return None
    if found.group(1) is not None:
        return re.sub(rb"\\(.)", rb"\1", found.group(1))
    raw = bytes.fromhex(re.sub(rb"\s", b"", found.group(2)).decode("ascii"))
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", "replace").encode("ascii", "ignore")
    return raw


def read_fingerprint(pdf_bytes: bytes) -> str | None:
    """The report fingerprint stored in a PDF's Info dictionary, or None if there is none."""
    info = _info_dictionary(pdf_bytes)
    if info is None:
        return None
    for key in (b"Fingerprint", b"Keywords"):
        value = _string_value(info, key)
        match = _HEX.search(value) if value else None
        if match:
            return match.group(0).decode("ascii")
    return None
