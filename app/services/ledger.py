"""Rules shared by the two append-only ledgers (fund movements and investment transactions)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.errors import ValidationFailed


def _taken(session: Session, model, fund_id: int, reference: str) -> bool:
    return session.scalar(
        select(model.id).where(model.fund_id == fund_id, model.reference == reference)
    ) is not None


def next_reference(session: Session, model, fund_id: int, fund_code: str, prefix: str) -> str:
    """A free reference for a row entered without one: ``<fund code>-<prefix><number>``, the
    number counting on from the rows so far and skipping any a user typed already."""
    number = session.scalar(select(func.count()).select_from(model)
                            .where(model.fund_id == fund_id)) + 1
    while _taken(session, model, fund_id, f"{fund_code}-{prefix}{number:05d}"):
        number += 1
    return f"{fund_code}-{prefix}{number:05d}"


def reversal_reference(session: Session, model, fund_id: int, original: str) -> str:
    """A free reference for the reversal of ``original``: ``<original>-R``, else ``-R2``, …"""
    candidate, n = f"{original}-R", 1
    while _taken(session, model, fund_id, candidate):
        n += 1
        candidate = f"{original}-R{n}"
    return candidate


def check_reference_free(session: Session, model, fund_id: int, reference: str) -> list[str]:
    """Errors for ``reference`` if the fund's ledger uses it already (references are unique)."""
    return [f'"{reference}" is used already in this fund'] \
        if _taken(session, model, fund_id, reference) else []


def check_reversible(session: Session, model, original, original_on: dt.date,
                     reversed_on: dt.date, note: str) -> None:
    """Reverse an entry at most once, never a reversal, never dated before it, always say why."""
    if original.reverses_id is not None:
        raise ValidationFailed(reverses="a reversing entry cannot itself be reversed")
    if session.scalar(select(model.id).where(model.reverses_id == original.id)):
        raise ValidationFailed(reverses="this entry has been reversed already")
    if reversed_on < original_on:
        raise ValidationFailed(
            date=f"{reversed_on} is before the entry it reverses ({original_on})")
    if not note.strip():
        raise ValidationFailed(note="say why the entry is reversed")
