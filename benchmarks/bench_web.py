"""Web pages under load at province scale (quality.md): gunicorn with 2 sync workers on 127.0.0.1
(``gunicorn.conf.py``, so ``gc.freeze()`` after worker start), each main page loaded for a fixed
time by a bounded load generator (``wrk --latency``; a Python client with fixed concurrency when
wrk is missing), a trivial view (``/health``) measured beside them. Bars (p99): list pages
≤ 15 ms, dashboards ≤ 60 ms, the statement page ≤ 100 ms. Each p99 is also given in units of the
trivial view (the median of its p99s across the run: alone, and right after each page), the unit
the nation tier's bars are counted in (``bench_nation.py``), so the two tiers compare.

The province database is built once with ``flask --app wsgi db upgrade`` and ``demo load --scale
province`` and kept (SQLite: ``benchmarks/.data/province.sqlite3``, git-ignored; PostgreSQL: the
database ``bench_province``), and rebuilt when the migration head has changed. PostgreSQL is
measured when its server answers: ``BENCH_POSTGRES_URL``, else ``TEST_DATABASE_URL``, else
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres`` (only the server is taken from it); its
database gets the README's production setting ``random_page_cost = 1.1`` (see TUNING).

Run from the repository root: ``python benchmarks/bench_web.py [--engine sqlite|postgresql|both]
[--seconds N] [--connections N] [--only SUBSTRING] [--no-write]``; ``BENCH_SECONDS`` (default 10)
sets the time per page. Prints a markdown table per engine and appends it, dated, to
``benchmarks/RESULTS.md``; exit status 1 if a bar is missed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import math
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.demo.province import PROVINCE_USERS  # noqa: E402
from app.models.database import make_engine  # noqa: E402
from app.services.operations import schema  # noqa: E402
from benchmarks import webload  # noqa: E402

DATA = ROOT / "benchmarks" / ".data"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
PG_DATABASE = "bench_province"
TRIVIAL = "/health"
TUNING = f'ALTER DATABASE "{PG_DATABASE}" SET random_page_cost = 1.1'
"""The README's production setting for a server whose data is on SSD or fits in memory."""
BARS_MS = {"trivial": None, "list": 15.0, "dashboard": 60.0, "statement": 100.0}
USERS = {user.email: user for user in PROVINCE_USERS}


@dataclass
class Page:
    """A page to load: its kind (which bar), a label, the path, who is signed in, and a key
    naming the same page at another scale (the label names this database's fund, region…)."""

    kind: str
    label: str
    path: str
    email: str | None
    key: str = ""


def head() -> str:
    """The migration head of the scripts."""
    return ",".join(sorted(schema.heads()))


def fingerprint() -> str:
    """A hash of what the database is built from: the migration scripts and the demo generator
    (a migration edited in place keeps its revision id, so the head alone is not enough)."""
    digest = hashlib.sha256(head().encode())
    sources = sorted((ROOT / "migrations" / "versions").glob("*.py"))
    sources += sorted((ROOT / "app" / "demo").glob("*.py"))
    sources.append(ROOT / "app" / "services" / "operations" / "schema.py")  # VACUUM ANALYZE
    for source in sources:
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def stamp_of(name: str) -> Path:
    """The file that records the fingerprint a kept database was built from (its folder made
    when missing, so a tool that builds only the PostgreSQL database can write it)."""
    DATA.mkdir(parents=True, exist_ok=True)
    return DATA / f"{name}.stamp"


def is_current(url: str, name: str) -> bool:
    """Whether the database at ``url`` holds the province demo at the migration head, built
    from the current migrations and generator."""
    stamp = stamp_of(name)
    if not stamp.exists() or stamp.read_text(encoding="utf-8").strip() != fingerprint():
        return False
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            version = ",".join(sorted(connection.scalars(
                text("SELECT version_num FROM alembic_version"))))
            loaded = connection.scalar(text(
                "SELECT count(*) FROM agreements WHERE code LIKE 'CYZY-%'"))
        return version == head() and loaded > 0
    except Exception:  # missing tables or database: rebuild
        return False
    finally:
        engine.dispose()


def flask(url: str, *args: str) -> None:
    """Run ``flask --app wsgi ARGS`` on ``url``; raise with its output on failure."""
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": url}
    done = subprocess.run([webload.program("flask"), "--app", "wsgi", *args],  # noqa: S603
                          cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout[-2000:]}"
                           f"\n{done.stderr[-3000:]}")


