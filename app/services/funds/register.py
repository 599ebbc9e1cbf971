"""Use cases of the fund register: funds, LP commitments and capital movements (yuan)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.domain.amounts import amount_errors
from app.domain.codes import FundClass, FundStatus, InvestorType, MovementType, Role
from app.domain.messages import N_
from app.models import Commitment, Fund, Movement, RoleGrant, User
from app.services.access.scopes import Actor, can_edit_fund, fund_filter, get_fund
from app.services.errors import Conflict, NotFound, require
from app.services.funds.ledger import (
    check_no_restatement,
    check_reference_free,
    check_reversible,
    next_reference,
    reversal_reference,
)
from app.services.reference.lookups import region_by_code


@dataclass(frozen=True)
class FundData:
    """What a user enters for a fund. ``target_size`` in yuan."""

    code: str
    name: str
    sponsor_region: str
    manager: str
    fund_class: FundClass
    vintage: int
    target_size: Decimal
    term_start_on: dt.date | None = None
    term_end_on: dt.date | None = None
    status: FundStatus = FundStatus.INVESTING


def _check_fund(data: FundData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.code.strip():
        errors["code"] = [N_("is required")]
    if not data.name.strip():
        errors["name"] = [N_("is required")]
    if problems := amount_errors(data.target_size):
        errors["target_size"] = problems
    if not 1990 <= data.vintage <= 2100:
        errors["vintage"] = [N_("%(year)s is not a year between 1990 and 2100",
                                year=data.vintage)]
    if data.term_start_on and data.term_end_on and data.term_end_on < data.term_start_on:
        errors["term_end_on"] = [N_("%(end)s is before the term start %(start)s",
                                    end=data.term_end_on, start=data.term_start_on)]
    return errors


def create_fund(session: Session, actor: Actor, data: FundData) -> Fund:
    """Register a fund; a fund manager who registers it is assigned to it."""
    if not (actor.is_admin or actor.has(Role.FUND_MANAGER)):
        raise NotFound("page")
    errors = _check_fund(data)
    if session.scalar(select(Fund.id).where(Fund.code == data.code.strip())):
        errors.setdefault("code", []).append(
            N_('a fund with the code "%(code)s" exists already', code=data.code))
    require(errors)
    fund = Fund(code=data.code.strip())
    _apply(session, fund, data)
    session.add(fund)
    session.flush()
    if actor.has(Role.FUND_MANAGER) and actor.user_id:
        session.add(RoleGrant(user_id=actor.user_id, role=Role.FUND_MANAGER.value, fund_id=fund.id))
        session.flush()
    return fund


def update_fund(session: Session, actor: Actor, fund_id: int, version: int, data: FundData) -> Fund:
    """Change a fund's details; Conflict if it changed since ``version`` was read."""
    fund = get_fund(session, actor, fund_id, for_edit=True)
    if fund.version != version:
        raise Conflict(N_(
            "This fund was changed by someone else while you were editing. "
            "Your changes were not saved: reload to see theirs, then apply yours again."
        ))
    errors = _check_fund(data)
    if data.code.strip() != fund.code:
        errors.setdefault("code", []).append(N_("the code of a fund cannot change"))
    require(errors)
    _apply(session, fund, data)
    session.flush()
    return fund


def _apply(session: Session, fund: Fund, data: FundData) -> None:
    # Look-ups first: a query in the middle of the assignments would autoflush half a change.
    sponsor_region = region_by_code(session, data.sponsor_region, "sponsor_region")
    fund.name = data.name.strip()
    fund.sponsor_region = sponsor_region
    fund.manager = data.manager.strip()
    fund.fund_class = data.fund_class
    fund.vintage = data.vintage
    fund.target_size = data.target_size
    fund.term_start_on = data.term_start_on
    fund.term_end_on = data.term_end_on
    fund.status = data.status


def list_funds(session: Session, actor: Actor) -> list[Fund]:
    """The funds the actor may read, by code, with their sponsor region loaded."""
    return list(session.scalars(
        select(Fund).where(fund_filter(actor)).order_by(Fund.code)
        .options(selectinload(Fund.sponsor_region))
    ))


