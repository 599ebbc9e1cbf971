"""The fund quarterly report: cover, key figures, capital account, charts, schedule of
investments (万元, re-apportioned so the totals foot), the quarter's transactions and the shared
indicators of the fund's projects. Built from the plain data dict of ``fund_data``."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.domain.codes import (
    FundClass,
    Instrument,
    Intensity,
    MacroRegion,
    MovementType,
    ProjectStatus,
    TransactionType,
)
from app.domain.quarter import Quarter
from app.models import Fund
from app.services.access.scopes import Actor, can_edit_fund, fund_filter
from app.services.errors import NotFound
from app.services.reporting.builders import catalogue, fund_data
from app.services.reporting.builders.common import (
    MISSING,
    TOTAL,
    WAN,
    WAN_NOTE,
    YUAN,
    IssueInfo,
    Subject,
    coded,
    document,
    quantity,
    restatement_blocks,
    sign_off,
    unit_heading,
    wan_chart,
    wan_columns,
    yuan,
)
from reports import (
    BarChart,
    Column,
    Cover,
    Document,
    Heading,
    KeyFigure,
    KeyFigures,
    LineChart,
    Paragraph,
    Series,
    Table,
)

KIND = "fund"
SECTIONS = {
    "fund": "基金 / Fund", "key_figures": "关键指标 / Key figures",
    "capital_account": "资本账户 / Capital account", "series": "季度走势 / Over the quarters",
    "by_macro_region": "按区域投放 / Disbursed by macro-region",
    "by_intensity": "按类别投放 / Disbursed by intensity", "investments": "投资明细 / Investments",
    "transactions": "本季度交易 / Transactions", "movements": "本季度资金往来 / Capital movements",
    "indicators": "共享指标 / Shared indicators", "catalogue": "产业转移指导目录 / Catalogue",
}
KEY_FIGURES = (
    ("committed", "认缴规模", "Committed"),
    ("paid_in", "实缴出资", "Paid-in"),
    ("disbursed", "已投放", "Disbursed"),
    ("deployment_rate", "投放率", "Deployment rate"),
    ("nav", "基金净值", "NAV"),
    ("distributed", "已分配", "Distributed"),
    ("dpi", "DPI", "DPI"), ("rvpi", "RVPI", "RVPI"), ("tvpi", "TVPI", "TVPI"),
    ("net_irr", "净内部收益率", "Net IRR"),
    ("leverage_multiple", "放大倍数", "Leverage multiple"),
    ("return_investment_ratio", "返投比例", "Return-investment ratio"),
)


def subject(session: Session, actor: Actor, code: str) -> Subject:
    """The fund with ``code`` if the actor may read it; else NotFound."""
    fund = session.scalars(select(Fund).where(Fund.code == code, fund_filter(actor))
                           .options(selectinload(Fund.sponsor_region))).first()
    if fund is None:
        raise NotFound(f'fund "{code}"')
    return Subject(KIND, fund.code, fund.name, fund_id=fund.id, obj=fund)


def check_issuer(session: Session, actor: Actor, subject: Subject, quarter: Quarter) -> None:
    """Only the fund's managers and administrators issue its report (others: NotFound)."""
    if not can_edit_fund(actor, subject.fund_id):
        raise NotFound("page")


def collect(session: Session, subject: Subject, quarter: Quarter) -> dict:
    """The report's data dict."""
    return fund_data.collect(session, subject.obj, quarter)


