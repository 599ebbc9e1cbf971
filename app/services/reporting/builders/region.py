"""The regional report: the funds the region sponsors (万元, totals re-apportioned so they foot),
received versus ceded per indicator with a chart, per agreement beside the official in-place
figure with the reconciling item, the dual counts apart, and the projects that moved."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from app.domain.codes import ProjectStatus
from app.domain.deadlines import Rates, percent_1dp
from app.domain.quarter import Quarter
from app.domain.sharing.words import unit_en
from app.services.reporting.builders import catalogue
from app.services.reporting.builders.common import (
    TEN_THOUSAND,
    TOTAL,
    WAN,
    WAN_NOTE,
    WAN_QUANTUM,
    YUAN,
    IssueInfo,
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
from app.services.reporting.builders.region_data import (  # noqa: F401  (the kind's interface)
    KIND,
    check_issuer,
    collect,
    subject,
)
from reports import BarChart, Column, Document, Heading, Notice, Paragraph, Series, Table, bilingual

SECTIONS = {"region": "地区 / Region", "funds": "发起基金 / Funds sponsored",
            "indicators": "指标 / Indicators", "projects": "迁入迁出项目 / Projects",
            "catalogue": "产业转移指导目录 / Catalogue",
            "settlement": "年度结算 / Settlement"}
DIRECTIONS = {"LEFT": "迁出 / left", "ENTERED": "迁入 / entered", "WITHIN": "区内迁移 / within"}
SUMMARY_NOTE = ("在地官方数：承接地计 100 %；调节项 = 接收 - 让出；分享后 = 官方数 + 调节项。 / "
                "Official: the destination counts 100 %; reconciling item = received - ceded; "
                "after sharing = official + reconciling item.")
ASSESSMENT_ONLY = "仅用于考核，不对外公布 / for assessment only, not for publication"
DUAL_EXCLUDED = ("双重计入数仅用于考核，不计入以下数字 / dual-counted figures are for assessment "
                 "only and not in these figures")


def build(data: dict, issue: IssueInfo) -> Document:
    """The regional report as a document, from its data dict alone."""
    region, quarter = data["region"], Quarter.parse(data["quarter"])
    english = f" / {region['name_en']}" if region["name_en"] else ""
    blocks: list = [
        Heading(f"{region['name']} 地区季度报告 {quarter}", f"Regional report {quarter}"),
        Paragraph(f"地区 / Region: {region['name']}{english} ({region['code']})\n"
                  f"季度 / Quarter: {quarter} ({quarter.first_day} – {quarter.last_day})"),
        *restatement_blocks(issue), *_funds(data["funds"])]
    shared = {c: i for c, i in data["indicators"].items() if i["agreements"] or i["dual"]}
    blocks += _summary(data["indicators"])
    blocks += _charts(shared)
    for item in shared.values():
        blocks += _indicator(item)
    blocks += _projects(data["projects"])
    blocks += _timeliness(data.get("timeliness", {}), quarter)
    if "settlement" in data:  # reports issued before the settlement section have no such part
        blocks += _settlement(data["settlement"])
    if "catalogue" in data:  # reports issued before the catalogue have no such part
        blocks += catalogue.blocks(data["catalogue"], "本地区承接的项目",
                                   "The projects the region takes on")
    bureau_en = f" / Finance bureau of {region['name_en']}" if region["name_en"] else ""
    blocks += sign_off(f"{region['name']}财政局{bureau_en}", issue)
    return document(title=f"{region['name']} {quarter} 地区季度报告 / Regional report",
                    subject=f"region {region['code']} {quarter}", quarter=quarter, data=data,
                    issue=issue, blocks=blocks)


def _funds(funds: dict) -> list:
    """The sponsored funds' key figures, amounts in 万元 re-apportioned to foot."""
    rows = list(funds.values())
    shown, totals = wan_columns(rows, ["committed", "paid_in", "disbursed", "nav"])
    table = Table(
        (Column("基金", "Fund", "left", 3.0), Column("认缴", "Committed", "right"),
         Column("实缴", "Paid-in", "right"), Column("投放", "Disbursed", "right"),
         Column("净值", "NAV", "right"), Column("TVPI", "TVPI", "right", 0.7),
         Column("净IRR", "Net IRR", "right", 0.8)),
        tuple((f"{code} {f['name']}", s["committed"], s["paid_in"], s["disbursed"], s["nav"],
               f["tvpi"], f["net_irr"]) for (code, f), s in zip(funds.items(), shown, strict=True)),
        total_row=(TOTAL, totals["committed"], totals["paid_in"], totals["disbursed"],
                   totals["nav"], "", "") if rows else None,
        note=WAN_NOTE if rows else None)
    return [unit_heading("本地区发起的基金", "Funds the region sponsors", WAN), table]


