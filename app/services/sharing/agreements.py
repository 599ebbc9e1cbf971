"""Use cases of sharing agreements: parties, covered projects and rules (drafts only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.domain import sharing as engine
from app.domain.codes import AgreementStatus, CapScope, PartyRole, Role, SharingMode
from app.domain.messages import N_
from app.domain.quarter import Quarter
from app.models import (
    Agreement,
    AgreementParty,
    CapOverride,
    CoveredPark,
    CoveredProject,
    IndicatorDefinition,
    Project,
    RuleCap,
    RuleTier,
    SharingRule,
    TierWeight,
)
from app.services.access.scopes import (  # the agreement scope lives in access (documents use it)
    Actor,
    acts_for_region,
    agreement_filter,
)
from app.services.errors import Conflict, NotFound, ValidationFailed, require
from app.services.reference.lookups import region_by_code
from app.services.sharing.deadlines import local_today

AGREEMENT_IN_FULL = (
    selectinload(Agreement.parties).selectinload(AgreementParty.region),
    selectinload(Agreement.covered).selectinload(CoveredProject.project),
    selectinload(Agreement.covered).selectinload(CoveredProject.cap_overrides),
    selectinload(Agreement.covered).selectinload(CoveredProject.via_park),
    selectinload(Agreement.covered_parks).selectinload(CoveredPark.park),
    selectinload(Agreement.rules).selectinload(SharingRule.tiers).selectinload(RuleTier.weights),
    selectinload(Agreement.rules).selectinload(SharingRule.caps),
    selectinload(Agreement.rules).selectinload(SharingRule.indicator),
)
"""Eager loads of everything a statement or an agreement page reads (parties, covered projects
with their cap overrides, rules with tiers, weights, caps and indicator)."""


def party_in_scope(actor: Actor, party: AgreementParty) -> bool:
    """Whether the actor is a bureau whose region covers this party's region: only such a user
    acts for the party (submits, confirms, answers queries); administrators do not."""
    return acts_for_region(actor, party.region.code)


def get_agreement(session: Session, actor: Actor, agreement_id: int, *, for_edit: bool = False
                  ) -> Agreement:
    """The agreement with parties, covered projects and rules, if the actor may read it (edit it:
    an administrator, or a bureau of one of its parties); else NotFound."""
    agreement = session.scalars(
        select(Agreement).where(Agreement.id == agreement_id, agreement_filter(actor))
        .options(*AGREEMENT_IN_FULL)).first()
    if agreement is None:
        raise NotFound(f"agreement {agreement_id}")
    if for_edit and not (actor.is_admin or any(party_in_scope(actor, p)
                                               for p in agreement.parties)):
        raise NotFound(f"agreement {agreement_id}")
    return agreement


def list_agreements(session: Session, actor: Actor) -> list[Agreement]:
    """The agreements the actor may read, by code, with their parties."""
    return list(session.scalars(
        select(Agreement).where(agreement_filter(actor)).order_by(Agreement.code)
        .options(selectinload(Agreement.parties).selectinload(AgreementParty.region))))


@dataclass(frozen=True)
class PartyData:
    """A party as entered: a region code, its role and (optionally) its priority, 1 highest."""

    region: str
    role: PartyRole
    priority: int | None = None


@dataclass(frozen=True)
class AgreementData:
    """An agreement's heading and parties. The default party is the destination unless named."""

    code: str
    title: str
    parties: list[PartyData]
    basis_document: str = ""
    signed_on: dt.date | None = None
    default_party: str = ""


_ROLE_ORDER = {PartyRole.DESTINATION: 0, PartyRole.SOURCE: 1, PartyRole.OTHER: 2}


def create_agreement(session: Session, actor: Actor, data: AgreementData) -> Agreement:
    """Draft an agreement; a bureau may only draft one it is a party to."""
    if not (actor.is_admin or actor.has(Role.FINANCE_BUREAU)):
        raise NotFound("page")
    errors: dict[str, list[str]] = {}
    if not data.code.strip():
        errors["code"] = [N_("is required")]
    elif session.scalar(select(Agreement.id).where(Agreement.code == data.code.strip())):
        errors["code"] = [N_('an agreement with the code "%(code)s" exists already',
                             code=data.code)]
    if not data.title.strip():
        errors["title"] = [N_("is required")]
    require(errors)
    agreement = Agreement(code=data.code.strip(), title=data.title.strip(),
                          basis_document=data.basis_document.strip() or None,
                          signed_on=data.signed_on, created_by_id=actor.user_id)
    agreement.parties = _parties(session, data)
    if not (actor.is_admin or any(party_in_scope(actor, p) for p in agreement.parties)):
        raise ValidationFailed(parties=N_("your region must be one of the parties"))
    session.add(agreement)
    session.flush()
    return agreement


