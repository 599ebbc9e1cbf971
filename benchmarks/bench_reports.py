"""PDF speed (quality.md): (a) 20,000 table rows through ``reports.render`` beside a bare ReportLab
script laying out the same rows in plain tables of 300-row chunks, same run, bar ≤ 2× bare;
(b) a ~100-page fund report with 10 charts and tables, bar ≤ 3 s and peak memory < 300 MB.

Run from the repository root: ``python benchmarks/bench_reports.py [--rows N] [--no-write]``
(``--no-accel`` hides the optional ``rl_accel`` C extension). Prints a markdown table and appends
it, dated, to ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib.util
import io
import math
import os
import platform
import random
import re
import resource
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if "--no-accel" in sys.argv:
    sys.modules["_rl_accel"] = None  # type: ignore[assignment]  # reportlab falls back to Python

import reportlab  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.platypus import SimpleDocTemplate  # noqa: E402
from reportlab.platypus import Table as RLTable  # noqa: E402

from reports import (  # noqa: E402
    BarChart,
    Column,
    Cover,
    Document,
    Heading,
    KeyFigure,
    KeyFigures,
    LineChart,
    Series,
    Table,
    fingerprint_of,
    render,
)
from reports.fonts import register_fonts  # noqa: E402
from reports.pages import MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X  # noqa: E402

SEED = 20260101
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
BAR_RATIO = 2.0
BAR_SECONDS = 3.0
BAR_MEGABYTES = 300
CHUNK = 300
SURNAMES = "江苏浙安徽宿迁南京苏州无锡盐城淮安连云港徐州合肥芜湖"
TRADES = ("新材料", "精密机械", "光伏科技", "电子信息", "生物医药", "汽车零部件", "纺织")
COLUMNS = (
    Column("项目", "Project", "left", 3.2),
    Column("转出 → 转入", "Source → destination", "left", 1.9),
    Column("指标", "Indicator", "left", 1.0),
    Column("季度", "Quarter", "center", 0.8),
    Column("观测值", "Observed", "right", 1.4),
    Column("转出方", "Source", "right", 1.3),
    Column("转入方", "Destination", "right", 1.3),
    Column("状态", "State", "left", 0.8),
)


def money(fen: int) -> str:
    """Fen as yuan with thousands separators, e.g. 1234567 -> '12,345.67'."""
    return f"{Decimal(fen).scaleb(-2):,.2f}"


def workload(count: int, seed: int = SEED) -> tuple[tuple[str, ...], ...]:
    """Deterministic statement rows: Chinese names, quarters and amounts already formatted."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        name = f"{rng.choice(SURNAMES)}{rng.choice(SURNAMES)}{rng.choice(TRADES)}有限公司 {i:05d}"
        observed = rng.randrange(10_000, 900_000_000)
        source = observed * 6 // 10
        rows.append((
            name, "南京市 → 宿迁市", rng.choice(("产值", "税收", "营收", "能耗")),
            f"{2015 + i % 10}Q{1 + i % 4}", money(observed), money(source),
            money(observed - source), rng.choice(("已确认", "待确认", "缺失")),
        ))
    return tuple(rows)


def document(blocks: tuple, title: str) -> Document:
    """A document around `blocks` with fixed labels."""
    return Document(
        title=title, subject="benchmark", author="bench_reports", language_note="",
        as_of_label="数据截至 2025-12-31 / As of 2025-12-31",
        generated_label="生成于 2026-01-05 / Generated 2026-01-05",
        fingerprint=fingerprint_of(title), blocks=blocks,
    )


def long_table(rows) -> Document:
    """Case (a): one table of all rows with a total row."""
    total = ("合计 / Total", "", "", "", "—", "—", "—", "")
    return document((Table(COLUMNS, rows, total_row=total),), "20,000 rows")


def bare(rows) -> bytes:
    """The bare script: the same rows in plain 300-row tables, same font and column widths."""
    font = register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                            topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, invariant=1)
    weights = [c.width_weight for c in COLUMNS]
    widths = [doc.width * w / sum(weights) for w in weights]
    header = [f"{c.label_zh} / {c.label_en}" for c in COLUMNS]
    style = [("FONT", (0, 0), (-1, -1), font, 8, 10), ("LINEBELOW", (0, 0), (-1, 0), 0.8, "black")]
    story = [
        RLTable([header, *rows[i:i + CHUNK]], colWidths=widths, repeatRows=1, style=style)
        for i in range(0, len(rows), CHUNK)
    ]
    doc.build(story)
    return buffer.getvalue()