SUMMARY_KEYS = ("official", "received", "ceded", "reconciling", "after_sharing")


def _in_wan(value: str | None) -> Decimal | None:
    """Yuan as 万元, rounded half up to 0.01 万元 (None stays None)."""
    return None if value is None else (Decimal(value) / TEN_THOUSAND).quantize(
        WAN_QUANTUM, rounding=ROUND_HALF_UP)


def _summary_row(i: dict) -> tuple[str, ...]:
    """One indicator's unit and figures as printed. Yuan figures in 万元: official, received and
    ceded rounded half up to 0.01 万元, the reconciling item (received - ceded) and after sharing
    (official + reconciling) computed from the rounded figures, so each row adds up as printed.
    Other units at the indicator's own quantum."""
    if i["unit"] != "元":
        return (bilingual(i["unit"], unit_en(i["unit"])),
                *(quantity(i[k], i["quantum"]) for k in SUMMARY_KEYS))
    official, received, ceded = (_in_wan(i[k]) for k in SUMMARY_KEYS[:3])
    reconciling = None if received is None or ceded is None else received - ceded
    after = None if official is None or reconciling is None else official + reconciling
    return (WAN[0], *(quantity(v, WAN_QUANTUM)
                      for v in (official, received, ceded, reconciling, after)))


def _summary(indicators: dict) -> list:
    """Per indicator, in its unit (yuan in 万元, said once in the heading): official, received,
    ceded, reconciling item, after sharing."""
    rows = tuple(
        (f"{i['name']} / {i['name_en']}" + (f"\n{DUAL_EXCLUDED}" if i["dual"] else ""),
         *_summary_row(i))
        for i in indicators.values())
    return [Heading("指标分享汇总（元计指标以万元列示）",
                    "Indicators before and after sharing (yuan indicators in 万元, 10,000 yuan)"),
            Table(
        (Column("指标", "Indicator", "left", 2.4), Column("单位", "Unit", "left", 0.6),
         Column("在地官方数", "Official in place", "right", 1.4),
         Column("接收", "Received", "right", 1.3), Column("让出", "Ceded", "right", 1.3),
         Column("调节项", "Reconciling item", "right", 1.3),
         Column("分享后", "After sharing", "right", 1.4)), rows,
        note=SUMMARY_NOTE)]


def _charts(shared: dict) -> list:
    """Received versus ceded, one bar chart per unit (元 in 万元 when large), the unit named
    once, in the chart's title."""
    by_unit: dict[str, list[dict]] = {}
    for item in shared.values():
        if item["agreements"]:
            by_unit.setdefault(item["unit"], []).append(item)
    blocks: list = []
    for unit, items in by_unit.items():
        largest = max(abs(Decimal(i[k])) for i in items for k in ("received", "ceded"))
        in_wan = unit == "元" and largest >= TEN_THOUSAND * 10
        scale = wan_chart if in_wan else Decimal
        title_unit = ("万元", "10,000 yuan") if in_wan else (unit, unit_en(unit))
        blocks.append(BarChart(
            f"接收与让出（{title_unit[0]}）/ Received versus ceded ({title_unit[1]})", "",
            tuple(f"{i['name']}\n{i['name_en']}" for i in items),
            (Series("接收 / Received", tuple(scale(i["received"]) for i in items)),
             Series("让出 / Ceded", tuple(scale(i["ceded"]) for i in items)))))
    return [Heading("接收与让出", "Received versus ceded"), *blocks] if blocks else []


