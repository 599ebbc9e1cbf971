"""Who may see and change what: the scope rules of access.md as SQL filters and checks.

Every read of a fund, project or investment goes through these filters, so a record outside the
user's scope is simply not found (404), whatever URL or id was guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.orm import Session, aliased

from app.domain.codes import Role
from app.domain.regions import subtree_prefix
from app.models import Agreement, AgreementParty, Fund, Investment, Project, Region, User
from app.services.errors import NotFound


@dataclass(frozen=True)
class Actor:
    """The signed-in user and the scopes of their roles, as plain values."""

    user_id: int | None
    label: str
    roles: frozenset[Role] = frozenset()
    fund_ids: frozenset[int] = frozenset()
    bureau_regions: tuple[str, ...] = ()
    auditor_regions: tuple[str, ...] = ()
    is_global_auditor: bool = False
    locale: str = "zh"

    @property
    def is_admin(self) -> bool:
        """Holds the ADMIN role (everything in scope)."""
        return Role.ADMIN in self.roles

    @property
    def sees_everything(self) -> bool:
        """An administrator or an auditor scoped to the whole country."""
        return self.is_admin or self.is_global_auditor

    @property
    def read_regions(self) -> tuple[str, ...]:
        """Region codes whose subtree this user may read (bureau and regional auditor scopes)."""
        return self.bureau_regions + self.auditor_regions

    def has(self, role: Role) -> bool:
        """Whether the user holds ``role`` in any scope."""
        return role in self.roles


SYSTEM = Actor(user_id=None, label="system", roles=frozenset({Role.ADMIN}))
"""The actor of commands run by an operator on the server (full scope)."""


def actor_for(user: User) -> Actor:
    """Build the actor of a signed-in user from their role grants."""
    return actor_of(user.id, user.email, user.locale,
                    [(g.role, g.fund_id, g.region.code if g.region else None)
                     for g in user.grants])


def actor_of(user_id: int, email: str, locale: str,
             grants: list[tuple[str, int | None, str | None]]) -> Actor:
    """The actor of a user from their grants as (role, fund id, region code) rows."""
    roles, funds, bureau, auditor, global_auditor = set(), set(), [], [], False
    for role_code, fund_id, region_code in grants:
        role = Role(role_code)
        roles.add(role)
        if role is Role.FUND_MANAGER and fund_id:
            funds.add(fund_id)
        elif role is Role.FINANCE_BUREAU and region_code:
            bureau.append(region_code)
        elif role is Role.AUDITOR:
            if region_code:
                auditor.append(region_code)
            else:
                global_auditor = True
    return Actor(
        user_id=user_id, label=email, roles=frozenset(roles), fund_ids=frozenset(funds),
        bureau_regions=tuple(bureau), auditor_regions=tuple(auditor),
        is_global_auditor=global_auditor, locale=locale,
    )


def within_regions(region_code_column, codes: tuple[str, ...]) -> ColumnElement[bool]:
    """SQL: the region code column lies within (or is) one of ``codes``."""
    if not codes:
        return false()
    return or_(*(region_code_column.like(subtree_prefix(c) + "%") for c in codes))


def fund_filter(actor: Actor) -> ColumnElement[bool]:
    """The funds ``actor`` may read: managed ones, and those sponsored within their regions."""
    if actor.sees_everything:
        return true()
    sponsor = aliased(Region)
    clauses = []
    if actor.fund_ids:
        clauses.append(Fund.id.in_(actor.fund_ids))
    if actor.read_regions:
        clauses.append(Fund.sponsor_region_id.in_(
            select(sponsor.id).where(within_regions(sponsor.code, actor.read_regions))
        ))
    return or_(*clauses) if clauses else false()


def project_filter(actor: Actor) -> ColumnElement[bool]:
    """The projects ``actor`` may read: theirs (financed or registered) or touching their region."""
    if actor.sees_everything:
        return true()
    clauses = []
    if Role.FUND_MANAGER in actor.roles:
        clauses.append(Project.created_by_id == actor.user_id)
        if actor.fund_ids:
            clauses.append(Project.id.in_(
                select(Investment.project_id).where(Investment.fund_id.in_(actor.fund_ids))
            ))
    if actor.read_regions:
        place = aliased(Region)
        in_scope = select(place.id).where(within_regions(place.code, actor.read_regions))
        clauses.append(Project.source_region_id.in_(in_scope))
        clauses.append(Project.destination_region_id.in_(in_scope))
    return or_(*clauses) if clauses else false()


def readable_funds(actor: Actor) -> Select:
    """``select(Fund)`` limited to the actor's scope."""
    return select(Fund).where(fund_filter(actor))


def get_fund(session: Session, actor: Actor, fund_id: int, *, for_edit: bool = False) -> Fund:
    """The fund if the actor may read it (or edit it, with ``for_edit``); else NotFound."""
    fund = session.scalars(select(Fund).where(Fund.id == fund_id, fund_filter(actor))).first()
    if fund is None or (for_edit and not can_edit_fund(actor, fund.id)):
        raise NotFound(f"fund {fund_id}")
    return fund


def can_edit_fund(actor: Actor, fund_id: int) -> bool:
    """Administrators and the fund's assigned managers may change a fund and its ledger."""
    return actor.is_admin or fund_id in actor.fund_ids


def get_project(session: Session, actor: Actor, project_id: int, *, for_edit: bool = False
                ) -> Project:
    """The project if the actor may read it (or edit it, with ``for_edit``); else NotFound."""
    project = session.scalars(
        select(Project).where(Project.id == project_id, project_filter(actor))
    ).first()
    if project is None or (for_edit and not can_edit_project(session, actor, project)):
        raise NotFound(f"project {project_id}")
    return project


def can_edit_project(session: Session, actor: Actor, project: Project) -> bool:
    """Administrators, the registering fund manager, and managers of a fund that finances it."""
    if actor.is_admin:
        return True
    if Role.FUND_MANAGER not in actor.roles:
        return False
    if project.created_by_id == actor.user_id:
        return True
    financed_by = set(session.scalars(
        select(Investment.fund_id).where(Investment.project_id == project.id)
    ))
    return bool(financed_by & actor.fund_ids)


def agreement_filter(actor: Actor) -> ColumnElement[bool]:
    """Agreements the actor may read: those with a party in their bureau or auditor regions."""
    if actor.sees_everything:
        return true()
    if not actor.read_regions:
        return false()
    place = aliased(Region)
    in_scope = select(AgreementParty.agreement_id) \
        .join(place, place.id == AgreementParty.region_id) \
        .where(within_regions(place.code, actor.read_regions))
    return Agreement.id.in_(in_scope)


def acts_for_region(actor: Actor, region_code: str) -> bool:
    """Whether one of the actor's bureau regions covers the region ``region_code``."""
    return any(region_code.startswith(subtree_prefix(code)) for code in actor.bureau_regions)


def require_role(actor: Actor, *roles: Role) -> None:
    """NotFound unless the actor holds one of ``roles`` (pages of other roles do not exist)."""
    if not any(r in actor.roles for r in roles):
        raise NotFound("page")