def fund_report(sections: int = 10, rows_per_section: int = 500) -> Document:
    """Case (b): cover, key figures, then per section a heading, a chart and a table."""
    rows = workload(sections * rows_per_section, SEED + 1)
    quarters = tuple(f"{y}Q{q}" for y in range(2016, 2026) for q in range(1, 5))
    rng = random.Random(SEED)
    blocks: list = [
        Cover("某某产业转移引导基金 2025 年第四季度报告", "Fund quarterly report 2025Q4",
              ("基金 / Fund: 江苏产业转移引导基金", "季度 / Quarter: 2025Q4")),
        KeyFigures(tuple(KeyFigure(f"指标{i}", f"Figure {i}", money(rng.randrange(10**9)))
                         for i in range(9))),
    ]
    for s in range(sections):
        blocks.append(Heading(f"第 {s + 1} 部分", f"Section {s + 1}", 1))
        if s % 2 == 0:
            series = tuple(
                Series(name, tuple(Decimal(rng.randrange(10**6)) for _ in quarters))
                for name in ("实缴 / Calls", "投放 / Disbursed", "净值 / NAV")
            )
            blocks.append(LineChart(f"累计 / Cumulative {s}", "万元 / 10k CNY", quarters, series))
        else:
            regions = ("长三角", "珠三角", "京津冀", "中部", "西部", "东北")
            series = tuple(Series(str(y), tuple(Decimal(rng.randrange(10**5)) for _ in regions))
                           for y in (2024, 2025))
            blocks.append(BarChart(f"按区域 / By region {s}", "万元 / 10k CNY", regions, series))
        part = rows[s * rows_per_section:(s + 1) * rows_per_section]
        blocks.append(Table(COLUMNS, part, caption=f"表 {s + 1} / Table {s + 1}"))
    return document(tuple(blocks), "fund report")


def pages(pdf: bytes) -> int:
    """The number of pages of a PDF written by ReportLab."""
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def best_of(function, repeats: int) -> tuple[float, bytes]:
    """The best wall-clock time of `repeats` calls, and the last result."""
    best, result = math.inf, b""
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def machine() -> str:
    """The processor, kernel and CPU count, for comparing results across runs."""
    uname = platform.uname()
    model = platform.processor() or uname.machine
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"{model}; {uname.system} {uname.release} {uname.machine}; nproc {nproc}; "
            f"Python {platform.python_version()}; ReportLab {reportlab.Version}")


def main() -> int:
    """Run both cases, print the markdown table, append it to RESULTS.md; 1 if a bar is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-accel", action="store_true", help="hide the rl_accel extension")
    parser.add_argument("--no-write", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()
    accel = "hidden (--no-accel)" if args.no_accel else (
        "in use" if importlib.util.find_spec("_rl_accel") is not None else "not installed")
    register_fonts()
    rows = workload(args.rows)
    doc_a, doc_b = long_table(rows), fund_report()
    render(doc_a)  # warm up: first-use imports and font parsing are not the workload

    ours = bare_s = math.inf
    for _ in range(args.repeats):  # take turns, so a noisy spell slows both
        seconds, pdf_ours = best_of(lambda: render(doc_a), 1)
        ours = min(ours, seconds)
        seconds, pdf_bare = best_of(lambda: bare(rows), 1)
        bare_s = min(bare_s, seconds)
    ratio = ours / bare_s
    fund_s, pdf_fund = best_of(lambda: render(doc_b), args.repeats)
    tracemalloc.start()
    render(doc_b)
    traced_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pass_a = ratio <= BAR_RATIO
    pass_b = fund_s <= BAR_SECONDS and max(traced_mb, rss_mb) < BAR_MEGABYTES
    verdict = {True: "PASS", False: "FAIL"}
    table = "\n".join((
        "| case | pages | ours | bare | ratio / peak | bar | result |",
        "|---|---|---|---|---|---|---|",
        f"| (a) {args.rows:,} table rows | {pages(pdf_ours)} (bare {pages(pdf_bare)}) | "
        f"{ours:.2f} s | {bare_s:.2f} s | {ratio:.2f}× | ≤ {BAR_RATIO:g}× bare | "
        f"**{verdict[pass_a]}** |",
        f"| (b) fund report, 10 charts + tables | {pages(pdf_fund)} | {fund_s:.2f} s | — | "
        f"Python peak {traced_mb:.0f} MB, process max RSS {rss_mb:.0f} MB | ≤ {BAR_SECONDS:g} s, "
        f"< {BAR_MEGABYTES} MB | **{verdict[pass_b]}** |",
    ))
    when = dt.datetime.now().astimezone()
    section = (
        f"\n## {when:%Y-%m-%d %H:%M %z} · PDF reports (`bench_reports.py`)\n\n{table}\n\n"
        f"Best of {args.repeats} (a: ours and bare take turns) · rl_accel {accel} · "
        f"{machine()}\n"
    )
    print(section)
    if not args.no_write:
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(section)
    return 0 if pass_a and pass_b else 1


if __name__ == "__main__":
    sys.exit(main())