def _indicator(item: dict) -> list:
    """One indicator's agreements with their total (the reconciling item), dual counts apart;
    every figure in the indicator's unit, named once in the heading."""
    quantum, unit = item["quantum"], item["unit"]
    blocks: list = [Heading(f"{item['name']}（{unit}）", f"{item['name_en']} ({unit_en(unit)})", 2)]
    if item["agreements"]:
        rows = tuple((f"{code} {a['title']}", a["parties"],
                      "已关账 / closed" if a["closed"] else "未关账 / open",
                      quantity(a["received"], quantum), quantity(a["ceded"], quantum),
                      quantity(a["net"], quantum)) for code, a in item["agreements"].items())
        blocks.append(Table(
            (Column("协议", "Agreement", "left", 2.6), Column("本地区方", "Region's party", "left",
                                                            1.0),
             Column("季度状态", "Quarter", "left", 1.0), Column("接收", "Received", "right", 1.3),
             Column("让出", "Ceded", "right", 1.3), Column("净额", "Net", "right", 1.3)), rows,
            total_row=("合计 = 调节项 / Total = reconciling item", "", "",
                       quantity(item["received"], quantum), quantity(item["ceded"], quantum),
                       quantity(item["reconciling"], quantum))))
        lines = "\n".join(
            f"{label}: {quantity(item[key], quantum)}" for key, label in (
                ("official", "在地官方数 / Official in-place figure"),
                ("reconciling", "调节项 / Reconciling item"),
                ("after_sharing", "分享后 / After sharing")))
        if Decimal(item["adjustment"]):
            lines += (f"\n以前期间调整（不含在上述数字中）/ Prior-period adjustments (not in the "
                      f"figures above): {quantity(item['adjustment'], quantum)}")
        blocks.append(Paragraph(lines))
    if item["dual"]:
        blocks += [Table(
            (Column("协议（双重计入）", "Agreement (dual count)", "left", 2.6),
             Column("本地区方", "Region's party", "left", 1.0),
             Column("本地区计入（外地项目）", "Credited to the region (projects elsewhere)",
                    "right", 1.6),
             Column("伙伴亦计入（本地项目）", "Also credited to partners (projects here)",
                    "right", 1.6)),
            tuple((f"{code} {d['title']}", d["parties"], quantity(d["credited"], quantum),
                   quantity(d["shared"], quantum)) for code, d in item["dual"].items())),
            Notice(ASSESSMENT_ONLY)]
    return blocks


def _projects(projects: dict) -> list:
    """The projects whose source or destination lies in the region."""
    rows = tuple((code, p["name"], p["enterprise"], p["source"], p["destination"],
                  DIRECTIONS[p["direction"]].replace(" / ", "\n"),
                  coded(ProjectStatus, p["status"], stacked=True))
                 for code, p in projects.items())
    return [Heading("迁出与迁入的项目", "Projects that left or entered the region"), Table(
        (Column("代码", "Code", "left", 0.9), Column("项目", "Project", "left", 1.8),
         Column("企业", "Enterprise", "left", 1.8), Column("迁出地", "From", "left", 1.15),
         Column("承接地", "To", "left", 1.15), Column("方向", "Direction", "left", 0.9),
         Column("状态", "Status", "left", 1.3)), rows)]  # "Implementation" on one line


TIMELINESS_NOTE = ("以本年度截至本季度的各季度计；报送率 = 已提交 ÷ 应报，"
                   "及时率 = 按时提交（首次提交不晚于按时报送截止日）÷ 应报；"
                   "百分比四舍五入保留一位小数。 / The quarters of the year up to "
                   "this one; reporting rate = submitted ÷ due, on-time rate = submitted by the "
                   "on-time date (first submission) ÷ due; percentages rounded half up to one "
                   "decimal.")