def build(url: str, scale: str = "province") -> float:
    """Migrate and load the demo at ``scale`` into ``url``; seconds taken."""
    started = time.perf_counter()
    flask(url, "db", "upgrade")
    flask(url, "demo", "load", "--scale", scale)
    return time.perf_counter() - started


def sqlite_database() -> tuple[str, float | None]:
    """The kept SQLite province database (built into a new file and renamed when needed)."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / "province.sqlite3"
    url = f"sqlite:///{path}"
    if path.exists() and is_current(url, path.name):
        return url, None
    stamp_of(path.name).unlink(missing_ok=True)
    building = DATA / "province-building.sqlite3"
    for stale in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
        stale.unlink(missing_ok=True)
    print(f"building the SQLite province database ({path}) …", flush=True)
    seconds = build(f"sqlite:///{building}")
    engine = make_engine(f"sqlite:///{building}")
    with engine.connect() as connection:  # fold the WAL into the file before renaming it
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    for old in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        old.unlink(missing_ok=True)
    building.rename(path)
    stamp_of(path.name).write_text(fingerprint(), encoding="utf-8")
    return url, seconds


def postgres_server() -> str:
    """The PostgreSQL server's URL (its database part is ignored)."""
    return (os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_DATABASE_URL")
            or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def postgres_database() -> tuple[str, float | None] | None:
    """``bench_province`` on the server (rebuilt when stale), or None if no server answers."""
    server = make_url(postgres_server())
    if not server.drivername.startswith("postgresql"):
        return None
    admin_url = server.set(database="postgres", query={**server.query, "connect_timeout": "3"})
    admin = make_engine(admin_url.render_as_string(hide_password=False)).execution_options(
        isolation_level="AUTOCOMMIT")
    url = server.set(database=PG_DATABASE).render_as_string(hide_password=False)
    try:
        with admin.connect() as connection:
            exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                       {"name": PG_DATABASE})
            if exists and is_current(url, PG_DATABASE):
                connection.execute(text(TUNING))
                return url, None
            stamp_of(PG_DATABASE).unlink(missing_ok=True)
            print(f"building the PostgreSQL province database ({PG_DATABASE}) …", flush=True)
            connection.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
            connection.execute(text(TUNING))
    except Exception as exc:  # no server: SQLite only
        print(f"PostgreSQL not reachable ({type(exc).__name__}); measuring SQLite only")
        return None
    finally:
        admin.dispose()
    seconds = build(url)
    stamp_of(PG_DATABASE).write_text(fingerprint(), encoding="utf-8")
    return url, seconds


def pages(url: str) -> list[Page]:
    """The pages to load, with the biggest fund, agreement and region of the database (the
    bureau and fund manager among the demo's sign-ins that the database holds)."""
    engine = make_engine(url)
    with engine.connect() as connection:
        present = set(connection.scalars(text("SELECT email FROM users")))
        fund_id = connection.scalar(text(
            "SELECT fund_id FROM investments GROUP BY fund_id ORDER BY count(*) DESC, fund_id "
            "LIMIT 1"))
        agreement_id = connection.scalar(text(
            "SELECT c.agreement_id FROM covered_projects c GROUP BY c.agreement_id ORDER BY "
            "count(*) DESC, (SELECT count(*) FROM agreement_quarters q WHERE q.agreement_id = "
            "c.agreement_id AND q.state = 'CLOSED') DESC, c.agreement_id LIMIT 1"))
        quarter = connection.scalar(text(
            "SELECT max(o.quarter) FROM observations o JOIN covered_projects c ON "
            "c.project_id = o.project_id WHERE c.agreement_id = :id"), {"id": agreement_id})
        party_counts = dict(connection.execute(text(
            "SELECT r.code, count(*) FROM agreement_parties p JOIN regions r ON r.id = "
            "p.region_id GROUP BY r.code")).all())
        holdings = dict(connection.execute(text(
            "SELECT f.code, count(*) FROM investments i JOIN funds f ON f.id = i.fund_id "
            "GROUP BY f.code")).all())
    engine.dispose()
    known = [u for u in PROVINCE_USERS if u.email in present]
    bureau = max((u for u in known if u.role == "FINANCE_BUREAU"),
                 key=lambda u: (party_counts.get(u.scope, 0), u.email))
    manager = max((u for u in known if u.role == "FUND_MANAGER"),
                  key=lambda u: (sum(holdings.get(code, 0) for code in u.scope.split()),
                                 u.email))
    admin, auditor = "admin@demo.example", "auditor@demo.example"
    return [
        Page("trivial", "/health (liveness, signed out)", TRIVIAL, None, "trivial"),
        Page("list", "funds", "/funds/", admin, "funds"),
        Page("list", "projects", "/projects/", admin, "projects"),
        Page("list", "agreements", "/agreements/", admin, "agreements"),
        Page("list", "observations", "/observations/", admin, "observations"),
        Page("list", "audit trail", "/audit/", admin, "audit trail"),
        Page("dashboard", "home · administrator", "/", admin, "home admin"),
        Page("dashboard", f"home · fund manager ({manager.scope})", "/", manager.email,
             "home fund manager"),
        Page("dashboard", f"home · finance bureau ({bureau.scope})", "/", bureau.email,
             "home bureau"),
        Page("dashboard", "home · auditor", "/", auditor, "home auditor"),
        Page("dashboard", f"fund dashboard (fund {fund_id}, the most holdings)",
             f"/funds/{fund_id}", admin, "fund dashboard"),
        Page("dashboard", f"region page {bureau.scope} (its bureau)",
             f"/regions/{bureau.scope}", bureau.email, "region page"),
        Page("statement", f"statement, agreement {agreement_id} {quarter}",
             f"/agreements/{agreement_id}/quarters/{quarter}/", admin, "statement"),
    ]


