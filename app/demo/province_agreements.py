"""Users, agreements and closed quarters of the province demo, all through the services."""

from __future__ import annotations

import random
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.province_names import short
from app.domain.codes import CapScope, PartyRole, Role, SharingMode
from app.domain.quarter import Quarter, quarters_between
from app.models import Agreement, Fund, User
from app.services.access import users
from app.services.access.scopes import SYSTEM, actor_for
from app.services.sharing import agreements, workflow
from app.services.sharing.agreements import CapData, RuleData, TierData

_NAMES = {"ADMIN": "系统管理员", "FUND_MANAGER": "基金经理", "FINANCE_BUREAU": "财政局经办",
          "AUDITOR": "审计员"}
SPLIT, DUAL = SharingMode.SPLIT, SharingMode.DUAL_COUNT


def create_users(session: Session, demo_users) -> None:
    """The demo sign-ins; a manager's grants name only the funds that were generated."""
    codes = set(session.scalars(select(Fund.code)))
    for demo_user in demo_users:
        role = Role(demo_user.role)
        scopes = [s for s in demo_user.scope.split() if role is not Role.FUND_MANAGER or s in codes]
        if role is Role.FUND_MANAGER and not scopes:
            continue
        grants = [users.GrantSpec(role, fund_code=s) if role is Role.FUND_MANAGER
                  else users.GrantSpec(role, region_code=s) for s in scopes or [None]]
        users.create_user(session, demo_user.email, demo_user.name or _NAMES[demo_user.role],
                          demo_user.password, grants)


def _tier(first: Quarter, last: Quarter | None, **weights: int) -> TierData:
    return TierData(first, last, {k: Decimal(v) for k, v in weights.items()})


def rules(variant: int, start: Quarter, src: str, dst: str) -> list[RuleData]:
    """One of four mixes of stepped tiers, caps, baselines and dual counting."""
    def t(first, last=None, **w):
        return _tier(first, last, **{src if k == "s" else dst: v for k, v in w.items()})

    later, latest = start + 12, start + 24
    stepped = [t(start, later - 1, s=50, d=50), t(later, latest - 1, s=40, d=60),
               t(latest, s=30, d=70)]
    agreement_cap = [CapData(src, Decimal("30000000.00"), CapScope.AGREEMENT)]
    if variant == 0:
        return [
            RuleData("TAX_LOCAL", SPLIT, stepped, caps=agreement_cap, as_percent=True),
            RuleData("OUTPUT_VALUE", SPLIT, [t(start, s=4, d=6)],
                     baseline=Decimal("20000000.00"), baseline_owner=dst),
            RuleData("REVENUE", DUAL, [t(start, s=1, d=1)]),
            RuleData("ENERGY", SPLIT, [t(start, s=1, d=0)],
                     caps=[CapData(src, Decimal("2000.00"), CapScope.YEAR)]),
            RuleData("LAND", SPLIT, [t(start, s=3, d=7)])]
    if variant == 1:
        return [
            RuleData("TAX_LOCAL", SPLIT, [t(start, s=50, d=50)], as_percent=True,
                     caps=[CapData(src, Decimal("5000000.00"), CapScope.YEAR)]),
            RuleData("OUTPUT_VALUE", DUAL, [t(start, s=1, d=1)]),
            RuleData("REVENUE", DUAL, [t(start, s=1, d=1)]),
            RuleData("ENERGY", SPLIT, [t(start, s=0, d=1)]),
            RuleData("LAND", SPLIT, [t(start, s=1, d=1)])]
    if variant == 2:
        return [
            RuleData("TAX_LOCAL", SPLIT, [t(start, later - 1, s=60, d=40), t(later, s=50, d=50)],
                     as_percent=True),
            RuleData("OUTPUT_VALUE", SPLIT, [t(start, start + 19, s=5, d=5),
                                             t(start + 20, s=3, d=7)]),
            RuleData("REVENUE", SPLIT, [t(start, s=4, d=6)], baseline=Decimal("30000000.00"),
                     baseline_owner=dst),
            RuleData("ENERGY", SPLIT, [t(start, s=1, d=1)])]
    return [
        RuleData("TAX_LOCAL", SPLIT, [t(start, s=40, d=60)], as_percent=True,
                 baseline=Decimal("500000.00"), baseline_owner=dst,
                 caps=[CapData(src, Decimal("20000000.00"), CapScope.AGREEMENT)]),
        RuleData("OUTPUT_VALUE", DUAL, [t(start, s=1, d=1)]),
        RuleData("REVENUE", SPLIT, [t(start, later - 1, s=3, d=7), t(later, s=2, d=8)]),
        RuleData("ENERGY", SPLIT, [t(start, s=1, d=0)],
                 caps=[CapData(src, Decimal("1500.00"), CapScope.YEAR)]),
        RuleData("LAND", SPLIT, [t(start, d=1)])]