def _parties(session: Session, data: AgreementData) -> list[AgreementParty]:
    if len(data.parties) < 2:
        raise ValidationFailed(parties=N_("an agreement has at least two parties"))
    regions = [region_by_code(session, p.region, "parties") for p in data.parties]
    if len({r.code for r in regions}) != len(regions):
        raise ValidationFailed(parties=N_("a region is listed twice"))
    given = [p.priority for p in data.parties if p.priority is not None]
    if given and (len(given) != len(data.parties) or sorted(given) != list(
            range(1, len(given) + 1))):
        raise ValidationFailed(parties=N_("priorities must be 1, 2, 3 … each used once"))
    order = sorted(range(len(data.parties)), key=lambda i: (
        data.parties[i].priority if given else (_ROLE_ORDER[data.parties[i].role], i)))
    default = data.default_party.strip() or next(
        (regions[i].code for i in order if data.parties[i].role is PartyRole.DESTINATION),
        regions[order[0]].code)
    if default not in {r.code for r in regions}:
        raise ValidationFailed(default_party=N_('"%(region)s" is not one of the parties',
                                                region=default))
    return [AgreementParty(region=regions[i], role=data.parties[i].role, priority=rank,
                           is_default=regions[i].code == default)
            for rank, i in enumerate(order, start=1)]


def _draft(session: Session, actor: Actor, agreement_id: int, version: int | None = None
           ) -> Agreement:
    agreement = get_agreement(session, actor, agreement_id, for_edit=True)
    if version is not None and agreement.version != version:
        raise Conflict(N_("This agreement was changed by someone else; reload and try again."))
    if agreement.status is not AgreementStatus.DRAFT:
        raise ValidationFailed(status=N_("only a draft agreement can be changed"))
    return agreement


def set_covered_projects(session: Session, actor: Actor, agreement_id: int,
                         project_codes: list[str]) -> Agreement:
    """Replace the list of projects the agreement covers (both parties agree the list)."""
    agreement = _draft(session, actor, agreement_id)
    codes = [c.strip() for c in project_codes if c.strip()]
    found = {p.code: p for p in session.scalars(select(Project).where(Project.code.in_(codes)))}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationFailed(projects=N_("unknown project codes: %(codes)s",
                                           codes=", ".join(unknown)))
    keep = {c.project.code: c for c in agreement.covered}
    named = []
    for code in dict.fromkeys(codes):
        row = keep.get(code) or CoveredProject(project=found[code])
        row.via_park_id = row.first_quarter = row.last_quarter = None  # named: its whole life
        named.append(row)
    agreement.covered = named + [c for c in agreement.covered
                                 if c.via_park_id is not None and c.project.code not in codes]
    session.flush()
    _sync(session, agreement)
    return agreement


def _sync(session: Session, agreement: Agreement) -> None:
    """Re-derive the projects covered via parks (a named project is never also via a park;
    the agreement's first quarter bounds every member's)."""
    from app.services.sharing.coverage import sync_agreement  # coverage builds on this module

    if agreement.covered_parks:
        sync_agreement(session, agreement)


@dataclass(frozen=True)
class TierData:
    """A tier as entered: quarters and each party's weight (region code → decimal)."""

    first: Quarter
    last: Quarter | None
    weights: dict[str, Decimal]


@dataclass(frozen=True)
class CapData:
    """A cap as entered: the capped party's region code, the amount and its scope."""

    party: str
    amount: Decimal
    scope: CapScope = CapScope.AGREEMENT


@dataclass(frozen=True)
class RuleData:
    """One indicator's rule as entered. Amounts in the indicator's unit."""

    indicator: str
    mode: SharingMode
    tiers: list[TierData] = field(default_factory=list)
    baseline: Decimal | None = None
    baseline_owner: str = ""
    caps: list[CapData] = field(default_factory=list)
    as_percent: bool = False


def set_rule(session: Session, actor: Actor, agreement_id: int, data: RuleData) -> SharingRule:
    """Create or replace the agreement's rule for one indicator, after validating it exactly as
    the split engine will read it."""
    agreement = _draft(session, actor, agreement_id)
    indicator = session.get(IndicatorDefinition, data.indicator)
    if indicator is None:
        raise ValidationFailed(indicator=N_('"%(code)s" is not an indicator',
                                            code=data.indicator))
    parties = {p.region.code: p for p in agreement.parties}
    domain_rule = engine.Rule(
        mode=data.mode.value,
        tiers=[engine.Tier(t.first, t.last, dict(t.weights)) for t in data.tiers],
        baseline=data.baseline, baseline_owner=data.baseline_owner or None,
        caps=[engine.Cap(c.party, c.amount, c.scope.value) for c in data.caps],
        quantum=indicator.quantum_decimal, as_percent=data.as_percent)
    try:
        engine.validate_rule(domain_rule, domain_parties(agreement))
    except engine.RuleError as exc:
        raise ValidationFailed({exc.field: [exc.message]}) from exc
    rule = next((r for r in agreement.rules if r.indicator_code == indicator.code), None)
    if rule is None:
        rule = SharingRule(indicator=indicator)
        agreement.rules.append(rule)
    rule.mode = data.mode
    rule.baseline = data.baseline
    rule.baseline_owner = parties.get(data.baseline_owner) if data.baseline_owner else None
    rule.as_percent = data.as_percent
    rule.tiers = [RuleTier(first_quarter=t.first, last_quarter=t.last, weights=[
        TierWeight(party=parties[code], weight=w) for code, w in t.weights.items()])
        for t in data.tiers]
    rule.caps = [RuleCap(party=parties[c.party], amount=c.amount, scope=c.scope)
                 for c in data.caps]
    session.flush()
    _sync(session, agreement)
    return rule