@dataclass
class Row:
    """One page's measurement (``load`` None when the page did not answer 200)."""

    page: Page
    status: int
    load: webload.Load | None
    beside: webload.Load | None = None  # the trivial view, loaded right after the page


def measure(url: str, to_load: list[Page], seconds: float, warmup: float,
            connections: int) -> list[Row]:
    """Serve ``url`` with gunicorn and load each page: warm-up, then ``seconds`` measured."""
    server = webload.Server(url, DATA, make_url(url).get_backend_name())
    try:
        server.wait_ready()
        return load_pages(server.base, to_load, seconds, warmup, connections)
    finally:
        server.stop()


class Cookies:
    """Session cookies of the demo's sign-ins at ``base``, signed in on first use."""

    def __init__(self, base: str):
        self.base, self.known = base, {}

    def of(self, email: str | None) -> str | None:
        """The ``session=…`` pair of ``email`` (None when signed out); RuntimeError if refused."""
        if email is None:
            return None
        if email not in self.known:
            self.known[email] = webload.sign_in(self.base, email, USERS[email].password)
        return self.known[email]


def load_pages(base: str, to_load: list[Page], seconds: float, warmup: float,
               connections: int) -> list[Row]:
    """Load each page at ``base``: warm-up, then ``seconds`` measured, then the trivial view
    for a fifth of that (the machine is shared: the trivial view beside each page shows its
    noise, and the median of them all is the run's unit)."""
    rows = []
    cookies = Cookies(base)
    for page in to_load:
        try:
            cookie = cookies.of(page.email)
        except RuntimeError as exc:
            print(f"  {page.label}: {exc}", flush=True)
            rows.append(Row(page, 0, None))
            continue
        status, _headers, _body = webload.request(
            base, "GET", page.path, headers={"Cookie": cookie} if cookie else {})
        if status != 200:
            rows.append(Row(page, status, None))
            print(f"  {page.label}: HTTP {status}, not measured", flush=True)
            continue
        if warmup > 0:
            webload.run(base, page.path, cookie, warmup, connections)
        load = webload.run(base, page.path, cookie, seconds, connections)
        beside = None if page.kind == "trivial" else webload.run(
            base, TRIVIAL, None, max(1.0, seconds / 5), connections)
        rows.append(Row(page, status, load, beside))
        print(f"  {page.label}: p50 {load.p50_ms:.1f} ms, p99 {load.p99_ms:.1f} ms, "
              f"{load.requests_per_s:.0f} req/s"
              + (f" (trivial beside it: p99 {beside.p99_ms:.1f} ms)" if beside else ""),
              flush=True)
    return rows


def unit(rows: list[Row]) -> float:
    """The run's unit in ms: the median of the trivial view's p99s (alone and beside pages)."""
    p99s = [r.load.p99_ms for r in rows if r.page.kind == "trivial" and r.load]
    p99s += [r.beside.p99_ms for r in rows if r.beside]
    return webload.unit_of(p99s)


def passed(row: Row) -> bool:
    """Whether the page answered without failures and within its bar (trivial: always)."""
    if row.load is None or row.load.failures:
        return False
    bar = BARS_MS[row.page.kind]
    return bar is None or row.load.p99_ms <= bar


