"""Rules shared by the two append-only ledgers (fund movements and investment transactions)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.domain.messages import N_
from app.domain.quarter import Quarter
from app.models import IssuedReport, ReferenceCounter
from app.models.database import is_postgresql
from app.services.errors import ValidationFailed

REFERENCE_LENGTH = 64
"""The longest reference a ledger row stores (characters)."""
_DIGITS = re.compile(r"[0-9]+")


def _taken(session: Session, model, fund_id: int, reference: str) -> bool:
    return session.scalar(
        select(model.id).where(model.fund_id == fund_id, model.reference == reference)
    ) is not None


def _highest_number(session: Session, model, fund_id: int, stem: str) -> int:
    """The highest ``<number>`` among the fund's references ``<stem><number>`` (0 if none)."""
    highest = 0
    for reference in session.scalars(select(model.reference).where(
            model.fund_id == fund_id, model.reference.startswith(stem, autoescape=True))):
        tail = reference[len(stem):]
        if _DIGITS.fullmatch(tail):
            highest = max(highest, int(tail))
    return highest


def _claim_number(session: Session, model, fund_id: int, ledger: str, stem: str) -> int:
    """The next number of the fund's counter for ``ledger``, whose row stays locked (an UPDATE)
    until the transaction ends, so concurrent appends never claim the same number. A missing
    counter (a fund whose ledger was never numbered) starts from the references so far."""
    table = ReferenceCounter.__table__
    where = (table.c.fund_id == fund_id, table.c.ledger == ledger)
    bump = (update(table).where(*where).values(last_number=table.c.last_number + 1)
            .returning(table.c.last_number))
    number = session.execute(bump).scalar()
    if number is None:
        insert = postgresql_insert if is_postgresql(session) else sqlite_insert
        session.execute(insert(table).values(
            fund_id=fund_id, ledger=ledger,
            last_number=_highest_number(session, model, fund_id, stem),
        ).on_conflict_do_nothing())
        number = session.execute(bump).scalar_one()
    return number


def next_reference(session: Session, model, fund_id: int, fund_code: str, prefix: str) -> str:
    """A free reference for a row entered without one: ``<fund code>-<prefix><number>``, five
    digits or more, the number taken from the fund's counter (``reference_counters``) and
    skipping any reference a user typed already. Unique under concurrent appends: the counter
    row is locked by the claiming transaction until it commits or rolls back."""
    stem = f"{fund_code}-{prefix}"
    while True:
        reference = f"{stem}{_claim_number(session, model, fund_id, prefix, stem):05d}"
        if not _taken(session, model, fund_id, reference):
            return reference


def derived_reversal_reference(original: str, attempt: int = 1) -> str:
    """The reference of a reversal of ``original``: ``<original>-R`` (``-R2``, ``-R3`` … for
    later attempts when one is taken). When that would exceed ``REFERENCE_LENGTH`` characters,
    the original is shortened and followed by ``-`` and the first 8 hex digits of its SHA-256,
    so the result always fits, is the same every time and differs between originals."""
    suffix = "-R" if attempt == 1 else f"-R{attempt}"
    if len(original) + len(suffix) <= REFERENCE_LENGTH:
        return original + suffix
    digest = hashlib.sha256(original.encode("utf-8")).hexdigest()[:8]
    return f"{original[:REFERENCE_LENGTH - len(suffix) - 9]}-{digest}{suffix}"


def reversal_reference(session: Session, model, fund_id: int, original: str) -> str:
    """A free reference for the reversal of ``original`` (see ``derived_reversal_reference``)."""
    attempt = 1
    while _taken(session, model, fund_id, candidate := derived_reversal_reference(original,
                                                                                 attempt)):
        attempt += 1
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
