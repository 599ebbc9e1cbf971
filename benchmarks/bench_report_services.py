"""Report services speed (quality.md): (a) a ~100-page fund quarterly report with its charts,
from the database to PDF bytes (queries, metrics, data dict, layout), bar ≤ 3 s and peak memory
< 300 MB; (b) a small fund report (cover and one page) downloaded through the web, "well under a
second" (bar 0.5 s).

Run from the repository root: ``python benchmarks/bench_report_services.py [--database-url URL]
[--no-write]`` (default: a fresh SQLite file). Appends its table to ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import platform
import random
import re
import resource
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app import create_app, models  # noqa: E402
from app.domain import codes  # noqa: E402
from app.domain.quarter import Quarter, quarters_between  # noqa: E402
from app.models.database import make_engine  # noqa: E402
from app.services.access import users  # noqa: E402
from app.services.access.scopes import SYSTEM  # noqa: E402
from app.services.funds import register as funds  # noqa: E402
from app.services.operations import schema  # noqa: E402
from app.services.reference import lookups as reference  # noqa: E402
from app.services.reporting import issuing  # noqa: E402

SEED = 20261126
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
QUARTER = Quarter(2025, 4)
FIRST = Quarter(2023, 1)
ADMIN, PASSWORD = "bench-admin@example.cn", "correct horse battery staple"
DESTINATIONS = ("441602", "441621", "510100", "340100", "360100", "450100", "320100")
INTENSITIES = tuple(codes.Intensity)
BAR_SECONDS, BAR_MB, BAR_SMALL = 3.0, 300, 0.5


def _fund(session: Session, code: str, n_investments: int, in_quarter: int,
          rng: random.Random) -> None:
    """A fund with LPs, quarterly calls and fees, ``n_investments`` projects with a history of
    disbursements and marks, and ``in_quarter`` transactions dated in the reported quarter."""
    fund = funds.create_fund(session, SYSTEM, funds.FundData(
        code=code, name=f"基准基金 {code}", sponsor_region="440300", manager="基准资本",
        fund_class=codes.FundClass.INDUSTRIAL, vintage=2023,
        target_size=Decimal("5000000000.00")))
    session.execute(insert(models.Commitment.__table__), [
        {"fund_id": fund.id, "investor": name, "investor_type": kind,
         "committed_on": dt.date(2023, 1, 1), "amount": Decimal(amount)}
        for name, kind, amount in (("深圳市财政局", codes.InvestorType.GOVERNMENT, "2000000000.00"),
                                   ("某某银行", codes.InvestorType.FINANCIAL, "3000000000.00"))])
    quarters = quarters_between(FIRST, QUARTER)
    session.execute(insert(models.Movement.__table__), [
        {"fund_id": fund.id, "reference": f"{code}-M{n:03d}-{kind.value[0]}", "type": kind,
         "moved_on": q.first_day + dt.timedelta(days=14), "amount": Decimal(amount)}
        for n, q in enumerate(quarters)
        for kind, amount in ((codes.MovementType.CAPITAL_CALL, "300000000.00"),
                             (codes.MovementType.FEE, "2500000.00"))])
    region_ids = dict(session.execute(select(models.Region.code, models.Region.id)).all())
    session.execute(insert(models.Project.__table__), [
        {"code": f"{code}-P{n:04d}", "name": f"基准项目{n:04d}", "enterprise": f"基准企业{n}",
         "industry_code": "38", "intensity": INTENSITIES[n % 4],
         "source_region_id": region_ids["440306"],
         "destination_region_id": region_ids[DESTINATIONS[n % len(DESTINATIONS)]],
         "cooperation_mode": codes.CooperationMode.JOINT_PARK,
         "status": codes.ProjectStatus.OPERATING} for n in range(n_investments)])
    project_ids = session.scalars(select(models.Project.id).where(
        models.Project.code.like(f"{code}-P%")).order_by(models.Project.code)).all()
    instruments = [codes.Instrument.EQUITY] * 7 + [codes.Instrument.LOAN] * 2 + \
        [codes.Instrument.GRANT]
    session.execute(insert(models.Investment.__table__), [
        {"fund_id": fund.id, "project_id": pid, "instrument": instruments[n % 10]}
        for n, pid in enumerate(project_ids)])
    held = session.execute(select(models.Investment.id, models.Investment.instrument)
                           .where(models.Investment.fund_id == fund.id)
                           .order_by(models.Investment.id)).all()
    entries, valuations, number = [], [], 0

    def add(investment_id, kind, on, amount):
        nonlocal number
        number += 1
        entries.append({"investment_id": investment_id, "fund_id": fund.id,
                        "reference": f"{code}-T{number:06d}", "type": kind, "occurred_on": on,
                        "amount": Decimal(amount).quantize(Decimal("0.01"))})

    for investment_id, instrument in held:
        for q in quarters[:-1][::2]:
            add(investment_id, codes.TransactionType.DISBURSEMENT,
                q.first_day + dt.timedelta(days=rng.randrange(80)), rng.uniform(1e5, 5e6))
        if instrument is codes.Instrument.EQUITY:
            valuations += [{"investment_id": investment_id, "as_of_on": q.last_day,
                            "value": Decimal(round(rng.uniform(1e6, 3e7), 2)).quantize(
                                Decimal("0.01"))} for q in quarters[4::2]]
    kinds = {codes.Instrument.EQUITY: (codes.TransactionType.INCOME,
                                       codes.TransactionType.DISBURSEMENT),
             codes.Instrument.LOAN: (codes.TransactionType.INCOME,
                                     codes.TransactionType.DISBURSEMENT),
             codes.Instrument.GRANT: (codes.TransactionType.DISBURSEMENT,)}
    for n in range(in_quarter):
        investment_id, instrument = held[n % len(held)]
        add(investment_id, rng.choice(kinds[instrument]),
            QUARTER.first_day + dt.timedelta(days=rng.randrange(90)), rng.uniform(1e3, 2e5))
    for start in range(0, len(entries), 5_000):
        session.execute(insert(models.InvestmentTransaction.__table__), entries[start:start + 5000])
    session.execute(insert(models.Valuation.__table__), valuations)


def build(url: str, n_investments: int, in_quarter: int) -> None:
    """Migrate, load reference data, make the big fund BIG-1, the small SMALL-1 and an admin."""
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
        _fund(session, "BIG-1", n_investments, in_quarter, rng)
        _fund(session, "SMALL-1", 4, 6, rng)
        session.commit()
    engine.dispose()


def timed(run, repeat: int) -> tuple[float, object]:
    """The best wall-clock seconds of ``repeat`` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def measure(url: str, repeat: int) -> dict:
    """Seconds and pages of the big report (a fresh session per run), its peak memory, and the
    small report's download through the web."""
    engine = make_engine(url)

    def big():
        with Session(engine) as session:
            return issuing.draft(session, SYSTEM, "fund", "BIG-1", QUARTER).pdf

    big()  # warm up: first-use imports, font parsing, statement caches
    big_s, pdf = timed(big, repeat)
    tracemalloc.start()
    big()
    traced_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": url, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    client.post("/sign-in", data={"email": ADMIN, "password": PASSWORD})
    path = f"/reports/fund/SMALL-1/{QUARTER}.pdf"
    client.get(path)
    small_s, response = timed(lambda: client.get(path), repeat)
    assert response.status_code == 200, response.status_code
    engine.dispose()
    return {"big_s": big_s, "pages": pages(pdf), "traced_mb": traced_mb,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "small_s": small_s, "small_pages": pages(response.data)}