def create_agreements(session: Session, rng: random.Random, pairs, plans, first: Quarter,
                      size, names, tick, *, prefix: str = "CYZY"
                      ) -> list[tuple[Agreement, str, str, Quarter]]:
    """One signed agreement per pair (coded ``<prefix>-<year>-NN``), covering that pair's
    projects."""
    made = []
    by_pair: dict[int, list[str]] = {}
    for plan in plans:
        by_pair.setdefault(plan.pair, []).append(plan.code)
    for p, (src, dst) in enumerate(pairs):
        offset = 0 if p < size.closed_agreements else rng.choice((0, 0, 0, 2, 4, 8))
        start = first + min(offset, size.quarters // 3)
        signed = (start - 1).last_day
        agreement = agreements.create_agreement(session, SYSTEM, agreements.AgreementData(
            code=f"{prefix}-{signed.year}-{p + 1:02d}",
            title=f"{short(names[src][0])}—{short(names[dst][0])}产业转移指标分享协议",
            basis_document=f"{short(names[dst][0])}财预〔{signed.year}〕{rng.randrange(10, 90)}号",
            signed_on=signed, parties=[agreements.PartyData(dst, PartyRole.DESTINATION),
                                       agreements.PartyData(src, PartyRole.SOURCE)]))
        codes = by_pair.get(p, [])
        agreements.set_covered_projects(session, SYSTEM, agreement.id, codes)
        for rule in rules(p % 4, start, src, dst):
            agreements.set_rule(session, SYSTEM, agreement.id, rule)
        if p % 4 in (0, 3):
            for code, amount in zip(codes[:2], ("50000000.00", "8000000.00"), strict=False):
                agreements.set_cap_override(session, SYSTEM, agreement.id, code, "TAX_LOCAL",
                                            src, Decimal(amount))
        agreements.activate(session, SYSTEM, agreement.id, agreement.version)
        made.append((agreement, src, dst, start))
        tick(1)
    return made


def close_quarters(session: Session, made, demo_users, size, tick) -> None:
    """Close the first quarters of the first agreements through the real sign-off."""
    bureaus = {u.scope: u.email for u in demo_users if u.role == "FINANCE_BUREAU"}
    for agreement, src, dst, start in made[: size.closed_agreements]:
        quarters = quarters_between(start, start + size.closed_quarters - 1)
        if src not in bureaus or dst not in bureaus:
            tick(len(quarters))
            continue
        destination, source = _actor(session, bureaus[dst]), _actor(session, bureaus[src])
        for quarter in quarters:
            workflow.submit(session, destination, agreement.id, quarter)
            fingerprint = workflow.statement_for(session, destination, agreement.id,
                                                 quarter)[0].fingerprint
            workflow.confirm(session, destination, agreement.id, quarter, dst, fingerprint)
            workflow.confirm(session, source, agreement.id, quarter, src, fingerprint)
            tick(1)


def _actor(session: Session, email: str):
    user_id = session.scalar(select(User.id).where(User.email == email))
    return actor_for(users.get_user(session, user_id))
