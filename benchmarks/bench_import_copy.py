"""A 1,000,000-row observations CSV imported on PostgreSQL (COPY) beside a bare ``COPY`` of the
same rows into the same table, in the same run (issue 20). Bar: the import at ≥ 0.5× the bare
COPY's rows/s, and its peak RSS ≤ 500 MiB (streamed, not read whole).

The bare COPY streams a file already in COPY's text format (ids of projects resolved, values in
0.0001 units, the timestamp written out) in 1 MiB blocks, in a transaction rolled back. The
import is the application's ``import_file`` of the CSV (validation, scope, duplicates, audit
entries), a real run rolled back afterwards, in a child process whose peak RSS
(``resource.getrusage``) is its memory bound. Both are wall-clock (PostgreSQL works in its own
process), best of ``--repeats``, taking turns; the table is vacuumed between runs (each run
leaves a million dead rows with the same keys, which would slow the next one's unique checks).
The machine is shared: the load average before and after is printed beside the figures.

Run from the repository root: ``python benchmarks/bench_import_copy.py --database-url
postgresql+psycopg://… [--rows N] [--repeats N] [--no-write]``; it creates and drops its own
database ``bench_import_<pid>``. Prints a markdown line and appends it to
``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.domain.quarter import Quarter  # noqa: E402
from benchmarks.bench_engine import machine  # noqa: E402
from benchmarks.bench_import import INDICATORS, RESULTS, own_database, setup  # noqa: E402

BAR_RATIO = 0.5
BAR_RSS_MIB = 500
COLUMNS = ("project_id", "indicator_code", "quarter", "value", "note", "updated_by_id",
           "updated_at", "version")

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from sqlalchemy.orm import Session
from app.models import set_actor
from app.models.database import make_engine
from app.services.access.scopes import SYSTEM
from app.services.exchange.imports import import_file
from app.services.limits import Limits
engine = make_engine({url!r})
with Session(engine) as session:
    set_actor(session, None, "bench")
    with open({path!r}, "rb") as stream:
        start = time.perf_counter()
        result = import_file(session, SYSTEM, "observations", stream, "observations.csv",
                             dry_run=False, limits=Limits(max_rows=max({rows} + 1, 1_000_000)))
        seconds = time.perf_counter() - start
    session.rollback()
print(json.dumps({{"ok": result.ok, "errors": [str(e) for e in result.errors[:5]],
                  "rows": result.total("rows"), "added": result.total("added"),
                  "seconds": seconds,
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}))
"""


