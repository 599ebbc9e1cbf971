"""The object a document is attached to, found within the user's scope.

Reading follows the object's scope (access.md): an agreement's documents and its quarters',
queries' and answers' are read by whoever may read the agreement (its parties' bureaus, the
auditors of its regions, administrators); an investment's by whoever may read its fund. Writing:
an agreement or a quarter, by an administrator or a bureau of one of its parties; a query, by
an auditor who may read it; an answer, by a bureau of one of the parties; an investment, by an
administrator or a manager of its fund. Anything else is NotFound, as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.domain.codes import ReviewKind, Role
from app.domain.quarter import Quarter
from app.models import Agreement, AgreementParty, AgreementQuarter, Fund, Investment, Review
from app.models.documents import OBJECT_KINDS
from app.services.access.scopes import (
    Actor,
    acts_for_region,
    agreement_filter,
    can_edit_fund,
    fund_filter,
)
from app.services.errors import NotFound


@dataclass(frozen=True)
class Target:
    """What a document is (to be) attached to: a kind of :data:`OBJECT_KINDS`, the object's
    id (the agreement's for a quarter, the review's for a query or an answer) and, for a
    quarter, the quarter."""

    kind: str
    object_id: int
    quarter: Quarter | None = None

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}" + (f" {self.quarter}" if self.quarter else "")


@dataclass(frozen=True)
class Subject:
    """A target found in scope: the agreement (or the investment) it belongs to, the review
    for a query or an answer, and whether the user may attach documents to it."""

    target: Target
    can_write: bool
    agreement: Agreement | None = None
    investment: Investment | None = None
    review: Review | None = None

    @property
    def quarter(self) -> Quarter | None:
        """The quarter the document concerns (a quarter, or a query's or answer's quarter)."""
        if self.review is not None:
            return self.review.agreement_quarter.quarter
        return self.target.quarter


def resolve(session: Session, actor: Actor, target: Target, *, for_write: bool = False
            ) -> Subject:
    """The target if the user may read it (and, with ``for_write``, attach to it); else
    NotFound."""
    if target.kind not in OBJECT_KINDS or (target.kind == "quarter") != (target.quarter
                                                                        is not None):
        raise NotFound(str(target))
    if target.kind == "investment":
        subject = _investment(session, actor, target)
    elif target.kind in ("query", "answer"):
        subject = _review(session, actor, target)
    else:
        agreement = _agreement(session, actor, target.object_id)
        subject = Subject(target, _acts_for_agreement(actor, agreement) or actor.is_admin,
                          agreement=agreement)
    if for_write and not subject.can_write:
        raise NotFound(str(target))
    return subject


def _agreement(session: Session, actor: Actor, agreement_id: int) -> Agreement:
    agreement = session.scalars(
        select(Agreement).where(Agreement.id == agreement_id, agreement_filter(actor))
        .options(selectinload(Agreement.parties).selectinload(AgreementParty.region))).first()
    if agreement is None:
        raise NotFound(f"agreement {agreement_id}")
    return agreement


def _acts_for_agreement(actor: Actor, agreement: Agreement) -> bool:
    return any(acts_for_region(actor, p.region.code) for p in agreement.parties)


def _review(session: Session, actor: Actor, target: Target) -> Subject:
    review = session.scalars(
        select(Review).where(Review.id == target.object_id, Review.kind == ReviewKind.QUERY)
        .options(selectinload(Review.agreement_quarter))).first()
    if review is None:
        raise NotFound(str(target))
    aq: AgreementQuarter = review.agreement_quarter
    agreement = _agreement(session, actor, aq.agreement_id)
    if target.kind == "query":
        can_write = actor.has(Role.AUDITOR)
    else:
        can_write = _acts_for_agreement(actor, agreement)
    return Subject(target, can_write, agreement=agreement, review=review)


def _investment(session: Session, actor: Actor, target: Target) -> Subject:
    investment = session.scalars(
        select(Investment).join(Fund)
        .where(Investment.id == target.object_id, fund_filter(actor))
        .options(selectinload(Investment.fund), selectinload(Investment.project))).first()
    if investment is None:
        raise NotFound(str(target))
    return Subject(target, can_edit_fund(actor, investment.fund_id), investment=investment)