def set_cap_override(session: Session, actor: Actor, agreement_id: int, project_code: str,
                     indicator: str, party: str, amount: Decimal | None) -> None:
    """Give one covered project its own amount for a cap (None removes the override)."""
    agreement = _draft(session, actor, agreement_id)
    covered = next((c for c in agreement.covered if c.project.code == project_code), None)
    if covered is None:
        raise ValidationFailed(project=N_('"%(code)s" is not covered by this agreement',
                                          code=project_code))
    rule = next((r for r in agreement.rules if r.indicator_code == indicator), None)
    cap = next((c for c in rule.caps if c.party.region.code == party), None) if rule else None
    if cap is None:
        raise ValidationFailed(party=N_("the %(indicator)s rule has no cap for %(party)s",
                                        indicator=indicator, party=party))
    if amount is not None and amount < 0:
        raise ValidationFailed(amount=N_("%(value)s is negative", value=amount))
    existing = next((o for o in covered.cap_overrides if o.cap_id == cap.id), None)
    if amount is None:
        if existing:
            covered.cap_overrides.remove(existing)
    elif existing:
        existing.amount = amount
    else:
        covered.cap_overrides.append(CapOverride(cap=cap, amount=amount))
    session.flush()


def activate(session: Session, actor: Actor, agreement_id: int, version: int,
             on: dt.date | None = None) -> Agreement:
    """Sign the draft: from now on its parties, rules and covered projects are fixed. ``on``
    is the local date it takes effect (today unless given: the demo replays its history);
    quarters that ended before it count their deadlines from it."""
    agreement = _draft(session, actor, agreement_id, version)
    errors: dict[str, list[str]] = {}
    if not agreement.rules:
        errors["rules"] = [N_("an agreement needs at least one rule")]
    if not agreement.covered and not agreement.covered_parks:
        errors["projects"] = [N_("an agreement needs at least one covered project or park")]
    require(errors)
    agreement.status = AgreementStatus.ACTIVE
    agreement.activated_on = on or local_today(session)
    session.flush()
    return agreement


def domain_parties(agreement: Agreement) -> engine.Parties:
    """The agreement's parties for the engine: region codes in priority order."""
    ordered = sorted(agreement.parties, key=lambda p: p.priority)
    default = next(p for p in ordered if p.is_default)
    return engine.Parties(tuple(p.region.code for p in ordered), default.region.code)


def domain_rule(rule: SharingRule) -> engine.Rule:
    """A stored rule as the engine reads it."""
    return engine.Rule(
        mode=rule.mode.value,
        tiers=[engine.Tier(t.first_quarter, t.last_quarter,
                           {w.party.region.code: w.weight for w in t.weights})
               for t in rule.tiers],
        baseline=rule.baseline,
        baseline_owner=rule.baseline_owner.region.code if rule.baseline_owner else None,
        caps=[engine.Cap(c.party.region.code, c.amount, c.scope.value) for c in rule.caps],
        quantum=rule.indicator.quantum_decimal, as_percent=rule.as_percent)


def cap_overrides(covered: CoveredProject, rule: SharingRule) -> dict[str, Decimal]:
    """The covered project's own cap amounts for ``rule``, by party region code."""
    caps = {c.id: c for c in rule.caps}
    return {caps[o.cap_id].party.region.code: o.amount
            for o in covered.cap_overrides if o.cap_id in caps}


def simulate_rule(session: Session, actor: Actor, agreement_id: int, indicator: str,
                  observations: dict[Quarter, Decimal]) -> engine.SplitResult:
    """What the agreement's rule for ``indicator`` would allocate for invented figures (nothing
    is stored): the statements' very engine."""
    agreement = get_agreement(session, actor, agreement_id)
    rule = next((r for r in agreement.rules if r.indicator_code == indicator), None)
    if rule is None:
        raise ValidationFailed(indicator=N_("the agreement has no rule for %(indicator)s",
                                            indicator=indicator))
    if not observations:
        raise ValidationFailed(observations=N_("enter at least one quarter and value"))
    try:
        return engine.split(domain_rule(rule), domain_parties(agreement), observations)
    except engine.RuleError as exc:
        raise ValidationFailed({"observations": [exc.message]}) from exc
