"""Statement of one agreement at province scale (quality.md): 500 covered projects × 5 indicators
× 40 quarters = 100,000 observations under stepped, capped rules; quarters before the last closed,
so the statement also computes prior-period adjustments. Bar: under 1 s for (a)
``compute_statement`` of the last quarter and (b) the whole statement page (a GET through the
Flask test client, signed in as an administrator), on SQLite and on PostgreSQL.

Run from the repository root: ``python benchmarks/bench_statement.py [--database-url URL]
[--projects N] [--no-write]``. Without a URL a temporary SQLite file is used; with a PostgreSQL URL
a fresh database ``bench_statement_<pid>`` is created on that server and dropped afterwards.
Prints a markdown table and appends it, dated, to ``benchmarks/RESULTS.md``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app import create_app, models  # noqa: E402
from app.domain import codes  # noqa: E402
from app.domain.quarter import Quarter, quarters_between  # noqa: E402
from app.models.database import make_engine  # noqa: E402
from app.services.access import users  # noqa: E402
from app.services.access.scopes import SYSTEM  # noqa: E402
from app.services.funds import projects  # noqa: E402
from app.services.operations import schema  # noqa: E402
from app.services.reference import lookups as reference  # noqa: E402
from app.services.sharing import agreements  # noqa: E402
from app.services.sharing.statements import compute_statement  # noqa: E402

SEED = 20260101
FIRST = Quarter(2017, 1)
QUARTERS = 40
D, S = "441600", "440300"  # Heyuan receives, Shenzhen's districts send
SOURCES = ("440303", "440304", "440305", "440306", "440307", "440309", "440310")
DESTINATIONS = ("441602", "441621", "441622", "441623", "441624", "441625")
INDICATORS = ("OUTPUT_VALUE", "REVENUE", "TAX_LOCAL", "LAND", "ENERGY")
BAR_SECONDS = 1.0
ADMIN, PASSWORD = "bench.admin@example.cn", "bench-admin-password-2026"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"


def tiers(*spans):
    """Tier data from ``(first, last or None, {party: weight})`` spans."""
    return [agreements.TierData(first, last, {k: Decimal(v) for k, v in weights.items()})
            for first, last, weights in spans]


def rules() -> list[agreements.RuleData]:
    """TAX_LOCAL stepped 60/40 then 50/50 with an AGREEMENT cap on the source; OUTPUT_VALUE with
    a baseline; ENERGY fill-first with a YEAR cap; REVENUE dual count; LAND 1:1."""
    step, rule, cap = FIRST + 20, agreements.RuleData, agreements.CapData
    split, dual = codes.SharingMode.SPLIT, codes.SharingMode.DUAL_COUNT
    return [
        rule("TAX_LOCAL", split, as_percent=True, tiers=tiers(
            (FIRST, step - 1, {S: 60, D: 40}), (step, None, {S: 50, D: 50})),
            caps=[cap(S, Decimal("20000000.00"), codes.CapScope.AGREEMENT)]),
        rule("OUTPUT_VALUE", split, tiers=tiers((FIRST, None, {S: 40, D: 60})),
             baseline=Decimal("2000000.00"), baseline_owner=D),
        rule("ENERGY", split, tiers=tiers((FIRST, None, {S: 1, D: 0})),
             caps=[cap(S, Decimal("8000.00"), codes.CapScope.YEAR)]),
        rule("REVENUE", dual, tiers=tiers((FIRST, None, {S: 1, D: 1}))),
        rule("LAND", split, tiers=tiers((FIRST, None, {S: 1, D: 1}))),
    ]


def build(url: str, n_projects: int) -> tuple[int, int]:
    """Migrate, load reference data, create the agreement and its observations; return the
    agreement id and the number of observations written."""
    schema.upgrade(url)
    engine = make_engine(url)
    rng = random.Random(SEED)
    with Session(engine) as session:
        models.set_actor(session, None, "bench")
        reference.load_builtin_reference(session)
        sample = (ROOT / "app" / "data" / "regions_sample.csv").read_text(encoding="utf-8")
        reference.import_regions(session, sample.splitlines())
        users.create_user(session, ADMIN, "Bench admin", PASSWORD,
                          [users.GrantSpec(codes.Role.ADMIN)])
        project_codes = [f"BP-{n:04d}" for n in range(n_projects)]
        ids = _projects(session, project_codes)
        agreement = agreements.create_agreement(session, SYSTEM, agreements.AgreementData(
            code="BENCH-1", title="基准协议", parties=[
                agreements.PartyData(D, codes.PartyRole.DESTINATION),
                agreements.PartyData(S, codes.PartyRole.SOURCE)]))
        agreements.set_covered_projects(session, SYSTEM, agreement.id, project_codes)
        for rule in rules():
            agreements.set_rule(session, SYSTEM, agreement.id, rule)
        cap = next(c for r in agreement.rules if r.indicator_code == "TAX_LOCAL" for c in r.caps)
        session.execute(insert(models.CapOverride), [  # firm-specific caps for one project in five
            {"covered_id": c.id, "cap_id": cap.id, "amount": Decimal(rng.randrange(5, 30)) * 10**6}
            for c in agreement.covered[::5]])
        agreements.activate(session, SYSTEM, agreement.id, agreement.version)
        count = _observations(session, ids, rng)
        session.commit()
        _close_all_but_last(session, agreement.id)
        session.commit()
        agreement_id = agreement.id
    engine.dispose()
    return agreement_id, count


def _projects(session: Session, project_codes: list[str]) -> list[int]:
    for n, code in enumerate(project_codes):
        projects.create_project(session, SYSTEM, projects.ProjectData(
            code=code, name=f"基准项目 {code}", enterprise=f"基准企业 {n}", industry="38",
            intensity=codes.Intensity.TECHNOLOGY, source_region=SOURCES[n % len(SOURCES)],
            destination_region=DESTINATIONS[n % len(DESTINATIONS)],
            cooperation_mode=codes.CooperationMode.JOINT_PARK,
            status=codes.ProjectStatus.OPERATING))
    project = models.Project
    return list(session.scalars(select(project.id).where(project.code.in_(project_codes))
                                .order_by(project.code)))


def _observations(session: Session, project_ids: list[int], rng: random.Random) -> int:
    """Bulk Core inserts, amounts in whole fen (or 0.01 亩, 0.01 tce)."""
    quarters = quarters_between(FIRST, FIRST + (QUARTERS - 1))
    rows = []
    for project_id in project_ids:
        scale = 10 ** rng.uniform(4, 6.5)
        for indicator in INDICATORS:
            for q in quarters:
                if indicator == "ENERGY":
                    value = rng.uniform(500, 3500)
                elif indicator == "LAND":
                    value = rng.uniform(0, 40) if rng.random() < 0.3 else 0
                else:  # 4 % are refunds or slumps (possibly negative)
                    value = scale * (rng.uniform(-0.1, 1.2) if rng.random() < 0.04
                                     else rng.uniform(0.3, 1.2))
                    value *= 20 if indicator in ("OUTPUT_VALUE", "REVENUE") else 1
                rows.append({"project_id": project_id, "indicator_code": indicator,
                             "quarter": q, "value": Decimal(round(value * 100)).scaleb(-2)})
    for start in range(0, len(rows), 10_000):
        session.execute(insert(models.Observation.__table__), rows[start:start + 10_000])
    return len(rows)


def _close_all_but_last(session: Session, agreement_id: int) -> None:
    """Mark every quarter but the last CLOSED and freeze the last closed quarter's R and T, as
    ``workflow`` would have (computed by the same ``compute_statement``)."""
    last_closed = FIRST + (QUARTERS - 2)
    agreement = agreements.get_agreement(session, SYSTEM, agreement_id)
    statement = compute_statement(session, agreement, last_closed)
    session.execute(insert(models.AgreementQuarter.__table__), [
        {"agreement_id": agreement_id, "quarter": q, "state": codes.QuarterState.CLOSED,
         "fingerprint": statement.fingerprint if q == last_closed else None}
        for q in quarters_between(FIRST, last_closed)])
    project_ids = {c.project.code: c.project_id for c in agreement.covered}
    party_ids = {p.region.code: p.id for p in agreement.parties}
    session.execute(insert(models.FrozenAllocation.__table__), [
        {"agreement_id": agreement_id, "quarter": last_closed,
         "project_id": project_ids[row.project_code], "indicator_code": row.indicator,
         "party_id": party_ids[party], "cumulative_rounded": line.since_inception,
         "cumulative_total": row.cumulative_total, "fingerprint": statement.fingerprint}
        for row in statement.rows for party, line in row.lines.items()])


def best_of(repeat: int, run) -> float:
    """The best wall-clock time of ``repeat`` runs of ``run()``, in seconds."""
    def once() -> float:
        started = time.perf_counter()
        run()
        return time.perf_counter() - started

    return min(once() for _ in range(repeat))


def measure(url: str, agreement_id: int, repeat: int) -> dict[str, float]:
    """Seconds (best of ``repeat``): loading the agreement, computing the statement of the last
    quarter, and the whole statement page."""
    engine = make_engine(url)
    last = FIRST + (QUARTERS - 1)
    sessions = []

    def load():
        session = Session(engine)
        sessions.append((session, agreements.get_agreement(session, SYSTEM, agreement_id)))
        return sessions[-1]

    def compute():
        session, agreement = load()  # a fresh session each time: nothing cached between runs
        started = time.perf_counter()
        compute_statement(session, agreement, last)
        return time.perf_counter() - started

    load_s = best_of(repeat, load)
    compute_s = min(compute() for _ in range(repeat))
    for session, _agreement in sessions:
        session.close()
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": url, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    signed_in = client.post("/sign-in", data={"email": ADMIN, "password": PASSWORD})
    assert signed_in.status_code == 302, signed_in.status_code
    page = f"/agreements/{agreement_id}/quarters/{last}/"

    def get():
        response = client.get(page)
        assert response.status_code == 200, response.status_code

    page_s = best_of(repeat, get)
    size = len(client.get(page).data)
    app.extensions["db_engine"].dispose()
    engine.dispose()
    return {"load": load_s, "compute": compute_s, "page": page_s, "page_bytes": size}


def fresh_postgres(url: str) -> tuple[str, callable]:
    """Create ``bench_statement_<pid>`` on the server of ``url``; return its URL and a dropper."""
    name = f"bench_statement_{os.getpid()}"
    admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(url).set(database=name).render_as_string(hide_password=False), drop


def report(engine_name: str, n_projects: int, count: int, build_s: float,
           figures: dict[str, float], repeat: int) -> str:
    """The markdown section: the table and the machine."""
    verdict = {k: "PASS" if figures[k] < BAR_SECONDS else "MISS" for k in ("compute", "page")}
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M +0000")
    return "\n".join([
        f"### {now} · statement of one agreement · {engine_name}",
        "",
        f"{n_projects} covered projects × {len(INDICATORS)} indicators × {QUARTERS} quarters = "
        f"{count:,} observations (TAX_LOCAL stepped 60/40 → 50/50 with an AGREEMENT cap and "
        "per-project overrides, OUTPUT_VALUE with a baseline, ENERGY with a YEAR cap, REVENUE "
        f"dual count, LAND 1:1); quarters up to {FIRST + (QUARTERS - 2)} closed, statement of "
        f"{FIRST + (QUARTERS - 1)} with prior-period adjustments. Best of {repeat}; data built in "
        f"{build_s:.1f} s.",
        "",
        "| what | seconds | bar | verdict |",
        "|---|---:|---:|---|",
        f"| load the agreement (`get_agreement`) | {figures['load']:.3f} | — | — |",
        f"| (a) `compute_statement`, last quarter | {figures['compute']:.3f} | < {BAR_SECONDS:.0f} "
        f"| **{verdict['compute']}** |",
        f"| (b) statement page GET, admin ({figures['page_bytes'] / 1e6:.1f} MB of HTML) | "
        f"{figures['page']:.3f} | < {BAR_SECONDS:.0f} | **{verdict['page']}** |",
        "",
        f"Machine: {platform.platform()}; {os.cpu_count()} CPUs; Python "
        f"{platform.python_version()}; engine {engine_name}.",
        "",
    ])


def main(argv: list[str] | None = None) -> int:
    """Build, measure, print, append to RESULTS.md (unless ``--no-write``); 1 if a bar is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    drop, tmp = None, None
    if args.database_url.startswith("postgresql"):
        url, drop = fresh_postgres(args.database_url)
    elif args.database_url:
        url = args.database_url
    else:
        tmp = tempfile.mkdtemp(prefix="bench_statement_")
        url = "sqlite:///" + str(Path(tmp) / "bench.sqlite3")
    try:
        started = time.perf_counter()
        agreement_id, count = build(url, args.projects)
        build_s = time.perf_counter() - started
        figures = measure(url, agreement_id, args.repeat)
    finally:
        if drop:
            drop()
        if tmp:
            shutil.rmtree(tmp)
    engine_name = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    section = report(engine_name, args.projects, count, build_s, figures, args.repeat)
    print(section)
    if not args.no_write:
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write("\n" + section)
    return 0 if max(figures["compute"], figures["page"]) < BAR_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
