"""Spreadsheet import speed and memory (quality.md): 100,000 transactions and 100,000
observations imported from CSV, validation included, beside a bare SQLAlchemy Core executemany
of the same rows into the same table, in the same run. Bar: ≥ 0.5× the Core rows/s, and memory
flat in the file's length (tracemalloc peak of a 100k and a 200k dry run; peak RSS of the
``flask import … --dry-run`` command on a 100k and a 1,000,000-row file).

On SQLite the rates are CPU seconds of this process (SQLite works inside it; the shared machine's
other jobs disturb CPU time least); on PostgreSQL, whose work happens in its own processes, they
are wall-clock seconds. Both ratios are printed. Run from the repository root:
``python benchmarks/bench_import.py [--database-url URL] [--rows N] [--repeats N] [--no-million]
[--no-write]``. SQLite by default (a temporary file);
with ``--database-url`` (PostgreSQL) it creates and drops its own database ``bench_import_<pid>``.
Prints markdown lines and appends them, dated, to ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.domain.codes import Instrument  # noqa: E402
from app.domain.quarter import Quarter  # noqa: E402
from app.models import InvestmentTransaction, Observation, set_actor  # noqa: E402
from app.models.base import utcnow  # noqa: E402
from app.models.database import make_engine  # noqa: E402
from app.services.access.scopes import SYSTEM  # noqa: E402
from app.services.exchange.imports import import_file  # noqa: E402
from app.services.funds import investments  # noqa: E402
from app.services.operations import schema  # noqa: E402
from app.services.reference import lookups as reference  # noqa: E402
from benchmarks.bench_engine import machine  # noqa: E402
from tests.factories import make_fund, make_project  # noqa: E402

BAR_RATIO = 0.5
FLAT = 1.25  # a peak at most 25 % above the smaller file's counts as flat
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
INDICATORS = ("OUTPUT_VALUE", "REVENUE", "TAX_LOCAL", "LAND", "ENERGY")
TX_HEADER = ["reference", "fund_code", "project_code", "instrument", "type", "date", "amount",
             "reverses", "note"]


def setup(url: str, funds_: int = 20, per_fund: int = 50):
    """Reference data, funds, projects and one equity position per (fund, project)."""
    schema.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        set_actor(session, None, "bench")
        reference.load_builtin_reference(session)
        regions = (ROOT / "app" / "data" / "regions_sample.csv").read_text(encoding="utf-8")
        reference.import_regions(session, regions.splitlines())
        positions = []
        for f in range(funds_):
            fund = make_fund(session, f"BF{f:03d}")
            for p in range(per_fund):
                project = make_project(session, f"BP{f:03d}{p:03d}")
                investment = investments.open_investment(session, SYSTEM, fund.id, project.code,
                                                         Instrument.EQUITY)
                positions.append((fund.code, project.code, investment.fund_id, investment.id,
                                  project.id))
        session.commit()
    return engine, positions


def transactions_file(path: Path, rows: int, positions, seed: int = 1) -> list[dict]:
    """Write ``rows`` disbursements (some typed with ¥ and commas) to a CSV; return the same
    rows as Core would insert them (first 100,000 at most)."""
    rng = random.Random(seed)
    core = []
    now = utcnow()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(TX_HEADER)
        for i in range(rows):
            fund_code, project_code, fund_id, investment_id, _ = rng.choice(positions)
            amount = Decimal(rng.randint(100, 10**10)).scaleb(-2)
            day = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randint(0, 2900))
            typed = f"¥{amount:,.2f}" if i % 10 == 0 else f"{amount:f}"
            writer.writerow([f"BT{i:07d}", fund_code, project_code, "EQUITY", "DISBURSEMENT",
                             day.isoformat(), typed, "", ""])
            if len(core) < 100_000:
                core.append({"investment_id": investment_id, "fund_id": fund_id,
                             "reference": f"BT{i:07d}", "type": "DISBURSEMENT",
                             "occurred_on": day, "amount": amount, "note": None,
                             "reverses_id": None, "created_at": now})
    return core


def observations_file(path: Path, positions, seed: int = 2) -> list[dict]:
    """500 projects × 5 indicators × 40 quarters = 100,000 values; the same rows for Core."""
    rng = random.Random(seed)
    core = []
    now = utcnow()
    quarters = [Quarter(2016, 1) + k for k in range(40)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["project_code", "indicator_code", "quarter", "value", "note"])
        for _, project_code, _, _, project_id in positions[:500]:
            for indicator in INDICATORS:
                for quarter in quarters:
                    value = Decimal(rng.randint(-10**6, 10**9)).scaleb(-2)
                    writer.writerow([project_code, indicator, str(quarter), f"{value:f}", ""])
                    core.append({"project_id": project_id, "indicator_code": indicator,
                                 "quarter": quarter, "value": value, "note": None,
                                 "updated_by_id": None, "updated_at": now, "version": 1})
    return core


def timed(functions: dict, repeats: int) -> dict[str, tuple[float, float]]:
    """The best wall-clock and the best CPU seconds of ``repeats`` calls of each function, taking
    turns within each round so that a busy spell of the shared machine slows all of them."""
    best = {name: (float("inf"), float("inf")) for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            function()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def core_insert(engine, table, rows):
    """The baseline: one executemany of prepared rows, rolled back."""
    def run():
        with engine.connect() as connection:
            transaction = connection.begin()
            connection.execute(insert(table), rows)
            transaction.rollback()
    return run


def app_import(engine, kind: str, path: Path, *, dry_run: bool = False, check: int = 0):
    """The import of the CSV file, validation included; rolled back so rounds repeat."""
    def run():
        with Session(engine) as session:
            set_actor(session, None, "bench")
            with path.open("rb") as stream:
                result = import_file(session, SYSTEM, kind, stream, path.name, dry_run=dry_run)
            if not result.ok or (check and result.total("rows") != check):
                raise SystemExit(f"import failed: {result.errors[:5]}")
            session.rollback()
        return result
    return run


def peak_traced(function) -> int:
    """The tracemalloc peak of one call, in bytes."""
    gc.collect()
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def cli_peak_rss(url: str, path: Path) -> tuple[int, float]:
    """Peak RSS (KiB) and seconds of ``flask import transactions FILE --dry-run`` in a child."""
    code = ("import resource, sys\nfrom flask.cli import main\n"
            f"sys.argv = ['flask', '--app', 'wsgi', 'import', 'transactions', {str(path)!r}, "
            "'--dry-run']\ntry:\n    main()\nfinally:\n"
            "    print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
            "file=sys.stderr)\n")
    env = {**os.environ, "DATABASE_URL": url, "APP_ENV": "development"}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True,
                          text=True, check=False)
    seconds = time.perf_counter() - start
    peak = [line for line in done.stderr.splitlines() if line.startswith("PEAK")]
    if done.returncode != 0 or not peak:
        raise SystemExit(f"the command failed: {done.stderr[-2000:]}")
    return int(peak[-1].split()[1]), seconds


def own_database(url: str | None, folder: Path) -> tuple[str, callable]:
    """A fresh database URL and a function that removes it afterwards."""
    if url is None:
        return f"sqlite:///{folder / 'bench.sqlite3'}", lambda: None
    name = f"bench_import_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(url).set(database=name).render_as_string(hide_password=False), drop


def main() -> int:
    """Run the benchmark, print and append the results; 1 if a bar is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL URL (default: SQLite)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-million", action="store_true", help="skip the 1,000,000-row run")
    parser.add_argument("--no-write", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_import_") as tmp:
        folder = Path(tmp)
        url, drop = own_database(args.database_url, folder)
        try:
            return run(args, url, folder)
        finally:
            drop()


def run(args, url: str, folder: Path) -> int:
    """The measurements on the database at ``url``."""
    engine, positions = setup(url)
    engine_name = engine.dialect.name
    tx_path, obs_path = folder / "transactions.csv", folder / "observations.csv"
    tx_core = transactions_file(tx_path, args.rows, positions)
    obs_core = observations_file(obs_path, positions)
    seconds = timed({
        "tx core": core_insert(engine, InvestmentTransaction.__table__, tx_core),
        "tx import": app_import(engine, "transactions", tx_path, check=args.rows),
        "obs core": core_insert(engine, Observation.__table__, obs_core),
        "obs import": app_import(engine, "observations", obs_path, check=len(obs_core)),
    }, args.repeats)
    # SQLite works inside this process: its CPU time is the whole of the work and the least
    # disturbed by the other jobs of a shared machine. PostgreSQL works in its own processes:
    # only the wall clock includes its share, so it is the measure there.
    clock = 1 if engine_name == "sqlite" else 0
    rows_of = {"tx": args.rows, "obs": len(obs_core)}
    rates = {name: rows_of[name.split()[0]] / times[clock] for name, times in seconds.items()}
    walls = {name: rows_of[name.split()[0]] / times[0] for name, times in seconds.items()}
    tx_ratio = rates["tx import"] / rates["tx core"]
    obs_ratio = rates["obs import"] / rates["obs core"]
    wall_ratios = (walls["tx import"] / walls["tx core"], walls["obs import"] / walls["obs core"])
    del tx_core, obs_core
    double = folder / "transactions-2x.csv"
    transactions_file(double, 2 * args.rows, positions)
    peak_1 = peak_traced(app_import(engine, "transactions", tx_path, dry_run=True))
    peak_2 = peak_traced(app_import(engine, "transactions", double, dry_run=True))
    flat = peak_2 <= FLAT * peak_1
    million = ""
    if not args.no_million:
        big = folder / "transactions-1m.csv"
        transactions_file(big, 1_000_000, positions)
        rss_small, _ = cli_peak_rss(url, tx_path)
        rss_big, big_seconds = cli_peak_rss(url, big)
        flat = flat and rss_big <= FLAT * rss_small
        million = (f" · CLI `import transactions --dry-run`: peak RSS {rss_small / 1024:,.0f} MiB "
                   f"({args.rows:,} rows) vs {rss_big / 1024:,.0f} MiB (1,000,000 rows, "
                   f"{big_seconds:,.0f} s)")
    passed = tx_ratio >= BAR_RATIO and obs_ratio >= BAR_RATIO and flat
    measure = "CPU time" if clock else "wall clock"
    line = (
        f"- {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z} · **spreadsheet import** "
        f"({engine_name}, {measure}) · transactions CSV {args.rows:,} rows: import "
        f"**{rates['tx import']:,.0f} rows/s** vs Core executemany {rates['tx core']:,.0f} rows/s"
        f" = **{tx_ratio:.2f}×** · observations CSV {rows_of['obs']:,} rows: import "
        f"**{rates['obs import']:,.0f} rows/s** vs Core {rates['obs core']:,.0f} rows/s = "
        f"**{obs_ratio:.2f}×** (wall-clock ratios {wall_ratios[0]:.2f}× and "
        f"{wall_ratios[1]:.2f}×) · tracemalloc peak of a dry run {peak_1 / 2**20:,.1f} MiB "
        f"({args.rows:,} rows) vs {peak_2 / 2**20:,.1f} MiB ({2 * args.rows:,}){million} · "
        f"bar ≥ {BAR_RATIO}× and flat memory (≤ {FLAT}×): **{'PASS' if passed else 'FAIL'}** · "
        f"best of {args.repeats} · {machine()}"
    )
    print(line)
    engine.dispose()
    if not args.no_write:
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
