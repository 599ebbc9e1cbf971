"""Web pages, cold pages and reports at nation scale (issue 20), through a real reverse proxy:
two gunicorn servers (``gunicorn.conf.py``, 2 sync workers each, ``TRUSTED_PROXIES=1``, one
``SECRET_KEY``) on two ports behind Debian's nginx (``benchmarks/nginx-bench.conf``: the
production upstream and proxy settings of docs/operations.md, without TLS), every request through
nginx. nginx and wrk are installed with ``scripts/ensure-packages`` when missing.

Every bar is counted in **units**: the trivial view's (``/health``) p99, measured alone and right
after every page, the unit being the median of those p99s across the run. Bars: list pages p99
≤ 15 units, dashboards ≤ 60, the statement page ≤ 100; cold pages (the first request after a
write that invalidates it: an observation edited for the statement and the region page, a ledger
row added for the fund dashboard), p99 over ``--cold-repeats`` writes ≤ 250 units; the regional
report of the largest province and the fund report of the largest fund, from the database to PDF
bytes, in time and peak RSS ≤ 2× a bare ReportLab document of the same number of pages (each in a
fresh process importing the same modules); the SQL statements per page equal at the province and
the nation tier (counted in-process, caches warm, as ``tests/web/test_query_counts.py`` does).

The nation database (PostgreSQL only) is ``bench_nation`` on the server of ``BENCH_POSTGRES_URL``
/ ``TEST_DATABASE_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/``), built with
``flask --app wsgi db upgrade`` and ``demo load --scale nation`` when missing; ``--database-url``
uses a loaded one instead. ``--tier province`` runs the same harness on the province database of
``bench_web.py`` (``bench_province``). The cold measurement writes to the database: it edits one
observation of an open quarter back and forth (left at its value) and appends ``--cold-repeats``
fees of 0.01 yuan to the largest fund's ledger (append-only), noted "bench_nation cold read".

Run from the repository root (``make bench-nation``): ``python benchmarks/bench_nation.py
[--tier nation|province] [--database-url URL] [--seconds N] [--cold-repeats N] [--only TEXT]
[--no-write]``. Prints markdown tables (ms and units) and appends them, dated, to
``benchmarks/RESULTS.md``; exit status 1 if a bar is missed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.models.database import make_engine  # noqa: E402
from benchmarks import bench_web, webload  # noqa: E402

DATA = bench_web.DATA
RESULTS = bench_web.RESULTS
NATION_DATABASE = "bench_nation"
BARS_UNITS = {"trivial": None, "list": 15.0, "dashboard": 60.0, "statement": 100.0}
COLD_BAR_UNITS = 250.0
REPORT_RATIO = 2.0
COLD_NOTE = "bench_nation cold read"
PACKAGES = (("/usr/sbin/nginx", "nginx"), ("/usr/bin/wrk", "wrk"))


# --- the machine and the database ----------------------------------------------------------

def ensure_packages() -> None:
    """nginx and wrk from Debian when missing (``scripts/ensure-packages``)."""
    for path, package in PACKAGES:
        subprocess.run(["bash", str(ROOT / "scripts" / "ensure-packages"), path, package],  # noqa: S603, S607
                       check=True)


def loaded(url: str) -> bool:
    """Whether ``url`` is at the migration head and holds agreements and observations."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            version = ",".join(sorted(connection.scalars(
                text("SELECT version_num FROM alembic_version"))))
            rows = connection.scalar(text(
                "SELECT EXISTS (SELECT 1 FROM observations) AND EXISTS (SELECT 1 FROM agreements)"
                " AND EXISTS (SELECT 1 FROM users WHERE email = 'admin@demo.example')"))
        return version == bench_web.head() and bool(rows)
    except Exception:  # no database, no tables: not loaded
        return False
    finally:
        engine.dispose()