def build(data: dict, issue: IssueInfo) -> Document:
    """The fund report as a document, from its data dict alone."""
    fund, quarter = data["fund"], Quarter.parse(data["quarter"])
    cover = Cover(f"{fund['name']} {quarter} 季度报告", f"Fund quarterly report {quarter}", (
        f"基金 / Fund: {fund['name']} ({fund['code']})",
        f"发起地区 / Sponsor region: {fund['sponsor_name']} ({fund['sponsor_code']})",
        f"管理人 / Manager: {fund['manager']}",
        f"类别 / Class: {coded(FundClass, fund['class'])} · 设立年份 / Vintage {fund['vintage']}",
        f"季度 / Quarter: {quarter} ({quarter.first_day} – {quarter.last_day})"))
    figures = data["key_figures"]
    blocks = [cover, *restatement_blocks(issue), unit_heading("关键指标", "Key figures", YUAN),
              KeyFigures(tuple(
                  KeyFigure(zh, en, yuan(figures[k]) if k in fund_data.AMOUNTS else figures[k])
                  for k, zh, en in KEY_FIGURES))]
    blocks += _capital_account(data["capital_account"])
    blocks += _charts(data)
    blocks += _schedule(data["investments"])
    if "catalogue" in data:  # reports issued before the catalogue have no such part
        blocks += catalogue.blocks(data["catalogue"], "基金投资的项目", "The fund's projects")
    blocks += _transactions(data["transactions"], data["movements"])
    blocks += _indicators(data["indicators"])
    blocks += sign_off(f"基金管理人 / Fund manager: {fund['manager']}", issue)
    return document(title=f"{fund['name']} {quarter} 季度报告 / Fund quarterly report",
                    subject=f"fund {fund['code']} {quarter}", quarter=quarter, data=data,
                    issue=issue, blocks=blocks)


def _capital_account(account: dict) -> list:
    """Calls, distributions and fees (yuan) for the quarter, the year and since inception."""
    spans = ("quarter", "year_to_date", "since_inception")
    rows = tuple((coded(MovementType, kind), *(yuan(account[s][kind]) for s in spans))
                 for kind in (m.value for m in MovementType))
    return [unit_heading("资本账户", "Capital account", YUAN), Table(
        (Column("项目", "Item", "left", 1.6), Column("本季度", "Quarter", "right"),
         Column("本年累计", "Year to date", "right"),
         Column("成立以来", "Since inception", "right")), rows)]


def _charts(data: dict) -> list:
    """The cumulative line chart and the disbursed-by bar charts with their tables, all in 万元
    (named once, in the heading; table totals re-apportioned so they foot)."""
    quarters = tuple(data["series"])
    series = tuple(Series(name, tuple(wan_chart(data["series"][q][key]) for q in quarters))
                   for key, name in (("paid_in", "实缴 / Paid-in"),
                                     ("disbursed", "投放 / Disbursed"), ("nav", "净值 / NAV")))
    blocks: list = [unit_heading("图表", "Charts", WAN), LineChart(
        "累计实缴、投放与净值 / Cumulative calls, disbursements and NAV", "",
        quarters, series)]
    for key, kind, zh, en in (("by_macro_region", MacroRegion, "按投向区域", "by macro-region"),
                              ("by_intensity", Intensity, "按产业类别", "by intensity")):
        groups = data[key]
        labels = tuple(f"{kind(g).label_zh}\n{kind(g).label_en}" for g in groups)
        blocks.append(BarChart(f"累计投放{zh} / Disbursed {en}", "", labels,
                               (Series("投放 / Disbursed",
                                       tuple(wan_chart(v) for v in groups.values())),)))
        rows = [{"amount": v} for v in groups.values()]
        shown, total = wan_columns(rows, ["amount"])
        blocks.append(Table(
            (Column("类别", "Group", "left", 2), Column("累计投放", "Disbursed", "right")),
            tuple((coded(kind, g), s["amount"]) for g, s in zip(groups, shown, strict=True)),
            total_row=(TOTAL, total["amount"])))
    return blocks