def files(folder: Path, rows: int, projects: list[tuple[str, int]], seed: int = 3
          ) -> tuple[Path, Path]:
    """The observations CSV (project codes, ``2026Q3``, decimals) and the same rows in COPY's
    text format, written row by row to disk (neither is held in memory)."""
    rng = random.Random(seed)
    quarters_needed = -(-rows // (len(projects) * len(INDICATORS)))
    quarters = [str(Quarter(1990, 1) + k) for k in range(quarters_needed)]
    stamp = dt.datetime.now(dt.UTC).isoformat()
    csv_path, copy_path = folder / "observations-1m.csv", folder / "observations-1m.copy"
    written = 0
    with csv_path.open("w", newline="", encoding="utf-8") as plain, \
            copy_path.open("w", encoding="utf-8") as copy:
        writer = csv.writer(plain)
        writer.writerow(["project_code", "indicator_code", "quarter", "value", "note"])
        for code, project_id in projects:
            for indicator in INDICATORS:
                for quarter in quarters:
                    if written == rows:
                        return csv_path, copy_path
                    units = rng.randint(-10**6, 10**9)  # in 0.01
                    writer.writerow([code, indicator, quarter,
                                     f"{Decimal(units).scaleb(-2):f}", ""])
                    copy.write(f"{project_id}\t{indicator}\t{quarter}\t{units * 100}\t\\N\t\\N\t"
                               f"{stamp}\t1\n")
                    written += 1
    return csv_path, copy_path


def bare_copy(url: str, path: Path) -> float:
    """Seconds of ``COPY observations … FROM STDIN`` of the prepared file, rolled back."""
    engine = create_engine(url)
    with engine.connect() as connection:
        transaction = connection.begin()
        driver = connection.connection.driver_connection
        start = time.perf_counter()
        with driver.cursor() as cursor, cursor.copy(
                f"COPY observations ({', '.join(COLUMNS)}) FROM STDIN") as copy, \
                path.open("rb") as stream:
            while block := stream.read(1 << 20):
                copy.write(block)
        seconds = time.perf_counter() - start
        transaction.rollback()
    engine.dispose()
    return seconds


def app_import(url: str, path: Path, rows: int) -> dict:
    """The import in a child process: its seconds, peak RSS and counts. Its row limit admits
    the header row besides ``rows`` (the default limit, 1,000,000 rows header included, would
    refuse the issue's million-row file)."""
    code = CHILD.format(root=str(ROOT), url=url, path=str(path), rows=rows)
    env = {**os.environ, "APP_ENV": "development"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the import failed: {done.stderr[-3000:]}")
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    if not outcome["ok"]:
        raise SystemExit(f"the import found errors: {outcome['errors']}")
    return outcome


def vacuum(url: str) -> None:
    """Remove the dead rows a rolled-back run leaves (autocommit: VACUUM needs it)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE observations"))
    engine.dispose()


def main() -> int:
    """Run the benchmark, print and append the result; 1 if a bar is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL URL")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--no-write", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_import_copy_") as tmp:
        url, drop = own_database(args.database_url, Path(tmp))
        try:
            return run(args, url, Path(tmp))
        finally:
            drop()


def run(args, url: str, folder: Path) -> int:
    """The measurements on the database at ``url``."""
    engine, _ = setup(url)
    with Session(engine) as session:
        projects = [(code, id_) for code, id_ in session.execute(
            text("SELECT code, id FROM projects ORDER BY id"))]
    engine.dispose()
    csv_path, copy_path = files(folder, args.rows, projects)
    load_before = os.getloadavg()[0]
    bare, ours, peak = float("inf"), float("inf"), 0
    for _ in range(args.repeats):
        vacuum(url)
        bare = min(bare, bare_copy(url, copy_path))
        vacuum(url)
        outcome = app_import(url, csv_path, args.rows)
        if outcome["added"] != args.rows:
            raise SystemExit(f"the import added {outcome['added']} rows, not {args.rows}")
        ours = min(ours, outcome["seconds"])
        peak = max(peak, outcome["peak_kib"])
    load_after = os.getloadavg()[0]
    bare_rate, our_rate = args.rows / bare, args.rows / ours
    ratio = our_rate / bare_rate
    passed = ratio >= BAR_RATIO and peak / 1024 <= BAR_RSS_MIB
    line = (
        f"- {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z} · **observations import via "
        f"COPY** (`bench_import_copy.py`, postgresql, wall clock) · CSV {args.rows:,} rows "
        f"({csv_path.stat().st_size / 2**20:,.0f} MiB): import **{our_rate:,.0f} rows/s** "
        f"({ours:,.1f} s) vs bare `COPY` of the same rows into `observations` "
        f"{bare_rate:,.0f} rows/s ({bare:,.1f} s) = **{ratio:.2f}×** · peak RSS of the "
        f"importing process **{peak / 1024:,.0f} MiB** · bar ≥ {BAR_RATIO}× and ≤ "
        f"{BAR_RSS_MIB} MiB: **{'PASS' if passed else 'FAIL'}** · best of {args.repeats}, "
        f"taking turns · load average (1 min) {load_before:.1f} before, {load_after:.1f} after "
        f"(shared machine) · {machine()}"
    )
    print(line)
    if not args.no_write:
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
