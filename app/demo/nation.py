"""Nation-scale demo (quality.md "Scale", planning tier): ~1,600 guidance funds, 30,000 projects,
600 agreements and ~6,000,000 observations, deterministic from a seed. PostgreSQL only.

What goes through the services: the small demo first (its parks with members, settlement run
and notice, sample catalogue, closed quarters and their notifications), the 1,600 funds, the
bureau users, the 600 agreements (rules, coverage, activation), the closed quarters of the
first agreements with their settlement runs, a few attachments and issued reports. Everything
bulk is streamed with ``COPY`` (:mod:`app.demo.copy_rows`), one ``IMPORT`` audit entry per chunk:
commitments, fund movements, projects and their screening results against the current
catalogue, investments, ledger rows, valuations, observations and the history of "entry opens"
notifications. Only the first quarters of a few agreements are closed (through the real
sign-off); the rest of the history stays open, as in the province demo (docs/decisions.md)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.copy_rows import CHUNK, CopyRows, indexes_built_after
from app.demo.funds import DEMO_USERS, DemoUser, load_demo
from app.demo.nation_names import nation_fund_specs, nation_pairs
from app.demo.province import PROVINCE_USERS, Plan, Size, _plan
from app.demo.province_agreements import close_quarters, create_agreements
from app.demo.province_names import INDUSTRIES, TWO_HIGH, lps, project_name, short, uscc
from app.demo.province_names import enterprise as enterprise_name
from app.demo.province_names import park as park_name
from app.demo.province_rows import (
    THROUGH,
    WAN,
    Holding,
    Plant,
    ledger,
    movements,
    observations,
    stamp,
)
from app.domain.codes import CooperationMode, FundStatus, Intensity, ProjectStatus, Role
from app.domain.quarter import Quarter, quarters_between
from app.domain.regions import is_within
from app.models import (
    Agreement,
    Commitment,
    Fund,
    Investment,
    InvestmentTransaction,
    Movement,
    Notification,
    Observation,
    Project,
    Region,
    ScreeningResult,
    User,
    Valuation,
)
from app.services.access import users as access_users
from app.services.access.scopes import SYSTEM, actor_for
from app.services.documents import attachments
from app.services.documents.subjects import Target
from app.services.funds import register as funds
from app.services.notifications import inbox
from app.services.notifications import recipients as who
from app.services.notifications.events import quarter_link
from app.services.reporting import issuing
from app.services.screening.results import screener
from app.services.settlement import runs
from app.services.sharing import deadlines

LAST = Quarter.containing(THROUGH)
PREFIX = "GJZY"
"""Code prefix of the nation demo's agreements (the province demo's are CYZY)."""


NATION = Size(funds=1600, projects=30_000, agreements=600, quarters=39, closed_agreements=6,
              closed_quarters=4)
"""The nation tier of quality.md: 2017Q1–2026Q3 × 5 indicators × 30,000 projects = 5,850,000
observations; the first six agreements have 2017 closed and settled."""

_BUREAU = "demo-bureau-2026"
_STATUSES = (ProjectStatus.OPERATING, ProjectStatus.IMPLEMENTATION, ProjectStatus.PIPELINE,
             ProjectStatus.EXITED, ProjectStatus.CANCELLED)
_MODES = tuple(CooperationMode)
_TURNOVER = {Intensity.LABOUR: (5, 40), Intensity.TECHNOLOGY: (20, 300),
             Intensity.CAPITAL: (30, 400), Intensity.PRODUCER_SERVICE: (3, 30)}  # 千万元
_PROJECT_COLUMNS = (
    "code", "name", "enterprise", "uscc", "industry_code", "intensity", "source_region_id",
    "destination_region_id", "cooperation_mode", "park", "status", "planned_investment",
    "planned_jobs", "land_area", "production_start_on", "is_two_high",
    "capacity_replacement_ref", "created_at", "version")
_LEDGER_COLUMNS = ("investment_id", "fund_id", "reference", "type", "occurred_on", "amount",
                   "created_at")
_NOTIFICATION_COLUMNS = ("user_id", "kind", "event_key", "params", "link", "object_kind",
                         "object_id", "created_at", "read_at", "email_state", "attempts")


@dataclass(frozen=True)
class Context:
    """What every step reads: the session, the generator, the seed, the size, the regions."""

    session: Session
    rng: random.Random
    seed: int
    size: Size
    names: dict[str, tuple[str, str]]
    region_ids: dict[str, int]
    tick: Callable[[int], None]
    chunk: int = CHUNK


def steps(size: Size) -> int:
    """How many progress steps :func:`load_nation` reports for ``size``."""
    return (1 + size.funds + 3 * size.projects + 2 * size.agreements
            + size.closed_agreements * (size.closed_quarters + 1))


def nation_users(pairs, closed: int) -> tuple[DemoUser, ...]:
    """The province demo's sign-ins plus a bureau for every destination of the pairs and for
    both parties of the first ``closed`` pairs (``bureau.<code>@nation.example``)."""
    known = {u.scope for u in PROVINCE_USERS if u.role == "FINANCE_BUREAU"}
    codes = {d for _, d in pairs} | {c for pair in pairs[:closed] for c in pair}
    return PROVINCE_USERS + tuple(
        DemoUser(f"bureau.{code}@nation.example", _BUREAU, "FINANCE_BUREAU", code)
        for code in sorted(codes - known))


def load_nation(session: Session, *, seed: int = 2026, size: Size = NATION,
                progress: Callable[[int], None] | None = None, chunk: int = CHUNK
                ) -> dict[str, int]:
    """Create the nation demo in the session's transaction (PostgreSQL); return the row counts
    of every bulk table (``chunk`` rows per COPY and audit entry)."""
    if session.get_bind().dialect.name != "postgresql":
        raise RuntimeError("the nation-scale demo needs PostgreSQL")
    tick = progress or (lambda _n: None)
    load_demo(session, seed=seed)  # parks, settlement, catalogue, closed quarters, inbox
    tick(1)
    regions = session.execute(select(Region.code, Region.name, Region.name_en, Region.id)
                              .order_by(Region.code)).all()
    ctx = Context(session, random.Random(seed), seed, size,
                  {r.code: (r.name, r.name_en or r.code) for r in regions},
                  {r.code: r.id for r in regions}, tick, chunk)
    pairs = nation_pairs(ctx.rng, size.agreements, sorted(ctx.names))
    fund_rows, counts = _funds(ctx)
    plans, project_counts = _projects(ctx, pairs)
    counts.update(project_counts)
    counts.update(_investments(ctx, fund_rows, plans))
    demo_users = nation_users(pairs, size.closed_agreements)
    _create_bureaus(session, demo_users[len(DEMO_USERS):])
    made = create_agreements(session, ctx.rng, pairs, plans, LAST - (size.quarters - 1), size,
                             ctx.names, tick, prefix=PREFIX)
    counts["observations"] = _observations(ctx, plans)
    close_quarters(session, made, demo_users, size, tick)
    _settle_and_document(ctx, made, demo_users)
    counts["notifications"] = _notifications(ctx, made)
    inbox.settle_history(session)  # the history is read, never e-mailed
    return counts


def is_loaded(session: Session) -> bool:
    """Whether this database holds the nation demo (its agreements are coded GJZY-…)."""
    return session.scalar(select(Agreement.id).where(Agreement.code.like(f"{PREFIX}-%"))
                          .limit(1)) is not None


def _create_bureaus(session: Session, bureaus: tuple[DemoUser, ...]) -> None:
    """The bureau sign-ins through the users service, their one password hashed once."""
    hashed = access_users.hash_password(_BUREAU)
    for user in bureaus:
        access_users.create_user(
            session, user.email, user.name or "财政局经办", user.password,
            [access_users.GrantSpec(Role.FINANCE_BUREAU, region_code=user.scope)],
            hashed=hashed if user.password == _BUREAU else None)


def _funds(ctx: Context):
    session, rng = ctx.session, ctx.rng
    taken = set(session.scalars(select(Fund.code)))
    commitments = CopyRows(session, Commitment, ctx.seed, (
        "fund_id", "investor", "investor_type", "committed_on", "amount", "created_at",
        "version"), chunk=ctx.chunk)
    moves = CopyRows(session, Movement, ctx.seed, (
        "fund_id", "reference", "type", "moved_on", "amount", "created_at"), chunk=ctx.chunk)
    created = []
    for spec in nation_fund_specs(rng, ctx.size.funds, ctx.names, taken):
        start = dt.date(spec.vintage, rng.randrange(1, 12), 1)
        fund = funds.create_fund(session, SYSTEM, funds.FundData(
            code=spec.code, name=spec.name, sponsor_region=spec.sponsor, manager=spec.manager,
            fund_class=spec.fund_class, vintage=spec.vintage, target_size=spec.size,
            term_start_on=start, term_end_on=dt.date(spec.vintage + 10, start.month, 1),
            status=FundStatus.INVESTING if spec.vintage >= 2020 else FundStatus.HARVESTING))
        for investor, kind, amount in lps(rng, ctx.names[spec.sponsor][0], spec.size):
            commitments.add({"fund_id": fund.id, "investor": investor, "investor_type": kind,
                             "committed_on": start, "amount": int(amount * 100),
                             "created_at": stamp(start), "version": 1})
        for row in movements(rng, fund.id, spec.code, spec.vintage, int(spec.size) * 100):
            moves.add(row)
        created.append((fund, spec, start))
        ctx.tick(1)
    commitments.flush()
    moves.flush()
    return created, {"commitments": commitments.rows, "movements": moves.rows}


def _projects(ctx: Context, pairs) -> tuple[list[Plan], dict[str, int]]:
    session, rng, names = ctx.session, ctx.rng, ctx.names
    within = {code: [c for c in names if c != code and is_within(c, code)]
              for code in {c for pair in pairs for c in pair}}
    rows = CopyRows(session, Project, ctx.seed, _PROJECT_COLUMNS, chunk=ctx.chunk)
    plans = []
    for n in range(ctx.size.projects):
        p = n % len(pairs)
        source, destination = pairs[p]
        division, intensity, products, word, energy = rng.choice(INDUSTRIES)
        low, high = _TURNOVER[intensity]
        plan = replace(_plan(rng, f"N{p + 1:03d}{n // len(pairs) + 1:04d}", p,
                             rng.choice([source] * 3 + within[source]),
                             rng.choice([destination] * 2 + within[destination])),
                       energy=energy, planned=rng.randrange(low, high) * 10 * WAN * 100)
        two_high = division in TWO_HIGH and rng.random() < 0.3
        mode = rng.choice(_MODES)
        rows.add({
            "code": plan.code, "name": project_name(rng, products, intensity),
            "enterprise": enterprise_name(rng, names[source][0], word),
            "uscc": uscc(rng, plan.destination), "industry_code": division,
            "intensity": intensity, "source_region_id": ctx.region_ids[plan.source],
            "destination_region_id": ctx.region_ids[plan.destination],
            "cooperation_mode": mode, "status": plan.status,
            "park": park_name(rng, names[source][0], names[destination][0],
                              mode is CooperationMode.JOINT_PARK),
            "planned_investment": plan.planned, "planned_jobs": rng.randrange(50, 3000),
            "land_area": plan.land,
            "production_start_on": plan.start.first_day + dt.timedelta(days=rng.randrange(60))
            if plan.start else None,
            "is_two_high": two_high,
            "capacity_replacement_ref": f"{short(names[destination][0])}工信产能置换"
                                        f"〔{rng.randrange(2016, 2025)}〕{rng.randrange(1, 60)}号"
            if two_high else None,
            "created_at": stamp(plan.invest_on or THROUGH), "version": 1})
        plans.append(plan)
        ctx.tick(1)
    rows.flush()
    ids = dict(session.execute(select(Project.code, Project.id).where(
        Project.id >= rows.ranges[0][0])).all()) if rows.ranges else {}
    plans = [replace(plan, id=ids[plan.code]) for plan in plans]
    return plans, {"projects": rows.rows, "screening_results": _screen(ctx, rows.ranges)}


def _screen(ctx: Context, ranges) -> int:
    """The new projects' results against the current edition, as registering them would
    store them (services/screening/results.py), written in bulk."""
    found = screener(ctx.session)
    if found is None or not ranges:
        return 0
    edition_id, outcome_of = found
    results = CopyRows(ctx.session, ScreeningResult, ctx.seed, (
        "project_id", "edition_id", "screened", "flag", "entry_id", "entry_ids", "screened_at",
        "version"), chunk=ctx.chunk)
    query = (select(Project.id, Project.industry_code, Project.destination_region_id,
                    Project.created_at)
             .where(Project.id.between(ranges[0][0], ranges[-1][1])).order_by(Project.id))
    for project_id, industry, region_id, created_at in ctx.session.execute(query):
        outcome = outcome_of(industry, region_id)
        results.add({"project_id": project_id, "edition_id": edition_id,
                     "screened": outcome.flag, "flag": outcome.flag, "entry_id": outcome.entry,
                     "entry_ids": ",".join(str(i) for i in outcome.entries),
                     "screened_at": created_at, "version": 1})
    results.flush()
    return results.rows


def _investments(ctx: Context, fund_rows, plans) -> dict[str, int]:
    session, rng = ctx.session, ctx.rng
    by_sponsor: dict[str, list] = {}
    for fund, spec, start in fund_rows:
        by_sponsor.setdefault(spec.sponsor, []).append((fund, start))
    covering: dict[str, list] = {}

    def funds_over(code: str) -> list:
        if code not in covering:
            covering[code] = [f for sponsor, group in by_sponsor.items()
                              if is_within(code, sponsor) for f in group]
        return covering[code]

    holdings: dict[int, list] = {fund.id: [] for fund, _, _ in fund_rows}
    for n, plan in enumerate(plans):
        if plan.invest_on is None or rng.random() > 0.85:
            continue
        home, away = funds_over(plan.destination), funds_over(plan.source)
        first = rng.choice(home or away or [fund_rows[n % len(fund_rows)][::2]])
        kind = rng.choices(("EQUITY", "LOAN", "GRANT"), weights=(60, 28, 12))[0]
        holdings[first[0].id].append((plan, kind))
        second = [f for f in away if f[0].id != first[0].id]
        if second and rng.random() < 0.25:
            holdings[rng.choice(second)[0].id].append((plan, rng.choice(("LOAN", "GRANT"))))
    opened = CopyRows(session, Investment, ctx.seed, ("fund_id", "project_id", "instrument",
                                                      "created_at"), chunk=ctx.chunk)
    planned = []
    for fund, spec, start in fund_rows:
        mine = holdings.pop(fund.id)
        weights = [plan.planned * rng.uniform(0.05, 0.2) for plan, _ in mine]
        deploy = int(spec.size) * 100 * rng.uniform(0.85, 1.1)
        for (plan, kind), weight in zip(mine, weights, strict=True):
            amount = max(WAN, round(deploy * weight / sum(weights) / WAN) * WAN)
            begins = min(max(plan.invest_on, start + dt.timedelta(days=30)),
                         THROUGH - dt.timedelta(days=30))
            opened.add({"fund_id": fund.id, "project_id": plan.id, "instrument": kind,
                        "created_at": stamp(begins)})
            planned.append((fund, plan, kind, amount, begins))
        ctx.tick(len(mine))
    ctx.tick(len(plans) - len(planned))
    opened.flush()
    ids = {(f, p, i.value if hasattr(i, "value") else i): n for n, f, p, i in session.execute(
        select(Investment.id, Investment.fund_id, Investment.project_id, Investment.instrument)
        .where(Investment.id >= (opened.ranges[0][0] if opened.ranges else 0)))}
    transactions = CopyRows(session, InvestmentTransaction, ctx.seed, _LEDGER_COLUMNS,
                            chunk=ctx.chunk)
    marks = CopyRows(session, Valuation, ctx.seed, ("investment_id", "as_of_on", "value",
                                                    "created_at", "version"), chunk=ctx.chunk)
    counters: dict[int, itertools.count] = {}
    for fund, plan, kind, amount, begins in planned:
        counter = counters.setdefault(fund.id, itertools.count(1))
        holding = Holding(ids[fund.id, plan.id, kind], fund.id, kind,
                          amount // 5 // WAN * WAN or WAN if kind == "GRANT" else amount,
                          begins, plan.status.value,
                          plan.exit.last_day - dt.timedelta(days=15) if plan.exit else None)
        rows, values = ledger(rng, holding, lambda c=counter, f=fund.code: f"{f}-T{next(c):05d}")
        for row in rows:
            transactions.add(row)
        for row in values:
            marks.add(row)
    transactions.flush()
    marks.flush()
    return {"investments": opened.rows, "investment_transactions": transactions.rows,
            "valuations": marks.rows}


def _observations(ctx: Context, plans) -> int:
    rng = ctx.rng
    quarters = quarters_between(LAST - (ctx.size.quarters - 1), LAST)
    bulk = CopyRows(ctx.session, Observation, ctx.seed, (
        "project_id", "indicator_code", "quarter", "value", "updated_at", "version"),
        chunk=ctx.chunk)
    with indexes_built_after(ctx.session, Observation.__tablename__):
        for plan in plans:
            output = plan.planned * rng.randrange(60, 180) // 400  # a quarter at maturity, fen
            plant = Plant(plan.id, plan.start, plan.exit, plan.land, output, plan.energy,
                          rng.uniform(-0.02, 0.08))
            for row in observations(rng, plant, quarters):
                bulk.add(row)
            ctx.tick(1)
        bulk.flush()
    return bulk.rows


def _actor(session: Session, email: str):
    user_id = session.scalar(select(User.id).where(User.email == email))
    return actor_for(access_users.get_user(session, user_id))


def _settle_and_document(ctx: Context, made, demo_users) -> None:
    """Settle the closed year of the first agreements (the first confirmed by both parties),
    issue the statements of the first agreement's closed quarters and attach a small signed
    scan (a CSV of the agreement's parties, by its destination's bureau) to each closed
    agreement."""
    session, size = ctx.session, ctx.size
    bureaus = {u.scope: u.email for u in demo_users if u.role == "FINANCE_BUREAU"}
    operator = issuing.operator("cli:demo")
    for n, (agreement, src, dst, start) in enumerate(made[: size.closed_agreements]):
        closed = start + size.closed_quarters - 1
        destination = _actor(session, bureaus[dst])
        if start.number == 1 and closed >= Quarter(start.year, 4) and {src, dst} <= set(bureaus):
            run, _made = runs.compute(session, destination, agreement, start.year)
            if n == 0:
                runs.confirm(session, destination, run.id, dst, run.fingerprint)
                runs.confirm(session, _actor(session, bureaus[src]), run.id, src,
                             run.fingerprint)
        if n == 0:
            for quarter in quarters_between(start, min(closed, start + 1)):
                issuing.issue(session, operator, "statement", agreement.code, quarter)
        scan = (f"agreement,source,destination,signed_on\n{agreement.code},{src},{dst},"
                f"{agreement.signed_on}\n").encode()
        attachments.attach(session, destination, Target("agreement", agreement.id),
                           attachments.UploadedFile(f"{agreement.code}.csv", scan, "text/csv",
                                                    "签署文本（演示）"), max_bytes=1 << 20)
        ctx.tick(1)


def _notifications(ctx: Context, made) -> int:
    """The history of "entry opens" reminders to each agreement's destination bureaus, one per
    quarter since its first, keyed as ``notify send`` keys them (read, never e-mailed)."""
    session = ctx.session
    settings = deadlines.cycle_settings(session)
    rows = CopyRows(session, Notification, ctx.seed, _NOTIFICATION_COLUMNS, chunk=ctx.chunk)
    readers: dict[str, list[int]] = {}
    for agreement, _src, dst, start in made:
        if dst not in readers:
            readers[dst] = sorted(who.bureaus_of(session, [dst]))
        for quarter in quarters_between(start, LAST):
            window = deadlines.window_of(settings, agreement, quarter)
            params = json.dumps({"agreement": agreement.code, "title": agreement.title,
                                 "quarter": str(quarter), "opens": window.opens.isoformat(),
                                 "timely": window.timely.isoformat(),
                                 "lock": window.lock.isoformat()},
                                ensure_ascii=False, sort_keys=True)
            at = stamp(window.opens)
            for user_id in readers[dst]:
                rows.add({"user_id": user_id, "kind": "entry_opens",
                          "event_key": f"entry_opens:{agreement.id}:{quarter}",
                          "params": params,
                          "link": quarter_link(agreement.id, quarter) + "observations",
                          "object_kind": "agreement", "object_id": agreement.id,
                          "created_at": at, "read_at": at, "email_state": "SKIPPED",
                          "attempts": 0})
        ctx.tick(1)
    rows.flush()
    return rows.rows