def nation_database() -> tuple[str, float | None]:
    """``bench_nation`` on the PostgreSQL server, built when missing or not at the head."""
    server = make_url(bench_web.postgres_server())
    if not server.drivername.startswith("postgresql"):
        raise SystemExit("the nation tier needs PostgreSQL (BENCH_POSTGRES_URL)")
    url = server.set(database=NATION_DATABASE).render_as_string(hide_password=False)
    if loaded(url):
        return url, None
    admin = make_engine(server.set(database="postgres").render_as_string(
        hide_password=False)).execution_options(isolation_level="AUTOCOMMIT")
    print(f"building the nation database ({NATION_DATABASE}) …", flush=True)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{NATION_DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{NATION_DATABASE}"'))
        connection.execute(text(
            f'ALTER DATABASE "{NATION_DATABASE}" SET random_page_cost = 1.1'))
    admin.dispose()
    return url, bench_web.build(url, "nation")


def database(tier: str, given: str | None) -> tuple[str, float | None]:
    """The database of the tier: ``given``, else the kept province or nation one."""
    if given:
        if not loaded(given):
            raise SystemExit(f"{make_url(given).database}: not loaded or not at the head")
        return given, None
    if tier == "province":
        found = bench_web.postgres_database()
        if found is None:
            raise SystemExit("PostgreSQL is not reachable")
        return found
    return nation_database()


def tier_sizes(url: str) -> str:
    """Funds, projects, agreements and observations of the database, in words."""
    engine = make_engine(url)
    with engine.connect() as connection:
        counts = [connection.scalar(text(f"SELECT count(*) FROM {table}"))
                  for table in ("funds", "projects", "agreements", "observations")]
    engine.dispose()
    return ("{:,} funds, {:,} projects, {:,} agreements, {:,} observations".format(*counts))


# --- servers behind nginx ------------------------------------------------------------------

class Stack:
    """Two gunicorn servers (2 sync workers each, one secret) behind nginx."""

    def __init__(self, url: str, servers: int = 2, workers: int = 2):
        secret = os.urandom(32).hex()
        self.servers = [webload.Server(url, DATA, f"nation-{n}", workers=workers,
                                       env={"TRUSTED_PROXIES": "1"}, secret=secret)
                        for n in range(1, servers + 1)]
        self.proxy = None
        try:
            for server in self.servers:
                server.wait_ready(timeout=120)
            self.proxy = webload.Proxy([s.port for s in self.servers], DATA)
            self.proxy.wait_ready()
        except BaseException:
            self.stop()
            raise
        self.base = self.proxy.base

    def stop(self) -> None:
        """Stop nginx, then the app servers."""
        if self.proxy is not None:
            self.proxy.stop()
        for server in self.servers:
            server.stop()


# --- cold pages ----------------------------------------------------------------------------

@dataclass
class Cold:
    """The first requests after invalidating writes: their times in ms, and what was written."""

    page: bench_web.Page
    write: str
    times: list[float]

    @property
    def p99(self) -> float:
        """The nearest-rank p99 (the slowest of fewer than 100)."""
        ordered = sorted(self.times)
        return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)] if ordered else math.inf


OPEN_OBSERVATION = """
SELECT p.code, o.indicator_code, o.quarter, o.value
FROM observations o
JOIN projects p ON p.id = o.project_id
JOIN covered_projects c ON c.project_id = o.project_id
JOIN sharing_rules r ON r.agreement_id = c.agreement_id AND r.indicator_code = o.indicator_code
WHERE c.agreement_id IN ({agreements}) AND o.value IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM agreement_quarters q JOIN covered_projects c2
                  ON c2.agreement_id = q.agreement_id
                  WHERE c2.project_id = o.project_id AND q.quarter = o.quarter
                  AND q.state <> 'OPEN')
ORDER BY o.quarter DESC, p.code, o.indicator_code
LIMIT 1
"""


def _observation(session: Session, agreements: str, params: dict):
    """An observation in a quarter open under every agreement covering its project, of an
    indicator shared by one of ``agreements`` (a subquery or list of ids)."""
    from app.models import Observation

    row = session.execute(text(OPEN_OBSERVATION.format(agreements=agreements)), params).first()
    if row is None:
        raise RuntimeError(f"no observation in an open quarter for agreements {agreements}")
    code, indicator, quarter, stored = row  # the value as stored: a whole number of its unit
    value = Observation.__table__.c.value.type.process_result_value(stored, None)
    return code, indicator, quarter, value


