"""The sharing part of the demo: agreements exercising stepped tiers, an agreement-long cap with
a per-project override, a baseline, a yearly fill-first cap and dual counting, with quarters
closed by both bureaus, an open quarter and one correction of a closed quarter."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.codes import CapScope, PartyRole, SharingMode
from app.domain.quarter import Quarter, quarters_between
from app.models import User
from app.services.access.scopes import SYSTEM, actor_for
from app.services.access.users import get_user
from app.services.sharing import agreements, lock_exceptions, observations, workflow
from app.services.sharing.deadlines import cycle_settings, local_today, window_of

HEYUAN, SHENZHEN, HEFEI, SHANGHAI = "441600", "440300", "340100", "310000"
Q = Quarter.parse


def _tiers(*spans):
    return [agreements.TierData(Q(first), Q(last) if last else None,
                                {code: Decimal(w) for code, w in weights.items()})
            for first, last, weights in spans]


def load_sharing_demo(session: Session, rng: random.Random, last_closed: Quarter,
                      open_quarter: Quarter) -> None:
    """Create the demo agreements, enter observations, close quarters up to ``last_closed``."""
    shenzhen_heyuan = agreements.create_agreement(session, SYSTEM, agreements.AgreementData(
        code="SZHY-2024-01", title="深圳—河源产业共建指标分享协议",
        basis_document="深府办函〔2023〕88号", signed_on=Q("2023Q4").last_day,
        parties=[agreements.PartyData(HEYUAN, PartyRole.DESTINATION),
                 agreements.PartyData(SHENZHEN, PartyRole.SOURCE)]))
    codes = ["HY-001", "HY-002", "HY-003", "HY-004", "HY-005", "HY-006"]
    agreements.set_covered_projects(session, SYSTEM, shenzhen_heyuan.id, codes)
    rules = [
        agreements.RuleData("TAX_LOCAL", SharingMode.SPLIT, as_percent=True, tiers=_tiers(
            ("2024Q1", "2025Q4", {SHENZHEN: "60", HEYUAN: "40"}),
            ("2026Q1", "2028Q4", {SHENZHEN: "50", HEYUAN: "50"})),
            caps=[agreements.CapData(SHENZHEN, Decimal("9075000.00"), CapScope.AGREEMENT)]),
        agreements.RuleData("OUTPUT_VALUE", SharingMode.SPLIT, tiers=_tiers(
            ("2024Q1", None, {SHENZHEN: "40", HEYUAN: "60"})),
            baseline=Decimal("12500000.00"), baseline_owner=HEYUAN),
        agreements.RuleData("ENERGY", SharingMode.SPLIT, tiers=_tiers(
            ("2024Q1", None, {SHENZHEN: "1", HEYUAN: "0"})),
            caps=[agreements.CapData(SHENZHEN, Decimal("8000.00"), CapScope.YEAR)]),
        agreements.RuleData("REVENUE", SharingMode.DUAL_COUNT, tiers=_tiers(
            ("2024Q1", None, {SHENZHEN: "1", HEYUAN: "1"}))),
    ]
    for rule in rules:
        agreements.set_rule(session, SYSTEM, shenzhen_heyuan.id, rule)
    agreements.set_cap_override(session, SYSTEM, shenzhen_heyuan.id, "HY-003", "TAX_LOCAL",
                                SHENZHEN, Decimal("3500000.00"))
    agreements.activate(session, SYSTEM, shenzhen_heyuan.id, shenzhen_heyuan.version,
                        on=shenzhen_heyuan.signed_on)

    hefei = agreements.create_agreement(session, SYSTEM, agreements.AgreementData(
        code="HSH-2025-01", title="沪合产业链协作税收分享协议", basis_document="合政秘〔2024〕45号",
        signed_on=Q("2024Q4").last_day,
        parties=[agreements.PartyData(HEFEI, PartyRole.DESTINATION),
                 agreements.PartyData(SHANGHAI, PartyRole.SOURCE)]))
    agreements.set_covered_projects(session, SYSTEM, hefei.id, ["HF-001", "HF-003"])
    agreements.set_rule(session, SYSTEM, hefei.id, agreements.RuleData(
        "TAX_LOCAL", SharingMode.SPLIT, tiers=_tiers(("2025Q1", "2029Q4",
                                                      {HEFEI: "1", SHANGHAI: "1"}))))
    agreements.activate(session, SYSTEM, hefei.id, hefei.version, on=hefei.signed_on)

    draft = agreements.create_agreement(session, SYSTEM, agreements.AgreementData(
        code="SZHY-2027-DRAFT", title="深河共建园区土地指标分享协议（草案）",
        parties=[agreements.PartyData(HEYUAN, PartyRole.DESTINATION),
                 agreements.PartyData(SHENZHEN, PartyRole.SOURCE)]))
    agreements.set_covered_projects(session, SYSTEM, draft.id, ["HY-001", "HY-003"])
    agreements.set_rule(session, SYSTEM, draft.id, agreements.RuleData(
        "LAND", SharingMode.SPLIT, tiers=_tiers(("2027Q1", None, {SHENZHEN: "3", HEYUAN: "7"}))))

    for quarter in quarters_between(Q("2024Q1"), open_quarter):
        values = {}
        for n, code in enumerate(codes):
            scale = Decimal(1 + n % 3)
            values[code, "TAX_LOCAL"] = _amount(rng, 300_000 * scale, 900_000 * scale)
            values[code, "OUTPUT_VALUE"] = _amount(rng, 8_000_000 * scale, 30_000_000 * scale)
            values[code, "REVENUE"] = _amount(rng, 9_000_000 * scale, 32_000_000 * scale)
            values[code, "ENERGY"] = _amount(rng, 1_200, 3_500)
        if quarter == Q("2025Q2"):
            values["HY-005", "TAX_LOCAL"] = Decimal("-125000.00")  # a refund (退库)
        if quarter == open_quarter:
            del values["HY-006", "OUTPUT_VALUE"]  # not reported yet: shown as missing
        _enter(session, quarter, values)
        if quarter >= Q("2025Q1"):
            _enter(session, quarter, {(c, "TAX_LOCAL"): _amount(rng, 200_000, 600_000)
                                      for c in ("HF-001", "HF-003")})

    heyuan = _actor(session, "bureau.heyuan@demo.example")
    shenzhen = _actor(session, "bureau.shenzhen@demo.example")
    settings = cycle_settings(session)
    for quarter in quarters_between(Q("2024Q1"), last_closed):
        # Submitted three days before the on-time date, but 2025Q2 two days after it.
        timely = window_of(settings, shenzhen_heyuan, quarter).timely
        day = timely + dt.timedelta(days=2 if quarter == Q("2025Q2") else -3)
        workflow.submit(session, heyuan, shenzhen_heyuan.id, quarter,
                        at=dt.datetime.combine(day, dt.time(2, 30), dt.UTC))
        fingerprint = workflow.statement_for(session, heyuan, shenzhen_heyuan.id,
                                             quarter)[0].fingerprint
        workflow.confirm(session, heyuan, shenzhen_heyuan.id, quarter, HEYUAN, fingerprint)
        workflow.confirm(session, shenzhen, shenzhen_heyuan.id, quarter, SHENZHEN, fingerprint)
    observations.enter_observations(session, heyuan, Q("2026Q1"), [observations.ObservationEntry(
        "HY-002", "TAX_LOCAL", Decimal("612345.67"),
        "税务部门更正申报：补缴2026年一季度税款")])
    _lock_exception(session, shenzhen_heyuan, open_quarter)


def _lock_exception(session: Session, agreement, quarter: Quarter) -> None:
    """The open quarter is overdue and past its lock day: an administrator reopened it for
    Heyuan two days after the lock, until the end of the year (or four weeks from the day the
    demo is loaded, if that is later), so the demo's bureau can still enter and submit it."""
    lock = window_of(cycle_settings(session), agreement, quarter).lock
    granted = dt.datetime.combine(lock + dt.timedelta(days=2), dt.time(1, 0), dt.UTC)
    until = max(dt.date(quarter.year, 12, 31), local_today(session) + dt.timedelta(days=28))
    lock_exceptions.grant(session, _actor(session, "admin@demo.example"), agreement.id, quarter,
                          until, "河源市税务局更正申报，三季度数据延迟报送", region_code=HEYUAN,
                          at=granted)


def _amount(rng: random.Random, low, high) -> Decimal:
    return Decimal(rng.randrange(int(low) * 100, int(high) * 100)) / 100


def _enter(session: Session, quarter: Quarter, values: dict) -> None:
    observations.enter_observations(session, SYSTEM, quarter, [
        observations.ObservationEntry(code, indicator, value)
        for (code, indicator), value in values.items()])


def _actor(session: Session, email: str):
    user_id = session.scalar(select(User.id).where(User.email == email))
    return actor_for(get_user(session, user_id))
