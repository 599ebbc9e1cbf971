"""Use cases of the investment ledger: positions, append-only transactions and valuations (yuan)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.domain.amounts import amount_errors
from app.domain.codes import Instrument, TransactionType
from app.domain.messages import N_
from app.domain.money import format_amount
from app.models import Fund, Investment, InvestmentTransaction, Project, Valuation
from app.services.access.scopes import Actor, can_edit_fund, fund_filter, get_fund, project_filter
from app.services.errors import Conflict, NotFound, ValidationFailed, require
from app.services.funds.ledger import (
    check_no_restatement,
    check_reference_free,
    check_reversible,
    next_reference,
    reversal_reference,
)

ALLOWED_TYPES: dict[Instrument, frozenset[TransactionType]] = {
    Instrument.EQUITY: frozenset({TransactionType.COMMITMENT, TransactionType.DISBURSEMENT,
                                  TransactionType.INCOME, TransactionType.PROCEEDS,
                                  TransactionType.WRITE_OFF}),
    Instrument.LOAN: frozenset({TransactionType.COMMITMENT, TransactionType.DISBURSEMENT,
                                TransactionType.REPAYMENT, TransactionType.INCOME,
                                TransactionType.WRITE_OFF}),
    Instrument.GRANT: frozenset({TransactionType.COMMITMENT, TransactionType.DISBURSEMENT}),
}
"""The ledger entries each instrument takes (a grant is never repaid, a loan never sold)."""


def allowed_types(instrument: Instrument) -> list[TransactionType]:
    """The entry types ``instrument`` takes, in the ledger's order (for a form's drop-down)."""
    return [t for t in TransactionType if t in ALLOWED_TYPES[instrument]]


@dataclass(frozen=True)
class CommitmentPosition:
    """What an investment's ledger holds of its commitment, over every entry whatever its date
    (yuan, exact; reversals count negatively)."""

    committed: Decimal
    disbursed: Decimal

    @property
    def remaining(self) -> Decimal:
        """What may still be disbursed: committed − disbursed, never below zero."""
        return max(Decimal("0.00"), self.committed - self.disbursed)


def commitment_position(entries) -> CommitmentPosition:
    """The sums of an investment's ``COMMITMENT`` and ``DISBURSEMENT`` entries (yuan)."""
    def total(kind: TransactionType) -> Decimal:
        return sum((e.signed_amount for e in entries if e.type is kind), Decimal("0.00"))
    return CommitmentPosition(total(TransactionType.COMMITMENT),
                              total(TransactionType.DISBURSEMENT))


def disbursement_errors(type_: TransactionType, amount: Decimal, entries) -> list[str]:
    """Messages if a disbursement of ``amount`` (yuan) is more than what remains of the
    commitment recorded in ``entries`` (see :func:`commitment_position`)."""
    if type_ is not TransactionType.DISBURSEMENT:
        return []
    position = commitment_position(entries)
    if amount > position.remaining:
        return [N_("%(amount)s is more than the %(remaining)s that remains of the commitment "
                   "(committed %(committed)s, disbursed %(disbursed)s): record a further "
                   "commitment first", amount=format_amount(amount),
                   remaining=format_amount(position.remaining),
                   committed=format_amount(position.committed),
                   disbursed=format_amount(position.disbursed))]
    return []


def open_investment(session: Session, actor: Actor, fund_id: int, project_code: str,
                    instrument: Instrument) -> Investment:
    """Open (or return the existing) position of a fund in a project with an instrument."""
    fund = get_fund(session, actor, fund_id, for_edit=True)
    project = session.scalars(select(Project).where(
        Project.code == (project_code or "").strip(), project_filter(actor))).first()
    if project is None:
        raise ValidationFailed(project=N_('"%(code)s" is not a project you can see',
                                          code=project_code))
    existing = session.scalars(select(Investment).where(
        Investment.fund_id == fund.id, Investment.project_id == project.id,
        Investment.instrument == instrument)).first()
    if existing:
        return existing
    investment = Investment(fund=fund, project=project, instrument=instrument)
    session.add(investment)
    session.flush()
    return investment


def get_investment(session: Session, actor: Actor, investment_id: int, *, for_edit: bool = False
                   ) -> Investment:
    """An investment whose fund the actor may read (or edit); else NotFound."""
    investment = session.scalars(
        select(Investment).join(Fund).where(Investment.id == investment_id, fund_filter(actor))
        .options(selectinload(Investment.transactions), selectinload(Investment.valuations),
                 selectinload(Investment.project), selectinload(Investment.fund))
    ).first()
    if investment is None or (for_edit and not can_edit_fund(actor, investment.fund_id)):
        raise NotFound(f"investment {investment_id}")
    return investment


@dataclass(frozen=True)
class TransactionData:
    """A ledger entry as entered. ``amount`` in yuan, positive."""

    type: TransactionType
    occurred_on: dt.date
    amount: Decimal
    reference: str = ""
    note: str = ""