def cold_pages(url: str, base: str, pages: list[bench_web.Page], repeats: int) -> list[Cold]:
    """For the statement, the fund dashboard and the region page: ``repeats`` times, commit a
    write that invalidates the page's cached figures (through the services, as the web's
    handlers do), then time the first request for it through the proxy."""
    from app.domain.codes import MovementType
    from app.domain.quarter import Quarter
    from app.services.access.scopes import SYSTEM
    from app.services.funds import register
    from app.services.sharing import observations

    by_key = {p.key: p for p in pages}
    cookies = bench_web.Cookies(base)
    engine = make_engine(url)
    found: list[Cold] = []

    def observation_writer(agreements: str, params: dict):
        with Session(engine) as session:
            code, indicator, quarter, value = _observation(session, agreements, params)
        quarter = Quarter.parse(str(quarter))
        state = {"n": 0}

        def write() -> None:
            state["n"] += 1
            new = value + 1 if state["n"] % 2 else value  # back and forth, ends on its value
            with Session(engine) as session:
                observations.enter_observations(session, SYSTEM, quarter, [
                    observations.ObservationEntry(code, indicator, Decimal(new))])
                session.commit()

        def restore() -> None:
            if state["n"] % 2:
                state["n"] += 1
                with Session(engine) as session:
                    observations.enter_observations(session, SYSTEM, quarter, [
                        observations.ObservationEntry(code, indicator, Decimal(value))])
                    session.commit()

        return write, restore, f"observation {code} {indicator} {quarter} edited"

    jobs = []
    if "statement" in by_key:
        page = by_key["statement"]
        agreement_id = int(page.path.split("/")[2])
        jobs.append((page, *observation_writer(":agreement", {"agreement": agreement_id})))
    if "fund dashboard" in by_key:
        page = by_key["fund dashboard"]
        fund_id = int(page.path.rstrip("/").split("/")[-1])

        def add_fee() -> None:
            with Session(engine) as session:
                today = dt.datetime.now(dt.UTC).date()
                register.record_movement(session, SYSTEM, fund_id, register.MovementData(
                    MovementType.FEE, today, Decimal("0.01"), note=COLD_NOTE))
                session.commit()

        jobs.append((page, add_fee, lambda: None, f"fee of 0.01 yuan added to fund {fund_id}"))
    if "region page" in by_key:
        page = by_key["region page"]
        region = page.path.rstrip("/").split("/")[-1]
        parties = ("SELECT p.agreement_id FROM agreement_parties p JOIN regions g "
                   "ON g.id = p.region_id WHERE g.code = :region")
        jobs.append((page, *observation_writer(parties, {"region": region})))
    try:
        for page, write, restore, described in jobs:
            cookie = cookies.of(page.email)
            headers = {"Cookie": cookie} if cookie else {}
            times = []
            try:
                for _ in range(repeats):
                    write()
                    started = time.perf_counter()
                    status, _headers, _body = webload.request(base, "GET", page.path,
                                                              headers=headers)
                    elapsed = (time.perf_counter() - started) * 1000
                    times.append(elapsed if status == 200 else math.inf)
            finally:
                restore()
            cold = Cold(page, described, times)
            found.append(cold)
            print(f"  cold {page.label}: p99 {cold.p99:.0f} ms over {len(times)} writes "
                  f"({described})", flush=True)
    finally:
        engine.dispose()
    return found


# --- queries per page ----------------------------------------------------------------------

