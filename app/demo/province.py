"""Province-scale demo (quality.md "Scale"): ~50 funds, ~2,000 projects, ~40 agreements and ten
years of quarterly observations, deterministic from a seed. Registers, agreements and sign-offs
go through the services; ledgers, valuations and observations are bulk rows (demo_province_rows)."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.funds import DEMO_USERS, FUNDS, SAMPLE_REGIONS, DemoUser, load_sample_catalogue
from app.demo.province_agreements import close_quarters, create_agreements, create_users
from app.demo.province_names import (
    INDUSTRIES,
    PAIRS,
    TWO_HIGH,
    fund_specs,
    lps,
    project_name,
    short,
    uscc,
)
from app.demo.province_names import enterprise as enterprise_name
from app.demo.province_names import park as park_name
from app.demo.province_rows import (
    THROUGH,
    WAN,
    BulkRows,
    Holding,
    Plant,
    ledger,
    movements,
    observations,
)
from app.domain.codes import (
    CooperationMode,
    FundStatus,
    Instrument,
    Intensity,
    InvestorType,
    ProjectStatus,
)
from app.domain.quarter import Quarter, quarters_between
from app.domain.regions import is_within
from app.models import Agreement, InvestmentTransaction, Movement, Observation, Region, Valuation
from app.services.access.scopes import SYSTEM
from app.services.funds import investments, projects
from app.services.funds import register as funds
from app.services.notifications import inbox
from app.services.reference import lookups as reference

LAST = Quarter.containing(THROUGH)


@dataclass(frozen=True)
class Size:
    """How much to generate; ``quarters`` of observations end with 2026Q3."""

    funds: int = 50
    projects: int = 2000
    agreements: int = 40
    quarters: int = 39
    closed_agreements: int = 2
    closed_quarters: int = 3


PROVINCE = Size()
"""The province tier of quality.md: 2017Q1–2026Q3, ~390,000 observations."""

_BUREAU = "demo-bureau-2026"
PROVINCE_USERS = DEMO_USERS + tuple(
    DemoUser(f"bureau.{name}@demo.example", _BUREAU, "FINANCE_BUREAU", code) for name, code in (
        ("ganzhou", "360700"), ("hefei", "340100"), ("hengyang", "430400"),
        ("chengdu", "510100"), ("liuzhou", "450200")))
"""The small demo's sign-ins plus the bureaus of a few destination prefectures."""

_STATUSES = (ProjectStatus.OPERATING, ProjectStatus.IMPLEMENTATION, ProjectStatus.PIPELINE,
             ProjectStatus.EXITED, ProjectStatus.CANCELLED)
_MODES = tuple(CooperationMode)
_TURNOVER = {Intensity.LABOUR: (5, 40), Intensity.TECHNOLOGY: (20, 300),
             Intensity.CAPITAL: (30, 400), Intensity.PRODUCER_SERVICE: (3, 30)}  # 千万元


@dataclass(frozen=True)
class Plan:
    """A generated project and what it will report; ``id`` once registered."""

    code: str
    pair: int
    source: str
    destination: str
    status: ProjectStatus
    start: Quarter | None
    exit: Quarter | None
    invest_on: dt.date | None
    planned: int  # fen
    land: int  # hundredths of 亩
    energy: float
    id: int = 0


def steps(size: Size) -> int:
    """How many progress steps :func:`load_province` reports for ``size``."""
    return (size.funds + 3 * size.projects + size.agreements
            + size.closed_agreements * size.closed_quarters)


