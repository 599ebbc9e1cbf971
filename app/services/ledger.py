"""Rules shared by the two append-only ledgers (fund movements and investment transactions)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.messages import N_
from app.domain.quarter import Quarter
from app.models import IssuedReport
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
    return [N_('"%(reference)s" is used already in this fund', reference=reference)] \
        if _taken(session, model, fund_id, reference) else []


def reversal_errors(original_reverses_id: int | None, is_reversed: bool,
                    original_on: dt.date, reversed_on: dt.date, note: str) -> dict[str, list[str]]:
    """The rules of reversing, as field errors in the order they are checked: never a
    reversal, at most once, never dated before the entry, always say why."""
    errors: dict[str, list[str]] = {}
    if original_reverses_id is not None:
        errors["reverses"] = [N_("a reversing entry cannot itself be reversed")]
    elif is_reversed:
        errors["reverses"] = [N_("this entry has been reversed already")]
    if reversed_on < original_on:
        errors["date"] = [N_("%(day)s is before the entry it reverses (%(original)s)",
                             day=reversed_on, original=original_on)]
    if not (note or "").strip():
        errors["note"] = [N_("say why the entry is reversed")]
    return errors


def check_reversible(session: Session, model, original, original_on: dt.date,
                     reversed_on: dt.date, note: str) -> None:
    """Reverse an entry at most once, never a reversal, never dated before it, always say why."""
    is_reversed = session.scalar(select(model.id).where(model.reverses_id == original.id))
    errors = reversal_errors(original.reverses_id, is_reversed is not None, original_on,
                             reversed_on, note)
    if errors:
        raise ValidationFailed(dict([next(iter(errors.items()))]))  # the first broken rule


def issued_fund_quarters(session: Session, fund_ids) -> dict[int, set[Quarter]]:
    """Per fund, the quarters for which a fund report has been issued (any version)."""
    ids = sorted(set(fund_ids))
    issued: dict[int, set[Quarter]] = {fund_id: set() for fund_id in ids}
    if ids:
        for fund_id, quarter in session.execute(
                select(IssuedReport.fund_id, IssuedReport.quarter).distinct()
                .where(IssuedReport.kind == "fund", IssuedReport.fund_id.in_(ids))):
            issued[fund_id].add(quarter)
    return issued


def restated_quarter(issued: set[Quarter], entry_on: dt.date, reversed_on: dt.date | None
                     ) -> Quarter | None:
    """The issued quarter a reversal would restate (four eyes then apply), or None: the entry's
    own quarter if its report is issued, else the first issued quarter ending on or after the
    reversal date (whose since-inception figures the reversal changes)."""
    own = Quarter.containing(entry_on)
    if own in issued:
        return own
    later = sorted(q for q in issued if reversed_on is not None and q.last_day >= reversed_on)
    return later[0] if later else None


def check_no_restatement(session: Session, actor, fund_id: int, entry_on: dt.date,
                         reversed_on: dt.date) -> None:
    """Refuse a signed-in user's direct reversal that restates an issued quarter: it goes
    through a reversal request and a second person's approval (the operator is exempt)."""
    if actor.user_id is None:
        return
    quarter = restated_quarter(issued_fund_quarters(session, [fund_id])[fund_id], entry_on,
                               reversed_on)
    if quarter is not None:
        raise ValidationFailed(reverses=N_(
            "the fund report of %(quarter)s has been issued: reversing this entry needs the "
            "approval of a second person; ask for it on the fund's reverse page", quarter=quarter))
