"""Concurrent ledger appends (issue 12): gunicorn on PostgreSQL, 20 API clients posting capital
calls without a reference to one fund for a bounded time (loopback only). Bar: ≥ 99 % accepted,
no lost row (an accepted call missing from the ledger) and no duplicate reference.

A fresh database ``<server database>_appends`` is created on the server of
``BENCH_POSTGRES_URL``, else ``TEST_DATABASE_URL``, else
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``, migrated, given a fund and a fund
manager with an API token, and dropped at the end.

Run from the repository root: ``python benchmarks/bench_ledger_appends.py [--seconds N]
[--clients N] [--workers N] [--no-write]``. Prints a markdown table and appends it, dated, to
``benchmarks/RESULTS.md``; exit status 1 if the bar is missed.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import platform
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.demo.funds import SAMPLE_REGIONS  # noqa: E402
from app.domain.codes import FundClass, Role  # noqa: E402
from app.models import Movement, set_actor  # noqa: E402
from app.models.database import make_engine  # noqa: E402
from app.services.access import tokens, users  # noqa: E402
from app.services.access.scopes import SYSTEM  # noqa: E402
from app.services.funds import register as funds  # noqa: E402
from app.services.operations import schema  # noqa: E402
from app.services.reference import lookups as reference  # noqa: E402
from benchmarks import webload  # noqa: E402

DATA = ROOT / "benchmarks" / ".data"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
BAR_ACCEPTED = 0.99
FUND_CODE = "HF-01"
BODY = json.dumps({"type": "CAPITAL_CALL", "moved_on": "2024-05-01", "amount": "100.00"})


def server_url() -> str:
    """The PostgreSQL server's URL (its database names the benchmark's own)."""
    return (os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_DATABASE_URL")
            or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def prepare(url: str) -> tuple[int, str]:
    """Migrate ``url``, add the fund and its manager; the fund's id and the manager's token."""
    schema.upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            set_actor(session, None, "bench:appends")
            reference.load_builtin_reference(session)
            reference.import_regions(session, SAMPLE_REGIONS.read_text(encoding="utf-8")
                                     .splitlines())
            fund = funds.create_fund(session, SYSTEM, funds.FundData(
                code=FUND_CODE, name="并发入账基金", sponsor_region="440300", manager="并发资本",
                fund_class=FundClass.INDUSTRIAL, vintage=2024,
                target_size=Decimal("1000000000000.00")))
            manager = users.create_user(session, "appends@example.cn", "入账员",
                                        "bench-password-1", [users.GrantSpec(
                                            Role.FUND_MANAGER, fund_code=FUND_CODE)])
            secret = tokens.create_token(session, manager.id, "bench").secret
            session.commit()
            return fund.id, secret
    finally:
        engine.dispose()


def load(base: str, path: str, token: str, seconds: float, clients: int) -> dict:
    """``clients`` threads POST for ``seconds``; statuses, accepted references, refusals."""
    statuses: collections.Counter = collections.Counter()
    accepted: list[str] = []
    refusals: collections.Counter = collections.Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def client() -> None:
        while time.monotonic() < deadline:
            try:
                status, _headers, body = webload.request(base, "POST", path, body=BODY,
                                                         headers=headers)
            except OSError as exc:
                status, body = 0, type(exc).__name__
            with lock:
                statuses[status] += 1
                if status == 201:
                    accepted.append(json.loads(body)["reference"])
                else:
                    refusals[body[:160]] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"statuses": statuses, "accepted": accepted, "refusals": refusals}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--no-write", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()
    server = make_url(server_url())
    if not server.drivername.startswith("postgresql"):
        print("no PostgreSQL server configured: the benchmark needs one")
        return 0
    name = f"{server.database or 'postgres'}_appends"
    url = server.set(database=name).render_as_string(hide_password=False)
    admin = make_engine(server.render_as_string(hide_password=False)).execution_options(
        isolation_level="AUTOCOMMIT")
    drop = text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    with admin.connect() as connection:
        connection.execute(drop)
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    DATA.mkdir(parents=True, exist_ok=True)
    try:
        fund_id, token = prepare(url)
        gunicorn = webload.Server(url, DATA, "appends", workers=args.workers)
        try:
            gunicorn.wait_ready()
            outcome = load(gunicorn.base, f"/api/v1/funds/{fund_id}/movements", token,
                           args.seconds, args.clients)
        finally:
            gunicorn.stop()
        engine = make_engine(url)
        with engine.connect() as connection:
            stored = connection.scalar(select(func.count()).select_from(Movement).where(
                Movement.fund_id == fund_id))
            references = set(connection.scalars(select(Movement.reference).where(
                Movement.fund_id == fund_id)))
        engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(drop)
        admin.dispose()
    return report(args, outcome, stored, references)


def report(args, outcome: dict, stored: int, references: set[str]) -> int:
    """Print the figures (and append them to RESULTS.md); 1 if the bar is missed."""
    accepted = outcome["accepted"]
    total = sum(outcome["statuses"].values())
    share = len(accepted) / total if total else 0.0
    duplicates = len(accepted) - len(set(accepted))
    lost = len(set(accepted) - references)
    met = share >= BAR_ACCEPTED and duplicates == 0 and lost == 0 and stored == len(accepted)
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(outcome["statuses"].items()))
    today = dt.datetime.now(dt.UTC).date()
    lines = [f"## Ledger appends under concurrency — {today} ({platform.node()})", "",
             f"{args.clients} API clients posting capital calls without a reference to one "
             f"fund for {args.seconds:g} s; gunicorn, {args.workers} sync workers, PostgreSQL.",
             "", "| requests | accepted | accepted % | rows stored | duplicates | lost "
             "| statuses | bar (≥ 99 %, none lost or twice) |",
             "|---:|---:|---:|---:|---:|---:|---|---|",
             f"| {total} | {len(accepted)} | {share:.1%} | {stored} | {duplicates} | {lost} "
             f"| {statuses} | {'met' if met else 'MISSED'} |", ""]
    for body, n in outcome["refusals"].most_common(3):
        lines.append(f"- refused {n}×: `{body}`")
    text_ = "\n".join(lines) + "\n"
    print(text_)
    if not args.no_write:
        with RESULTS.open("a", encoding="utf-8") as results:
            results.write("\n" + text_)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