def fund_managers(session: Session, fund_id: int) -> list[User]:
    """The users assigned as managers of a fund."""
    return list(session.scalars(
        select(User).join(RoleGrant).where(RoleGrant.fund_id == fund_id,
                                           RoleGrant.role == Role.FUND_MANAGER.value)
        .order_by(User.email)
    ))


@dataclass(frozen=True)
class CommitmentData:
    """An LP commitment as entered. ``amount`` in yuan."""

    investor: str
    investor_type: InvestorType
    committed_on: dt.date
    amount: Decimal


def add_commitment(session: Session, actor: Actor, fund_id: int, data: CommitmentData
                   ) -> Commitment:
    """Record an LP's commitment to a fund."""
    fund = get_fund(session, actor, fund_id, for_edit=True)
    errors = _check_commitment(data)
    duplicate = session.scalar(select(Commitment.id).where(
        Commitment.fund_id == fund.id, Commitment.investor == data.investor.strip(),
        Commitment.committed_on == data.committed_on))
    if duplicate:
        errors.setdefault("investor", []).append(
            f"{data.investor} already has a commitment dated {data.committed_on}")
    require(errors)
    commitment = Commitment(fund=fund, investor=data.investor.strip(),
                            investor_type=data.investor_type, committed_on=data.committed_on,
                            amount=data.amount)
    session.add(commitment)
    session.flush()
    return commitment


def update_commitment(session: Session, actor: Actor, commitment_id: int, version: int,
                      data: CommitmentData) -> Commitment:
    """Correct an LP commitment; Conflict if it changed since ``version`` was read."""
    commitment = session.get(Commitment, commitment_id)
    if commitment is None or not can_edit_fund(actor, commitment.fund_id):
        raise NotFound(f"commitment {commitment_id}")
    if commitment.version != version:
        raise Conflict(N_("This commitment was changed by someone else; reload and try again."))
    require(_check_commitment(data))
    commitment.investor = data.investor.strip()
    commitment.investor_type = data.investor_type
    commitment.committed_on = data.committed_on
    commitment.amount = data.amount
    session.flush()
    return commitment


def _check_commitment(data: CommitmentData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.investor.strip():
        errors["investor"] = [N_("is required")]
    if problems := amount_errors(data.amount, positive=True):
        errors["amount"] = problems
    return errors


@dataclass(frozen=True)
class MovementData:
    """A capital call, distribution or fee as entered. ``amount`` in yuan, positive."""

    type: MovementType
    moved_on: dt.date
    amount: Decimal
    reference: str = ""
    investor: str = ""
    note: str = ""


def record_movement(session: Session, actor: Actor, fund_id: int, data: MovementData) -> Movement:
    """Append a call, distribution or fee to the fund's ledger; a blank reference is generated."""
    fund = get_fund(session, actor, fund_id, for_edit=True)
    errors: dict[str, list[str]] = {}
    if problems := amount_errors(data.amount, positive=True):
        errors["amount"] = problems
    typed = data.reference.strip()
    if typed and (taken := check_reference_free(session, Movement, fund.id, typed)):
        errors["reference"] = taken
    require(errors)
    reference = typed or next_reference(session, Movement, fund.id, fund.code, "M")
    movement = Movement(fund=fund, reference=reference, type=data.type, moved_on=data.moved_on,
                        amount=data.amount, investor=data.investor.strip() or None,
                        note=data.note.strip() or None)
    session.add(movement)
    session.flush()
    return movement


def reverse_movement(session: Session, actor: Actor, movement_id: int, reversed_on: dt.date,
                     note: str, *, approved: bool = False) -> Movement:
    """Undo a movement by appending its reversal, dated ``reversed_on``. A user's reversal that
    restates an issued quarter is refused unless ``approved`` (see services.reversals)."""
    original = session.get(Movement, movement_id)
    if original is None or not can_edit_fund(actor, original.fund_id):
        raise NotFound(f"movement {movement_id}")
    check_reversible(session, Movement, original, original.moved_on, reversed_on, note)
    if not approved:
        check_no_restatement(session, actor, original.fund_id, original.moved_on, reversed_on)
    reversal = Movement(
        fund=original.fund,
        reference=reversal_reference(session, Movement, original.fund_id, original.reference),
        type=original.type,
        moved_on=reversed_on, amount=original.amount, investor=original.investor,
        note=note.strip(), reverses_id=original.id,
    )
    session.add(reversal)
    session.flush()
    return reversal