def load_province(session: Session, *, seed: int = 2026, size: Size = PROVINCE,
                  progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Create the province demo in the session's transaction; return the bulk row counts."""
    tick = progress or (lambda _n: None)
    rng = random.Random(seed)
    reference.load_builtin_reference(session)
    reference.import_regions(session, SAMPLE_REGIONS.read_text(encoding="utf-8").splitlines())
    names = {r.code: (r.name, r.name_en or r.code)
             for r in session.scalars(select(Region).order_by(Region.code))}
    pairs = PAIRS[: size.agreements]
    fund_rows, counts = _funds(session, rng, seed, size, names, tick)
    plans = _projects(session, rng, size, pairs, names, tick)
    counts.update(_investments(session, rng, seed, fund_rows, plans, tick))
    create_users(session, PROVINCE_USERS)
    agreements = create_agreements(session, rng, pairs, plans, LAST - (size.quarters - 1),
                                   size, names, tick)
    counts["observations"] = _observations(session, rng, seed, size, plans, tick)
    close_quarters(session, agreements, PROVINCE_USERS, size, tick)
    load_sample_catalogue(session)  # as at the nation tier: every project screened against it
    inbox.settle_history(session)  # the closings are history: read, never e-mailed
    return counts


def _funds(session: Session, rng: random.Random, seed: int, size: Size, names, tick):
    fixed = [(code, name, sponsor, manager) for code, name, sponsor, manager, *_ in FUNDS]
    created = []
    bulk = BulkRows(session, Movement, seed)
    for spec in fund_specs(rng, size.funds, names, fixed):
        start = dt.date(spec.vintage, rng.randrange(1, 12), 1)
        fund = funds.create_fund(session, SYSTEM, funds.FundData(
            code=spec.code, name=spec.name, sponsor_region=spec.sponsor, manager=spec.manager,
            fund_class=spec.fund_class, vintage=spec.vintage, target_size=spec.size,
            term_start_on=start, term_end_on=dt.date(spec.vintage + 10, start.month, 1),
            status=FundStatus.INVESTING if spec.vintage >= 2020 else FundStatus.HARVESTING))
        for investor, kind, amount in lps(rng, names[spec.sponsor][0], spec.size):
            funds.add_commitment(session, SYSTEM, fund.id, funds.CommitmentData(
                investor, InvestorType(kind), start, amount))
        for row in movements(rng, fund.id, spec.code, spec.vintage, int(spec.size) * 100):
            bulk.add(row)
        created.append((fund, spec))
        tick(1)
    bulk.flush()
    return created, {"movements": bulk.rows}


def _projects(session: Session, rng: random.Random, size: Size, pairs, names, tick
              ) -> list[Plan]:
    within = {code: [c for c in names if c != code and is_within(c, code)]
              for pair in pairs for code in pair}
    plans = []
    for n in range(size.projects):
        p = n % len(pairs)
        source, destination = pairs[p]
        division, intensity, products, word, energy = rng.choice(INDUSTRIES)
        low, high = _TURNOVER[intensity]
        plan = replace(_plan(rng, f"P{p + 1:02d}{n // len(pairs) + 1:03d}", p,
                             rng.choice([source] * 3 + within[source]),
                             rng.choice([destination] * 2 + within[destination])),
                       energy=energy, planned=rng.randrange(low, high) * 10 * WAN * 100)
        two_high = division in TWO_HIGH and rng.random() < 0.3
        mode = rng.choice(_MODES)
        created = projects.create_project(session, SYSTEM, projects.ProjectData(
            code=plan.code, name=project_name(rng, products, intensity),
            enterprise=enterprise_name(rng, names[source][0], word), industry=division,
            intensity=intensity, source_region=plan.source, destination_region=plan.destination,
            cooperation_mode=mode, status=plan.status, uscc=uscc(rng, plan.destination),
            park=park_name(rng, names[source][0], names[destination][0],
                           mode is CooperationMode.JOINT_PARK),
            planned_investment=Decimal(plan.planned) / 100,
            planned_jobs=rng.randrange(50, 3000), land_area=Decimal(plan.land) / 100,
            production_start_on=plan.start.first_day + dt.timedelta(days=rng.randrange(60))
            if plan.start else None,
            is_two_high=two_high,
            capacity_replacement_ref=f"{short(names[destination][0])}工信产能置换"
                                     f"〔{rng.randrange(2016, 2025)}〕{rng.randrange(1, 60)}号"
            if two_high else ""))
        plans.append(replace(plan, id=created.id))
        tick(1)
    return plans


def _plan(rng: random.Random, code: str, pair: int, source: str, destination: str) -> Plan:
    status = rng.choices(_STATUSES, weights=(55, 18, 10, 12, 5))[0]
    start = exit_ = invest_on = None
    if status in (ProjectStatus.OPERATING, ProjectStatus.EXITED):
        start = Quarter.from_index(rng.randrange(Quarter(2016, 1).index, Quarter(2024, 3).index))
        invest_on = start.first_day - dt.timedelta(days=rng.randrange(90, 300))
        if status is ProjectStatus.EXITED:
            start = min(start, Quarter(2020, 4))
            invest_on = min(invest_on, start.first_day)
            exit_ = min(start + rng.randrange(12, 24), LAST - 1)
    elif status is ProjectStatus.IMPLEMENTATION:
        start = Quarter.from_index(rng.randrange(Quarter(2026, 4).index, Quarter(2028, 1).index))
        invest_on = dt.date(2024, 1, 10) + dt.timedelta(days=rng.randrange(880))
    elif status is ProjectStatus.PIPELINE:
        start = Quarter.from_index(rng.randrange(Quarter(2027, 3).index, Quarter(2029, 1).index))
        invest_on = dt.date(2026, 1, 10) + dt.timedelta(days=rng.randrange(200))
    land = rng.randrange(3_000, 60_000) if status is not ProjectStatus.CANCELLED else 0
    return Plan(code, pair, source, destination, status, start, exit_, invest_on, 0, land, 0.0)


def _investments(session: Session, rng: random.Random, seed: int, fund_rows, plans, tick):
    holdings: dict[int, list] = {fund.id: [] for fund, _ in fund_rows}
    for n, plan in enumerate(plans):
        if plan.invest_on is None or rng.random() > 0.85:
            continue
        home = [f for f, _ in fund_rows if is_within(plan.destination, f.sponsor_region.code)]
        away = [f for f, _ in fund_rows if is_within(plan.source, f.sponsor_region.code)]
        first = rng.choice(home or away or [fund_rows[n % len(fund_rows)][0]])
        kind = rng.choices(("EQUITY", "LOAN", "GRANT"), weights=(60, 28, 12))[0]
        holdings[first.id].append((plan, kind))
        second = [f for f in away if f.id != first.id]
        if second and rng.random() < 0.25:
            holdings[rng.choice(second).id].append((plan, rng.choice(("LOAN", "GRANT"))))
    transactions = BulkRows(session, InvestmentTransaction, seed)
    marks = BulkRows(session, Valuation, seed)
    for fund, spec in fund_rows:
        mine = holdings[fund.id]
        weights = [plan.planned * rng.uniform(0.05, 0.2) for plan, _ in mine]
        deploy = int(spec.size) * 100 * rng.uniform(0.85, 1.1)
        counter = itertools.count(1)
        tick(len(mine))
        for (plan, kind), weight in zip(mine, weights, strict=True):
            amount = max(WAN, round(deploy * weight / sum(weights) / WAN) * WAN)
            investment = investments.open_investment(session, SYSTEM, fund.id, plan.code,
                                                     Instrument(kind))
            start = min(max(plan.invest_on, fund.term_start_on + dt.timedelta(days=30)),
                        THROUGH - dt.timedelta(days=30))
            holding = Holding(investment.id, fund.id, kind,
                              amount // 5 // WAN * WAN or WAN if kind == "GRANT" else amount,
                              start, plan.status.value,
                              plan.exit.last_day - dt.timedelta(days=15) if plan.exit else None)
            rows, values = ledger(rng, holding,
                                  lambda c=counter, f=fund.code: f"{f}-T{next(c):05d}")
            for row in rows:
                transactions.add(row)
            for row in values:
                marks.add(row)
    tick(len(plans) - sum(len(mine) for mine in holdings.values()))
    transactions.flush()
    marks.flush()
    return {"investment_transactions": transactions.rows, "valuations": marks.rows}


def _observations(session: Session, rng: random.Random, seed: int, size: Size, plans, tick
                  ) -> int:
    quarters = quarters_between(LAST - (size.quarters - 1), LAST)
    bulk = BulkRows(session, Observation, seed)
    for plan in plans:
        output = plan.planned * rng.randrange(60, 180) // 400  # a quarter at maturity, fen
        plant = Plant(plan.id, plan.start, plan.exit, plan.land, output, plan.energy,
                      rng.uniform(-0.02, 0.08))
        for row in observations(rng, plant, quarters):
            bulk.add(row)
        tick(1)
    bulk.flush()
    return bulk.rows


def is_loaded(session: Session) -> bool:
    """Whether this database holds the province demo (its agreements are coded CYZY-…)."""
    return session.scalar(select(Agreement.id).where(Agreement.code.like("CYZY-%")).limit(1)) \
        is not None
