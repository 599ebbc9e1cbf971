"""Re-screening at province scale (catalogue.md): 2,000 projects screened when the sample edition
is imported as the first (current) edition, then re-screened when a revised edition is imported
and made current, with the changed projects listed and their funds' managers and destination
bureaus notified. No bar is set by the spec; the figures are recorded.

Run from the repository root: ``python benchmarks/bench_rescreening.py [--database-url URL]
[--projects 2000] [--no-write]`` (default: a fresh SQLite file). Appends a line to
``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import platform
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app import models  # noqa: E402
from app.domain import codes  # noqa: E402
from app.models.database import make_engine  # noqa: E402
from app.services.access import users  # noqa: E402
from app.services.access.scopes import SYSTEM  # noqa: E402
from app.services.exchange.imports.catalogue import import_catalogue  # noqa: E402
from app.services.funds import investments, projects  # noqa: E402
from app.services.funds import register as funds  # noqa: E402
from app.services.operations import schema  # noqa: E402
from app.services.reference import lookups as reference  # noqa: E402
from app.services.reference.catalogue import EditionData  # noqa: E402

SEED = 20261205
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SAMPLE = ROOT / "app" / "data" / "catalogue-sample.csv"
DESTINATIONS = ("441600", "441400", "440800", "440200", "340100", "360700", "420900",
                "510100", "510500", "510300")
LISTED = ("39", "38", "3581", "1810", "3011", "3670", "2611", "3120", "2211", "3311", "3612",
          "3441", "3853", "2110", "3216", "2710", "3252")
FUNDS = 20
REVISIONS = {  # the revised edition: 河源's building materials welcome, 梅州's chemicals out
    "441600,NO_LONGER,建材,水泥熟料、平板玻璃等新增产能项目,30,,FALSE":
        "441600,PRIORITY,建材,绿色建材,30,,FALSE",
    "441400,ADJUST_EXIT,化工,基础化学原料制造,26,,FALSE":
        "441400,NO_LONGER,化工,基础化学原料制造,26,,FALSE",
    "340100,PRIORITY,汽车,新能源汽车及零部件,36,,FALSE":
        "340100,ADJUST_EXIT,汽车,燃油汽车整车,36,,FALSE",
}


def build(url: str, n_projects: int) -> None:
    """Migrate, load reference data, register ``n_projects`` projects (no edition yet: nothing
    screened), ``FUNDS`` funds each investing in a share of them, a manager per fund and a
    bureau per destination."""
    schema.upgrade(url)
    engine = make_engine(url)
    rng = random.Random(SEED)
    with Session(engine) as session:
        models.set_actor(session, None, "bench")
        reference.load_builtin_reference(session)
        sample = (ROOT / "app" / "data" / "regions_sample.csv").read_text(encoding="utf-8")
        reference.import_regions(session, sample.splitlines())
        classes = list(session.scalars(select(models.IndustryDivision.code).where(
            models.IndustryDivision.level == "CLASS", models.IndustryDivision.code < "44")
            .order_by(models.IndustryDivision.code)))
        listed = [c for c in LISTED if c in set(classes) or len(c) == 2]
        fund_ids = []
        for n in range(FUNDS):
            fund = funds.create_fund(session, SYSTEM, funds.FundData(
                code=f"RS-F{n:02d}", name=f"基准基金 {n}", sponsor_region="440300",
                manager="基准资本", fund_class=codes.FundClass.INDUSTRIAL, vintage=2024,
                target_size=Decimal("1000000000.00")))
            fund_ids.append(fund.id)
            users.create_user(session, f"rs-manager{n}@example.cn", f"经理 {n}", "x" * 16,
                              [users.GrantSpec(codes.Role.FUND_MANAGER, fund_code=fund.code)])
        for region in DESTINATIONS:
            users.create_user(session, f"rs-bureau{region}@example.cn", f"财政局 {region}",
                              "x" * 16,
                              [users.GrantSpec(codes.Role.FINANCE_BUREAU, region_code=region)])
        for n in range(n_projects):
            industry = rng.choice(listed) if rng.random() < 0.6 else rng.choice(classes)
            code = f"RS-{n:05d}"
            projects.create_project(session, SYSTEM, projects.ProjectData(
                code=code, name=f"项目 {n}", enterprise=f"企业 {n}", industry=industry,
                intensity=codes.Intensity.TECHNOLOGY, source_region="440300",
                destination_region=rng.choice(DESTINATIONS),
                cooperation_mode=codes.CooperationMode.JOINT_PARK,
                status=codes.ProjectStatus.IMPLEMENTATION))
            fund_id = fund_ids[n % FUNDS]
            investments.open_investment(session, SYSTEM, fund_id, code,
                                        codes.Instrument.EQUITY)
        session.commit()
    engine.dispose()


def edition(url: str, name: str, text: str) -> tuple[float, int, int, int]:
    """Import ``text`` as edition ``name`` made current, committed: (seconds, projects screened,
    changes listed, notifications stored)."""
    engine = make_engine(url)
    with Session(engine) as session:
        models.set_actor(session, None, "bench")
        before = session.scalar(select(func.count()).select_from(models.Notification))
        started = time.perf_counter()
        result = import_catalogue(session, SYSTEM, io.BytesIO(text.encode("utf-8")),
                                  "edition.csv", data=EditionData(name=name), make_current=True)
        session.commit()
        seconds = time.perf_counter() - started
        assert result.ok, result.errors
        stored = session.scalar(select(func.count()).select_from(models.Notification)) - before
        activation = result.activation
    engine.dispose()
    return seconds, activation.screened, len(activation.changes), stored


def main() -> int:
    """Build, measure both editions, print and append the line to RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty database (default: a fresh SQLite file)")
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{folder.name}/bench.sqlite3"
    started = time.perf_counter()
    build(url, args.projects)
    built_s = time.perf_counter() - started
    text = SAMPLE.read_text(encoding="utf-8")
    first = edition(url, "2018 示例", text)
    revised = text
    for old, new in REVISIONS.items():
        assert old in revised, old
        revised = revised.replace(old, new)
    second = edition(url, "2018 示例（修订）", revised)
    engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    when = dt.datetime.now().astimezone()
    line = (f"\n- {when:%Y-%m-%d %H:%M %z} · **re-screening** (`bench_rescreening.py`) · {engine} "
            f"· {args.projects:,} projects, {FUNDS} funds: first edition imported and "
            f"{first[1]:,} projects screened in **{first[0]:.2f} s** ({first[2]} flagged); a "
            f"revised edition made current, {second[1]:,} re-screened, {second[2]} changed and "
            f"{second[3]} notifications stored in **{second[0]:.2f} s** (import, screening, "
            f"changes, notifications, commit) · no bar set · data built in {built_s:.1f} s · "
            f"{platform.platform()}; Python {platform.python_version()}\n")
    print(line)
    if not args.no_write:
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(line)
    folder.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