def _schedule(investments: dict) -> list:
    """The schedule of investments in 万元, each column re-apportioned to its total."""
    rows = list(investments.values())
    shown, totals = wan_columns(rows, ["cost", "realized", "value"])
    table = Table(
        (Column("项目", "Project", "left", 2.1), Column("工具", "Instrument", "left", 1.35),
         Column("成本", "Cost", "right", 1.15), Column("已实现", "Realized", "right", 1.15),
         Column("估值", "Value", "right", 1.15), Column("MOIC", "MOIC", "right", 0.75),
         Column("IRR", "IRR", "right", 0.9), Column("状态", "Status", "left", 2.1)),
        tuple((f"{key} {item['project_name']}", coded(Instrument, item["instrument"]),
               s["cost"], s["realized"], s["value"], item["moic"], item["irr"],
               coded(ProjectStatus, item["status"])
               + (" · 本季度未估值 / not marked this quarter" if item["not_marked"] else ""))
              for (key, item), s in zip(investments.items(), shown, strict=True)),
        total_row=(TOTAL, "", totals["cost"], totals["realized"], totals["value"], "", "", ""),
        highlight_rows=frozenset(i for i, item in enumerate(rows) if item["not_marked"]),
        note=WAN_NOTE)
    return [unit_heading("投资明细", "Schedule of investments", WAN), table]


def _transactions(transactions: dict, movements: dict) -> list:
    """The quarter's ledger entries and capital movements (yuan, reversals negative)."""
    entries = Table(
        (Column("日期", "Date", "left", 1.0), Column("编号", "Reference", "left", 1.3),
         Column("项目", "Project", "left", 2.3), Column("类型", "Type", "left", 1.8),
         Column("金额", "Amount", "right", 1.5),
         Column("说明", "Note", "left", 1.6)),
        tuple((t["date"], ref, f"{t['project_code']} {t['project_name']}",
               coded(TransactionType, t["type"]), yuan(t["amount"]),
               _note(t["reverses"], t["note"], t.get("restates")))
        for ref, t in transactions.items()))
    moves = Table(
        (Column("日期", "Date", "left", 1.0), Column("编号", "Reference", "left", 1.3),
         Column("类型", "Type", "left", 1.8), Column("出资人", "Investor", "left", 2.2),
         Column("金额", "Amount", "right", 1.5),
         Column("说明", "Note", "left", 1.7)),
        tuple((m["date"], ref, coded(MovementType, m["type"]), m["investor"], yuan(m["amount"]),
               _note(m["reverses"], m["note"], m.get("restates")))
        for ref, m in movements.items()))
    return [unit_heading("本季度交易", "The quarter's transactions", YUAN),
            Paragraph("冲销分录以负数列示。 / Reversing entries are shown as negative amounts."),
            Heading("投资交易", "Investment transactions", 2), entries,
            Heading("资金往来", "Capital movements", 2), moves]


def _note(reverses: str | None, note: str, restates: str | None = None) -> str:
    """The note column: what an entry reverses (and the issued quarter an approved reversal
    restates), then its note."""
    head = f"冲销 / reverses {reverses}" if reverses else ""
    restated = f"更正 {restates} 已发布数据 / restates issued {restates}" if restates else ""
    return " · ".join(part for part in (head, restated, note) if part)


def _indicators(indicators: dict) -> list:
    """Observations (indicator unit) and the quarter's allocations under agreements."""
    rows = []
    for item in indicators.values():
        allocations = "; ".join(
            f"{code}{'（仅考核 / assessment only）' if a['mode'] == 'DUAL_COUNT' else ''}: "
            + ", ".join(f"{p['name']} {quantity(p['amount'], item['quantum'])}"
                        for p in a["parties"].values())
            for code, a in item["allocations"].items())
        value = MISSING if item["value"] is None else quantity(item["value"], item["quantum"])
        rows.append((f"{item['project_code']} {item['project_name']}",
                     f"{item['indicator_name']} / {item['indicator_name_en']}", item["unit"],
                     value, allocations or "—"))
    table = Table(
        (Column("项目", "Project", "left", 2.4), Column("指标", "Indicator", "left", 1.8),
         Column("单位", "Unit", "left", 0.6), Column("观测值", "Observed", "right", 1.4),
         Column("本季度分配（协议：各方）", "Allocation this quarter (agreement: parties)", "left",
                3.0)),
        tuple(rows),
        highlight_rows=frozenset(i for i, item in enumerate(indicators.values())
                                 if item["value"] is None))
    return [Heading("项目共享指标", "Shared indicators of the fund's projects"), table]