def query_counts(url: str, pages: list[bench_web.Page]) -> dict[str, int]:
    """SQL statements of one GET of each page (by key), in-process, caches warmed by two GETs."""
    from app import create_app

    app = create_app({"APP_ENV": "production", "DATABASE_URL": url, "SECRET_KEY": "counts",
                      "WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False})
    engine = app.extensions["db_engine"]
    clients = {}
    counts = {}
    for page in pages:
        if page.kind == "trivial":
            continue
        if page.email not in clients:
            client = app.test_client()
            client.post("/sign-in", data={"email": page.email,
                                          "password": bench_web.USERS[page.email].password})
            clients[page.email] = client
        client = clients[page.email]
        for _ in range(2):
            assert client.get(page.path).status_code == 200, page.path
        seen = []

        def note(*_args, seen=seen):
            seen.append(1)

        event.listen(engine, "before_cursor_execute", note)
        try:
            assert client.get(page.path).status_code == 200, page.path
        finally:
            event.remove(engine, "before_cursor_execute", note)
        counts[page.key] = len(seen)
    engine.dispose()
    return counts


# --- reports -------------------------------------------------------------------------------

def report_subjects(url: str) -> list[tuple[str, str, str, str]]:
    """(label, kind, code, quarter): the regional report of the province with the most
    projects and the fund report of the fund with the most holdings, for the newest quarter
    with observations."""
    engine = make_engine(url)
    with engine.connect() as connection:
        quarter = connection.scalar(text("SELECT max(quarter) FROM observations"))
        province = connection.scalar(text(
            "SELECT substr(r.code, 1, 2) || '0000' FROM projects p JOIN regions r "
            "ON r.id = p.destination_region_id GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"))
        fund = connection.scalar(text(
            "SELECT f.code FROM investments i JOIN funds f ON f.id = i.fund_id "
            "GROUP BY f.code ORDER BY count(*) DESC, f.code LIMIT 1"))
    engine.dispose()
    return [(f"regional report, province {province} (most projects)", "region", province,
             str(quarter)),
            (f"fund report, fund {fund} (most holdings)", "fund", fund, str(quarter))]


def report_child(args) -> int:
    """In a fresh process: render ours (from the database) or the bare document twice; print
    the second run's seconds, the first's, the pages and this process's peak RSS as JSON."""
    # The same imports either way, so that both processes start from the same resident size.
    from app.domain.quarter import Quarter
    from app.services.access.scopes import SYSTEM
    from app.services.reporting import issuing
    from benchmarks import bench_reports
    from reports import render

    engine = make_engine(args.database_url)
    times, pdf, parts = [], b"", {}
    for _ in range(2):
        started = time.perf_counter()
        if args.child == "ours":  # issuing.draft, step by step to say where the time goes
            builder = issuing.BUILDERS[args.kind]
            with Session(engine) as session:
                subject = builder.subject(session, SYSTEM, args.code)
                data = builder.collect(session, subject, Quarter.parse(args.quarter))
                session.commit()  # the cache rows filled on the way, as a web request keeps them
            collected = time.perf_counter()
            document = builder.build(data, issuing.IssueInfo())
            built = time.perf_counter()
            pdf = render(document)
            parts = {"collect": collected - started, "build": built - collected,
                     "render": time.perf_counter() - built}
        else:
            pdf = bare_pages(bench_reports, args.pages)
        times.append(time.perf_counter() - started)
    engine.dispose()
    print(json.dumps({"seconds": times[1], "first": times[0], "parts": parts,
                      "pages": bench_reports.pages(pdf),
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    return 0


def bare_pages(bench_reports, count: int) -> bytes:
    """A bare ReportLab document of ``count`` pages: on each, one plain table of statement-like
    rows (bench_reports' workload: Chinese names, the same font and column widths), as many
    rows as fill the page."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import PageBreak, SimpleDocTemplate
    from reportlab.platypus import Table as RLTable

    from reports.fonts import register_fonts
    from reports.pages import MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X

    font = register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                            topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, invariant=1)
    weights = [c.width_weight for c in bench_reports.COLUMNS]
    widths = [doc.width * w / sum(weights) for w in weights]
    header = [f"{c.label_zh} / {c.label_en}" for c in bench_reports.COLUMNS]
    style = [("FONT", (0, 0), (-1, -1), font, 8, 10), ("LINEBELOW", (0, 0), (-1, 0), 0.8, "black")]
    sample = bench_reports.workload(200)
    per_page = max(n for n in range(1, 200) if RLTable(
        [header, *sample[:n]], colWidths=widths, style=style).wrap(doc.width, doc.height)[1]
        <= doc.height - 12)
    rows = bench_reports.workload(count * per_page)
    story = []
    for page in range(count):
        chunk = rows[page * per_page:(page + 1) * per_page]
        story.append(RLTable([header, *chunk], colWidths=widths, style=style))
        if page < count - 1:
            story.append(PageBreak())
    doc.build(story)
    return buffer.getvalue()


def child(url: str, which: str, kind: str = "", code: str = "", quarter: str = "",
          pages: int = 0) -> dict:
    """Run :func:`report_child` in a fresh interpreter; its JSON."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", which,
               "--database-url", url, "--kind", kind, "--code", code, "--quarter", quarter,
               "--pages", str(pages)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,  # noqa: S603
                          check=False, env={**os.environ, "APP_ENV": "production",
                                            "SECRET_KEY": "bench"})
    if done.returncode != 0:
        raise RuntimeError(f"report child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


@dataclass
class ReportRow:
    """Ours and the bare document of the same pages."""

    label: str
    ours: dict
    bare: dict

    @property
    def passed(self) -> bool:
        return (self.ours["seconds"] <= REPORT_RATIO * self.bare["seconds"]
                and self.ours["rss_mb"] <= REPORT_RATIO * self.bare["rss_mb"])


def reports(url: str) -> list[ReportRow]:
    """Each report, then a bare document of as many pages, each in its own process."""
    found = []
    for label, kind, code, quarter in report_subjects(url):
        ours = child(url, "ours", kind, code, quarter)
        bare = child(url, "bare", pages=ours["pages"])
        row = ReportRow(label, ours, bare)
        found.append(row)
        where = ", ".join(f"{k} {v:.2f} s" for k, v in ours["parts"].items())
        print(f"  {label}: {ours['seconds']:.2f} s ({where}; first run {ours['first']:.2f} s), "
              f"{ours['pages']} pages, {ours['rss_mb']:.0f} MB; bare {bare['seconds']:.2f} s, "
              f"{bare['pages']} pages, {bare['rss_mb']:.0f} MB", flush=True)
    return found


# --- the tables ----------------------------------------------------------------------------

def page_passed(row: bench_web.Row, unit: float) -> bool:
    """Within its bar in units, without failures (the trivial view: answered)."""
    if row.load is None or row.load.failures:
        return False
    bar = BARS_UNITS[row.page.kind]
    return bar is None or row.load.p99_ms <= bar * unit


def _units(ms: float, unit: float) -> str:
    return f"{ms / unit:.1f}" if math.isfinite(ms) and unit > 0 else "—"


def _verdict(ok: bool) -> str:
    return "**PASS**" if ok else "**MISS**"


def tables(tier: str, sizes: str, rows, unit: float, colds, report_rows, counts,
           other_counts, settings: str) -> tuple[str, bool]:
    """The markdown section and whether every bar was met."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M +0000")
    ok = True
    lines = [f"## {now} · {tier} tier through nginx (`bench_nation.py`) · PostgreSQL", "",
             f"{sizes}. Unit = the trivial view's p99, median across the run: "
             f"**{unit:.2f} ms**.", "",
             "| page | kind | signed in as | p50 ms | p99 ms | p99 units | req/s | bar | result |",
             "|---|---|---|---:|---:|---:|---:|---:|---|"]
    for row in rows:
        bar = BARS_UNITS[row.page.kind]
        bar_text = f"≤ {bar:g} u" if bar else "—"
        who = row.page.email or "—"
        passed = page_passed(row, unit)
        ok = ok and passed
        if row.load is None:
            lines.append(f"| {row.page.label} | {row.page.kind} | {who} | — | — | — | — | "
                         f"{bar_text} | **HTTP {row.status}** |")
            continue
        verdict = "—" if bar is None and passed else _verdict(passed)
        lines.append(f"| {row.page.label} | {row.page.kind} | {who} | {row.load.p50_ms:.1f} | "
                     f"{row.load.p99_ms:.1f} | {_units(row.load.p99_ms, unit)} | "
                     f"{row.load.requests_per_s:,.0f} | {bar_text} | {verdict} |")
    if colds:
        lines += ["", "| cold: first request after a write | write | requests | median ms | "
                  "p99 ms | p99 units | bar | result |", "|---|---|---:|---:|---:|---:|---:|---|"]
        for cold in colds:
            passed = cold.p99 <= COLD_BAR_UNITS * unit
            ok = ok and passed
            median = sorted(cold.times)[len(cold.times) // 2] if cold.times else math.inf
            lines.append(f"| {cold.page.label} | {cold.write} | {len(cold.times)} | "
                         f"{median:.0f} | {cold.p99:.0f} | {_units(cold.p99, unit)} | "
                         f"≤ {COLD_BAR_UNITS:g} u | {_verdict(passed)} |")
    if report_rows:
        lines += ["", "| report (from the database to PDF) | pages | ours s (first run) | "
                  "of which data · layout · render s | bare s | ours ÷ bare | ours peak RSS MB "
                  "| bare MB | ÷ | bar | result |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for r in report_rows:
            ok = ok and r.passed
            lines.append(
                f"| {r.label} | {r.ours['pages']} (bare {r.bare['pages']}) | "
                f"{r.ours['seconds']:.2f} ({r.ours['first']:.2f}) | "
                f"{' · '.join(format(v, '.2f') for v in r.ours['parts'].values())} | "
                f"{r.bare['seconds']:.2f} | "
                f"{r.ours['seconds'] / r.bare['seconds']:.2f}× | {r.ours['rss_mb']:.0f} | "
                f"{r.bare['rss_mb']:.0f} | {r.ours['rss_mb'] / r.bare['rss_mb']:.2f}× | "
                f"≤ {REPORT_RATIO:g}× bare | {_verdict(r.passed)} |")
    if counts:
        other_name = "province" if tier == "nation" else "—"
        lines += ["", f"| queries per page (warm) | {tier} | {other_name} | result |",
                  "|---|---:|---:|---|"]
        for key, count in counts.items():
            other = other_counts.get(key) if other_counts else None
            same = other is None or other == count
            ok = ok and same
            verdict = "equal" if other is not None and same else ("—" if same else "**DIFFERENT**")
            lines.append(f"| {key} | {count} | {other if other is not None else '—'} | {verdict} |")
    lines += ["", settings, ""]
    return "\n".join(lines), ok


def main(argv: list[str] | None = None) -> int:
    """Prepare, load, measure, print, append to RESULTS.md; 1 if a bar is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tier", choices=["nation", "province"], default="nation")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seconds", type=float,
                        default=float(os.environ.get("BENCH_SECONDS", "10")))
    parser.add_argument("--warmup", type=float,
                        default=float(os.environ.get("BENCH_WARMUP", "2")))
    parser.add_argument("--connections", type=int,
                        default=int(os.environ.get("BENCH_CONNECTIONS", "2")))
    parser.add_argument("--cold-repeats", type=int, default=20)
    parser.add_argument("--only", default="", help="load only pages whose label contains this")
    parser.add_argument("--skip", default="", help="comma-separated: pages,cold,reports,counts")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child", choices=["ours", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--kind", default="", help=argparse.SUPPRESS)
    parser.add_argument("--code", default="", help=argparse.SUPPRESS)
    parser.add_argument("--quarter", default="", help=argparse.SUPPRESS)
    parser.add_argument("--pages", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return report_child(args)
    skip = set(filter(None, args.skip.split(",")))
    DATA.mkdir(parents=True, exist_ok=True)
    ensure_packages()
    url, built = database(args.tier, args.database_url)
    sizes = tier_sizes(url)
    print(f"== {args.tier} tier: {make_url(url).database} ({sizes})", flush=True)
    pages = [p for p in bench_web.pages(url) if args.only in p.label or p.kind == "trivial"]
    before = os.getloadavg()[0]
    rows, colds = [], []
    stack = Stack(url)
    try:
        if "pages" not in skip:
            rows = bench_web.load_pages(stack.base, pages, args.seconds, args.warmup,
                                        args.connections)
        if "cold" not in skip:
            colds = cold_pages(url, stack.base, pages, args.cold_repeats)
        if not rows:  # the unit still comes from the trivial view of this run
            rows = bench_web.load_pages(stack.base, pages[:1], args.seconds, args.warmup,
                                        args.connections)
    finally:
        stack.stop()
    unit = bench_web.unit(rows)
    report_rows = [] if "reports" in skip else reports(url)
    counts, other_counts = {}, {}
    if "counts" not in skip:
        counts = query_counts(url, pages)
        if args.tier == "nation":
            province = bench_web.postgres_database()
            if province:
                other_counts = query_counts(province[0], bench_web.pages(province[0]))
    data = (f"database built in {built:.0f} s" if built is not None
            else f"database {make_url(url).database} reused")
    tool = rows[0].load.tool if rows and rows[0].load else "—"
    settings = (f"nginx → 2 gunicorn servers × 2 sync workers (`gunicorn.conf.py`, "
                f"TRUSTED_PROXIES=1) · {tool} "
                f"with {args.connections} connections, {args.seconds:g} s per page after "
                f"{args.warmup:g} s of warm-up · cold: {args.cold_repeats} writes per page · "
                f"{data} · load average (1 min) {before:.1f} before, {os.getloadavg()[0]:.1f} "
                f"after · {platform.platform()}; {os.cpu_count()} CPUs; Python "
                f"{platform.python_version()}")
    section, ok = tables(args.tier, sizes, rows, unit, colds, report_rows, counts,
                         other_counts, settings)
    print(section, flush=True)
    if not args.no_write:
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write("\n" + section)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
