"""Where a page's time goes, in-process: the app behind Flask's test client on a kept province
database (built by ``bench_web.py``), one page requested many times; prints the median and p90
wall time in ms (heap frozen after the warm-up, as in a gunicorn worker), this process's CPU
time per request (less disturbed by a busy machine than wall time), the number of SQL statements
and the time spent in them, and, with ``--profile``, the functions that took the most cumulative
time (cProfile).

Not a benchmark (no server, no concurrency, no bar): a tool to find what to make cheaper.
Run from the repository root, after ``bench_web.py`` has built the databases::

    python benchmarks/profile_page.py --engine postgresql --path /funds/ [--as EMAIL]
        [--repeat 200] [--profile] [--top 40] [--sort tottime] [--database-url URL]
        [--slowest N]

``--database-url`` profiles another database (the nation tier's, say); ``--slowest N`` prints
the N statements that took the most time in one request, with their parameters, and with
``--explain`` their plans (``EXPLAIN (ANALYZE, BUFFERS)``, PostgreSQL).
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from app import create_app  # noqa: E402
from benchmarks import bench_web  # noqa: E402


def database_url(engine: str) -> str:
    """The kept province database of ``engine`` (built when missing or stale)."""
    if engine == "sqlite":
        return bench_web.sqlite_database()[0]
    found = bench_web.postgres_database()
    if found is None:
        raise SystemExit("PostgreSQL is not reachable")
    return found[0]


def main(argv: list[str] | None = None) -> int:
    """Request the page, print timings (and the profile when asked)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--path", default="/funds/")
    parser.add_argument("--as", dest="email", default="admin@demo.example")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", choices=["cumulative", "tottime"], default="cumulative",
                        help="order of the profile: time with callees, or in the function alone")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--slowest", type=int, default=0)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args(argv)
    url = args.database_url or database_url(args.engine)
    app = create_app({"APP_ENV": "production", "DATABASE_URL": url,
                      "SECRET_KEY": "profile-page", "WTF_CSRF_ENABLED": False,
                      "SESSION_COOKIE_SECURE": False})
    client = app.test_client()
    password = bench_web.USERS[args.email].password
    signed_in = client.post("/sign-in", data={"email": args.email, "password": password})
    if signed_in.status_code not in (200, 302):
        raise SystemExit(f"sign-in failed: HTTP {signed_in.status_code}")
    sql = {"count": 0, "seconds": 0.0, "started": 0.0}
    statements: list[tuple[float, str, object]] = []
    engine = app.extensions["db_engine"]

    @event.listens_for(engine, "before_cursor_execute")
    def _before(*_args):
        sql["started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(_conn, _cursor, statement, parameters, *_args):
        sql["count"] += 1
        elapsed = time.perf_counter() - sql["started"]
        sql["seconds"] += elapsed
        if args.slowest:
            statements.append((elapsed, statement, parameters))

    for _ in range(10):  # warm caches, catalogues and compiled templates
        response = client.get(args.path)
        if response.status_code != 200:
            raise SystemExit(f"{args.path}: HTTP {response.status_code}")
    if args.slowest:
        statements.clear()
        client.get(args.path)
        for elapsed, statement, parameters in sorted(statements, key=lambda s: -s[0])[
                :args.slowest]:
            print(f"--- {elapsed * 1000:.1f} ms\n{statement}\n{parameters}")
            if args.explain and engine.dialect.name == "postgresql":
                with engine.connect() as connection:
                    plan = connection.exec_driver_sql(
                        f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters).scalars()
                    print("\n".join(plan))
                    connection.rollback()
        args.slowest = 0
    gc.collect()
    gc.freeze()  # as gunicorn.conf.py does after a worker starts
    sql.update(count=0, seconds=0.0)
    profiler = cProfile.Profile() if args.profile else None
    times = []
    cpu_started = time.process_time()
    for _ in range(args.repeat):
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        client.get(args.path)
        if profiler:
            profiler.disable()
        times.append((time.perf_counter() - started) * 1000)
    cpu_ms = (time.process_time() - cpu_started) * 1000 / args.repeat
    times.sort()
    print(f"{args.path} on {args.engine}: median {statistics.median(times):.2f} ms, "
          f"p90 {times[int(len(times) * 0.9)]:.2f} ms, CPU {cpu_ms:.2f} ms; "
          f"{sql['count'] / args.repeat:.1f} statements, "
          f"{sql['seconds'] * 1000 / args.repeat:.2f} ms in them, per request")
    if profiler:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