def record_transaction(session: Session, actor: Actor, investment_id: int,
                       data: TransactionData, *, within_commitment: bool = False
                       ) -> InvestmentTransaction:
    """Append an entry to an investment's ledger after checking it against the instrument;
    with ``within_commitment`` (the web's entry form) a disbursement must also fit in what
    remains of the commitment (:func:`disbursement_errors`)."""
    investment = get_investment(session, actor, investment_id, for_edit=True)
    errors: dict[str, list[str]] = {}
    if problems := type_errors(investment.instrument, data.type):
        errors["type"] = problems
    if problems := (amount_errors(data.amount, positive=True) or repayment_errors(
            investment.instrument, data.type, data.amount, data.occurred_on,
            investment.transactions) or (within_commitment and disbursement_errors(
                data.type, data.amount, investment.transactions))):
        errors["amount"] = problems
    typed = data.reference.strip()
    if typed and (taken := check_reference_free(session, InvestmentTransaction,
                                                investment.fund_id, typed)):
        errors["reference"] = taken
    require(errors)
    reference = typed or next_reference(
        session, InvestmentTransaction, investment.fund_id, investment.fund.code, "T")
    entry = InvestmentTransaction(
        investment=investment, fund_id=investment.fund_id, reference=reference, type=data.type,
        occurred_on=data.occurred_on, amount=data.amount, note=data.note.strip() or None)
    session.add(entry)
    session.flush()
    return entry


def type_errors(instrument: Instrument, type_: TransactionType) -> list[str]:
    """Messages if an instrument never takes this type of entry (see ALLOWED_TYPES)."""
    if type_ not in ALLOWED_TYPES[instrument]:
        return [N_("a %(instrument)s investment has no %(type)s", instrument=instrument,
                   type=type_)]
    return []


def repayment_errors(instrument: Instrument, type_: TransactionType, amount: Decimal,
                     on: dt.date, entries) -> list[str]:
    """Messages if a loan repayment or write-off of ``amount`` (yuan) on ``on`` exceeds the
    principal outstanding then or later, given the loan's ``entries``."""
    if instrument is not Instrument.LOAN or type_ not in (TransactionType.REPAYMENT,
                                                           TransactionType.WRITE_OFF):
        return []
    outstanding = lowest_outstanding_from(entries, on)
    if amount > outstanding:
        return [N_("%(amount)s is more than the %(outstanding)s outstanding on %(day)s or later",
                   amount=amount, outstanding=outstanding, day=on)]
    return []


def loan_outstanding(entries, on: dt.date) -> Decimal:
    """Principal outstanding on a date: disbursed − repaid − written off (yuan, exact)."""
    sign = {TransactionType.DISBURSEMENT: 1, TransactionType.REPAYMENT: -1,
            TransactionType.WRITE_OFF: -1}
    return sum((sign[e.type] * e.signed_amount for e in entries
                if e.type in sign and e.occurred_on <= on), Decimal("0.00"))


def lowest_outstanding_from(entries, on: dt.date) -> Decimal:
    """The least principal outstanding on ``on`` or any later entry date (yuan): a repayment or
    write-off dated ``on`` must not exceed it, or a later balance would turn negative."""
    dates = {on} | {e.occurred_on for e in entries if e.occurred_on > on}
    return min(loan_outstanding(entries, day) for day in dates)


def reverse_transaction(session: Session, actor: Actor, transaction_id: int,
                        reversed_on: dt.date, note: str, *, approved: bool = False
                        ) -> InvestmentTransaction:
    """Undo a ledger entry by appending its reversal, dated ``reversed_on``. A user's reversal
    that restates an issued quarter is refused unless ``approved`` (see services.reversals)."""
    original = session.get(InvestmentTransaction, transaction_id)
    if original is None or not can_edit_fund(actor, original.fund_id):
        raise NotFound(f"transaction {transaction_id}")
    check_reversible(session, InvestmentTransaction, original, original.occurred_on,
                     reversed_on, note)
    if not approved:
        check_no_restatement(session, actor, original.fund_id, original.occurred_on,
                             reversed_on)
    reversal = InvestmentTransaction(
        investment=original.investment, fund_id=original.fund_id,
        reference=reversal_reference(session, InvestmentTransaction, original.fund_id,
                                     original.reference),
        type=original.type, occurred_on=reversed_on,
        amount=original.amount, note=note.strip(), reverses_id=original.id)
    session.add(reversal)
    session.flush()
    return reversal


def valuation_errors(instrument: Instrument, value: Decimal | None) -> dict[str, list[str]]:
    """Field errors of a fair value (yuan) for a holding: equity only, a storable amount."""
    if instrument is not Instrument.EQUITY:
        return {"value": ["only equity holdings are valued; loans and grants are not"]}
    return {"value": problems} if (problems := amount_errors(value)) else {}


def record_valuation(session: Session, actor: Actor, investment_id: int, as_of_on: dt.date,
                     value: Decimal, note: str = "", version: int | None = None) -> Valuation:
    """Mark an equity holding to fair value as of a date (yuan); a second mark for the same
    date replaces the first, guarded by ``version`` against concurrent edits."""
    investment = get_investment(session, actor, investment_id, for_edit=True)
    require(valuation_errors(investment.instrument, value))
    valuation = session.scalar(select(Valuation).where(
        Valuation.investment_id == investment.id, Valuation.as_of_on == as_of_on))
    if valuation is None:
        valuation = Valuation(investment=investment, as_of_on=as_of_on, value=value)
        session.add(valuation)
    else:
        if version is not None and valuation.version != version:
            raise Conflict(N_("This valuation was changed by someone else; reload and try again."))
        valuation.value = value
    valuation.note = note.strip() or None
    session.flush()
    return valuation


def fund_investments(session: Session, fund_id: int) -> list[Investment]:
    """A fund's investments with their ledgers, valuations and projects (regions) loaded."""
    return list(session.scalars(
        select(Investment).where(Investment.fund_id == fund_id)
        .options(selectinload(Investment.transactions), selectinload(Investment.valuations),
                 selectinload(Investment.project).selectinload(Project.destination_region))
        .order_by(Investment.id)
    ))