def report(engine_name: str, rows: list[Row], seconds: float, warmup: float, connections: int,
           built: float | None, load_avg: tuple[float, float]) -> str:
    """The markdown section: the table, how it was measured, the machine."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M +0000")
    trivial = next((r.load.p99_ms for r in rows if r.page.kind == "trivial" and r.load), None)
    run_unit = unit(rows)
    lines = [f"## {now} · web pages under load (`bench_web.py`) · {engine_name}", "",
             f"Unit: the trivial view's p99, median across the run = **{run_unit:.2f} ms**.", "",
             "| page | kind | signed in as | p50 ms | p99 ms | p99 units | req/s "
             "| trivial p99 beside it | p99 ÷ trivial beside | bar p99 | result |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in rows:
        bar = BARS_MS[row.page.kind]
        who = row.page.email or "—"
        if row.load is None:
            failure = f"HTTP {row.status}" if row.status else "sign-in failed"
            lines.append(f"| {row.page.label} | {row.page.kind} | {who} | — | — | — | — | — | — | "
                         f"{'≤ ' + format(bar, 'g') if bar else '—'} | **{failure}** |")
            continue
        load = row.load
        base = row.beside.p99_ms if row.beside else trivial
        ratio = f"{load.p99_ms / base:.0f}×" if base and row.page.kind != "trivial" \
            and math.isfinite(load.p99_ms) else "—"
        beside = f"{row.beside.p99_ms:.1f}" if row.beside else "—"
        verdict = "—" if bar is None else ("**PASS**" if passed(row) else "**MISS**")
        if load.failures:
            verdict += f" ({load.failures} failed requests)"
        units = f"{load.p99_ms / run_unit:.1f}" if math.isfinite(load.p99_ms) \
            and math.isfinite(run_unit) and run_unit > 0 else "—"
        lines.append(f"| {row.page.label} | {row.page.kind} | {who} | {_ms(load.p50_ms, seconds)}"
                     f" | {_ms(load.p99_ms, seconds)} | {units} | {load.requests_per_s:,.0f} | "
                     f"{beside} | "
                     f"{ratio} | "
                     f"{'≤ ' + format(bar, 'g') if bar else '—'} | {verdict} |")
    tool = next((r.load.tool for r in rows if r.load), "—")
    data = (f"database built in {built:.0f} s" if built is not None
            else "province database reused (at the migration head)")
    lines += ["", f"gunicorn, 2 sync workers (`gunicorn.conf.py`: gc.freeze after worker start, "
              f"access log on) · {tool} with {connections} connections, {seconds:g} s per page "
              f"after {warmup:g} s of warm-up · {data} · machine load average (1 min) "
              f"{load_avg[0]:.1f} before, {load_avg[1]:.1f} after · {platform.platform()}; "
              f"{os.cpu_count()} CPUs; Python {platform.python_version()}", ""]
    return "\n".join(lines)


def _ms(value: float, seconds: float) -> str:
    return f"{value:.1f}" if math.isfinite(value) else f"> {seconds * 1000:.0f}"


def main(argv: list[str] | None = None) -> int:
    """Prepare the databases, load the pages, print, append to RESULTS.md; 1 if a bar is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=float,
                        default=float(os.environ.get("BENCH_SECONDS", "10")))
    parser.add_argument("--warmup", type=float,
                        default=float(os.environ.get("BENCH_WARMUP", "2")))
    parser.add_argument("--connections", type=int,
                        default=int(os.environ.get("BENCH_CONNECTIONS", "2")))
    parser.add_argument("--only", default="", help="load only pages whose label contains this")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    DATA.mkdir(parents=True, exist_ok=True)
    databases = []
    if args.engine in ("sqlite", "both"):
        databases.append(("SQLite", *sqlite_database()))
    if args.engine in ("postgresql", "both"):
        found = postgres_database()
        if found:
            databases.append(("PostgreSQL", *found))
        elif args.engine == "postgresql":
            return 1
    ok = True
    for engine_name, url, built in databases:
        print(f"== {engine_name}", flush=True)
        to_load = [p for p in pages(url) if args.only in p.label or p.kind == "trivial"]
        before = os.getloadavg()[0]
        rows = measure(url, to_load, args.seconds, args.warmup, args.connections)
        section = report(engine_name, rows, args.seconds, args.warmup, args.connections, built,
                         (before, os.getloadavg()[0]))
        print(section, flush=True)
        if not args.no_write:
            with RESULTS.open("a", encoding="utf-8") as handle:
                handle.write("\n" + section)
        ok = ok and all(passed(row) for row in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