def _timeliness(rows: dict, quarter: Quarter) -> list:
    """The region's timeliness as a destination bureau, per agreement (older reports' data has
    no such key: nothing is printed)."""
    if not rows:
        return []

    def percent(value) -> str:
        shown = percent_1dp(value)
        return "—" if shown is None else f"{shown} %"

    lines = []
    for code, row in rows.items():
        rates = Rates(row["due"], row["reported"], row["on_time"])
        lines.append((f"{code} {row['title']}", str(rates.due), str(rates.reported),
                      str(rates.on_time), percent(rates.reporting_rate),
                      percent(rates.on_time_rate)))
    return [Heading(f"报送及时性（{quarter.year} 年）", f"Timeliness ({quarter.year})"), Table(
        (Column("协议", "Agreement", "left", 2.6), Column("应报", "Due", "right", 0.7),
         Column("已提交", "Submitted", "right", 0.9), Column("按时", "On time", "right", 0.8),
         Column("报送率", "Reporting rate", "right", 1.1),
         Column("及时率", "On-time rate", "right", 1.1)), tuple(lines), note=TIMELINESS_NOTE)]


SETTLEMENT_NOTE = ("按结算年度列示已确认结算（最新确认版本）中一方在本地区的各对："
                   "正数为应付本地区，负数为本地区应付；"
                   "应结 = 净额（含结转的以前年度差额），已结 = 结算通知入账之和，"
                   "未结 = 未了结差额（已足额入账或经审计了结者为零）。"
                   "各年度不相加：未了结差额结转入以后年度的应结。"
                   "双方均在本地区的各对不列示。 / Per fiscal year, the pairs of the newest "
                   "confirmed settlement with one side in the region: positive is owed to the "
                   "region, negative the region owes; due = the net (carried differences of "
                   "earlier years included), booked = the settlement notices' sum, outstanding = "
                   "the open difference (zero once booked in full or resolved by an auditor). "
                   "Years are not added up: an open difference is carried into a later year's "
                   "due. Pairs with both sides in the region are left out.")
SETTLEMENT_KEYS = ("due", "booked", "outstanding")


def _settlement(years: dict) -> list:
    """Settled and outstanding by fiscal year: a summary row per year, then each year's pairs
    with the year's total, identical to its summary row (yuan, exact to the fen); nothing when
    no run of the region's agreements is confirmed."""
    if not years:  # no agreement of the region has a confirmed run: nothing to print
        return []
    heading = unit_heading("年度结算：已结与未结", "Settlement by fiscal year: booked and "
                           "outstanding", YUAN)
    columns = (Column("应结", "Due", "right", 1.3), Column("已结", "Booked", "right", 1.3),
               Column("未结", "Outstanding", "right", 1.3))
    blocks: list = [heading, Table(
        (Column("结算年度", "Fiscal year", "left", 1.0), *columns),
        tuple((year, *(yuan(y["totals"][k]) for k in SETTLEMENT_KEYS))
              for year, y in years.items()), note=SETTLEMENT_NOTE)]
    for year, y in years.items():
        rows = tuple((f"{p['agreement']} {p['title']}\n第 {p['version']} 版 / version "
                      f"{p['version']}", f"{_pair(p)}\n"
                      + ("应收 / receives" if p["receives"] else "应付 / pays"),
                      *(yuan(p[k]) for k in SETTLEMENT_KEYS)) for p in y["pairs"].values())
        blocks += [Heading(f"{year} 年度结算", f"Settlement of {year}", 2), Table(
            (Column("协议", "Agreement", "left", 2.4),
             Column("付方 → 收方", "Payer → payee", "left", 1.5), *columns), rows,
            total_row=(f"{year} 合计 / Total {year}", "",
                       *(yuan(y["totals"][k]) for k in SETTLEMENT_KEYS)))]
    return blocks


def _pair(p: dict) -> str:
    """Payer → payee by name and code (reports issued before names were kept show the codes)."""
    if "payer_name" not in p:
        return f"{p['payer']} → {p['payee']}"
    return f"{p['payer_name']} {p['payer']} → {p['payee_name']} {p['payee']}"