def pages(pdf: bytes) -> int:
    """The number of pages of a PDF written by ReportLab."""
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def main() -> int:
    """Build, measure, print the markdown table, append it to RESULTS.md; 1 if a bar is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty database (default: a fresh SQLite file)")
    parser.add_argument("--investments", type=int, default=120)
    parser.add_argument("--transactions", type=int, default=5_000,
                        help="transactions dated in the reported quarter")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{folder.name}/bench.sqlite3"
    started = time.perf_counter()
    build(url, args.investments, args.transactions)
    built_s = time.perf_counter() - started
    m = measure(url, args.repeat)
    ok_big = m["big_s"] <= BAR_SECONDS and max(m["traced_mb"], m["rss_mb"]) < BAR_MB
    ok_small = m["small_s"] <= BAR_SMALL
    verdict = {True: "**PASS**", False: "**MISS**"}
    engine = make_url_name(url)
    table = "\n".join((
        "| case | pages | seconds | memory | bar | result |",
        "|---|---:|---:|---|---|---|",
        f"| (a) fund report, {args.investments} investments, {args.transactions:,} transactions "
        f"in the quarter, 3 charts: queries + metrics + data + PDF | {m['pages']} | "
        f"{m['big_s']:.2f} | Python peak {m['traced_mb']:.0f} MB, max RSS {m['rss_mb']:.0f} MB "
        f"| ≤ {BAR_SECONDS:g} s, < {BAR_MB} MB | {verdict[ok_big]} |",
        f"| (b) small fund report, web download (GET, signed in) | {m['small_pages']} | "
        f"{m['small_s']:.3f} | — | ≤ {BAR_SMALL:g} s | {verdict[ok_small]} |",
    ))
    when = dt.datetime.now().astimezone()
    section = (f"\n## {when:%Y-%m-%d %H:%M %z} · report services (`bench_report_services.py`) · "
               f"{engine}\n\n{table}\n\nBest of {args.repeat}; data built in {built_s:.1f} s · "
               f"{platform.platform()}; Python {platform.python_version()}\n")
    print(section)
    if not args.no_write:
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(section)
    folder.cleanup()
    return 0 if ok_big and ok_small else 1


def make_url_name(url: str) -> str:
    """SQLite or PostgreSQL, for the heading."""
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"


if __name__ == "__main__":
    sys.exit(main())
