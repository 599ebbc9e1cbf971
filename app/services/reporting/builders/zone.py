"""The annual summary of a national demonstration zone (承接产业转移示范区年度总结): the zone,
its key figures for the year, the projects taken on by source macro-region and by guidance
catalogue flag, every project (with its flag) with
the investment in it (万元, re-apportioned so each column foots), the indicators its projects
reported and what the agreements covering them shared. Built from its data dict alone, as a PDF
(``build``) and as a workbook (``workbook``, deterministic bytes)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from app.domain.codes import MacroRegion, PartnerRole, ScreeningFlag
from app.domain.quarter import Quarter
from app.domain.sharing.words import unit_en
from app.services.reporting.builders.catalogue import FILLS
from app.services.reporting.builders.common import (
    TOTAL,
    WAN,
    WAN_NOTE,
    IssueInfo,
    coded,
    document,
    quantity,
    restatement_blocks,
    sign_off,
    unit_heading,
    wan_columns,
)
from app.services.reporting.builders.zone_data import (  # noqa: F401  (the kind's interface)
    KIND,
    check_issuer,
    collect,
    subject,
)
from reports import (
    Column,
    Document,
    Heading,
    KeyFigure,
    KeyFigures,
    Paragraph,
    Table,
    fingerprint_of,
)

SECTIONS = {"zone": "示范区 / Zone", "projects": "项目 / Projects",
            "by_macro_region": "按来源地区 / By source macro-region",
            "catalogue": "目录版本 / Catalogue edition",
            "by_catalogue_flag": "按目录标识 / By catalogue flag",
            "indicators": "指标 / Indicators", "shared": "分享 / Shared",
            "year": "年度 / Year", "quarter": "季度 / Quarter"}
MONEY = ("committed_in_year", "disbursed_in_year", "committed_to_date", "disbursed_to_date")
MONEY_COLUMNS = (("本年承诺", "Committed in year"), ("本年投放", "Disbursed in year"),
                 ("累计承诺", "Committed to date"), ("累计投放", "Disbursed to date"))
ASSESSMENT_ONLY = "仅用于考核，不对外公布 / for assessment only, not for publication"
SHARE_NOTE = ("分享数为各季度结算单“本期合计”（含以前期间调整）之和，仅计示范区项目；"
              "已关账季度取关账数。 / Shares are the sum of each quarter's statement total "
              "(current plus prior-period adjustment) for the zone's projects; closed quarters "
              "as closed.")


def build(data: dict, issue: IssueInfo) -> Document:
    """The annual summary as a document."""
    zone, year = data["zone"], data["year"]
    blocks: list = [
        Heading(f"{zone['name']} {year} 年度总结", f"Annual summary {year}"),
        Paragraph(_facts(zone, year)), *restatement_blocks(issue), _key_figures(data),
        *_macro(data["by_macro_region"]), *_flags(data), *_projects(data["projects"]),
        *_indicators(data["indicators"]), *_shared(data["shared"])]
    blocks += sign_off(f"{zone['host_name']}财政局 / Finance bureau of the host region", issue)
    return document(title=f"{zone['name']} {year} 年度总结 / Zone annual summary",
                    subject=f"zone {zone['code']} {year}", quarter=Quarter.parse(data["quarter"]),
                    data=data, issue=issue, blocks=blocks)


def _facts(zone: dict, year: int) -> str:
    partners = "；".join(f"{p['name']}（{coded(PartnerRole, p['role'])}）"
                        for p in zone["partners"].values()) or "—"
    industries = "；".join(f"{c} {n}" for c, n in zone["industries"].items()) or "—"
    area = quantity(zone["planned_area"], "0.01") if zone["planned_area"] else "—"
    return "\n".join([
        f"示范区 / Zone: {zone['name']} ({zone['code']}) · 所在地 / Host: {zone['host_name']} "
        f"({zone['host']})",
        f"合作方 / Partners: {partners}",
        f"批准文件 / Approved by: {zone['approving_document'] or '—'} "
        f"{zone['approved_on'] or ''}",
        f"周期 / Cycle: {zone['cycle_start']} – {zone['cycle_end'] or '—'} · 规划面积 / Planned "
        f"area: {area} 亩 / mu",
        f"主导产业 / Leading industries: {industries}",
        f"年度 / Year: {year} ({year}-01-01 – {year}-12-31)"])


def _key_figures(data: dict) -> KeyFigures:
    projects = data["projects"].values()
    taken = sum(1 for p in projects if p["taken_on"])
    disbursed = sum((Decimal(p["disbursed_in_year"]) for p in projects), Decimal(0))
    return KeyFigures((
        KeyFigure("本年新承接项目", "Projects taken on in the year", f"{taken:,}"),
        KeyFigure("年内在区项目", "Projects in the zone during the year", f"{len(projects):,}"),
        KeyFigure("本年投放（元）", "Disbursed in the year (yuan)", f"{disbursed:,.2f}")))


def _macro(by_macro: dict) -> list:
    """Projects by source macro-region, money in 万元."""
    if not by_macro:
        return [Heading("按来源地区", "By source macro-region", 2),
                Paragraph("本年无项目 / No project during the year")]
    return [unit_heading("按来源地区", "By source macro-region", WAN, 2),
            _grouped(by_macro, MacroRegion, ("来源地区", "Source macro-region"), WAN_NOTE)]


def _flags(data: dict) -> list:
    """Projects by guidance-catalogue flag, money in 万元, rows filled with the flag's colour;
    nothing for a summary issued before this section existed (its data has no such part)."""
    by_flag = data.get("by_catalogue_flag")
    if not by_flag:
        return []
    edition = data["catalogue"]
    if edition["edition"] is None:
        named = "尚未导入目录版本，各项目均为“目录未列” / No catalogue edition had been imported"
    else:
        sample = "（示例 / sample）" if edition["sample"] else ""
        named = f"目录版本 / Edition: {edition['edition']}{sample}"
    fills = tuple((i, FILLS[flag]) for i, flag in enumerate(by_flag) if flag in FILLS)
    return [unit_heading("按产业转移指导目录标识", "By transfer guidance catalogue flag", WAN, 2),
            _grouped(by_flag, ScreeningFlag, ("目录标识", "Catalogue flag"),
                     f"{named}. {WAN_NOTE}", fills)]


def _grouped(groups: dict, coding, first: tuple[str, str], note: str,
             fills: tuple = ()) -> Table:
    """A breakdown of the year's projects (taken on, in the zone) and money (万元, each column
    re-apportioned to its rounded total, so it foots) by ``coding``'s members."""
    rows = list(groups.values())
    shown, totals = wan_columns(rows, list(MONEY))
    body = tuple((coded(coding, code), f"{m['taken_on']:,}", f"{m['projects']:,}",
                  *(s[k] for k in MONEY))
                 for (code, m), s in zip(groups.items(), shown, strict=True))
    total = (TOTAL, f"{sum(m['taken_on'] for m in rows):,}",
             f"{sum(m['projects'] for m in rows):,}", *(totals[k] for k in MONEY))
    return Table(
        (Column(*first, "left", 1.6),
         Column("本年承接", "Taken on", "right", 0.9), Column("在区项目", "In the zone", "right",
                                                             0.9),
         *(Column(zh, en, "right", 1.1) for zh, en in MONEY_COLUMNS)), body, total_row=total,
        note=note, row_fills=fills)


def _projects(projects: dict) -> list:
    """Every project of the year: where from, when it joined (and left), the money in 万元."""
    if not projects:
        return []
    rows = list(projects.values())
    shown, totals = wan_columns(rows, list(MONEY))
    body = tuple((f"{code} {p['name']}" + (f"\n{coded(ScreeningFlag, p['flag'])}"
                                            if "flag" in p else ""),
                  f"{p['source_name']}\n{coded(MacroRegion, p['macro_region'])}",
                  f"{p['joined_on']}{' *' if p['taken_on'] else ''}\n{p['left_on'] or ''}",
                  *(s[k] for k in MONEY))
                 for (code, p), s in zip(projects.items(), shown, strict=True))
    return [unit_heading("项目", "Projects", WAN, 2), Table(
        (Column("项目", "Project", "left", 2.2), Column("来源", "Source", "left", 1.4),
         Column("入园 / 离园", "Joined / left", "left", 1.1),
         *(Column(zh, en, "right", 1.0) for zh, en in MONEY_COLUMNS)), body,
        total_row=(TOTAL, "", "", *(totals[k] for k in MONEY)),
        note="* 本年新承接 / taken on in the year. " + WAN_NOTE,
        row_fills=tuple((i, FILLS[p["flag"]]) for i, p in enumerate(rows)
                        if p.get("flag") in FILLS))]


def _indicators(indicators: dict) -> list:
    if not indicators:
        return [Heading("填报指标", "Indicators reported", 2),
                Paragraph("本年无填报 / Nothing reported in the year")]
    return [Heading("填报指标", "Indicators reported", 2), Table(
        (Column("指标", "Indicator", "left", 3.0), Column("单位", "Unit", "left", 1.4),
         Column("本年合计", "Total of the year", "right", 1.6),
         Column("填报次数", "Values reported", "right", 1.0)),
        tuple((f"{i['name']} / {i['name_en']}", f"{i['unit']} / {unit_en(i['unit'])}",
               quantity(i["value"], i["quantum"]), f"{i['reported']:,}")
              for i in indicators.values()))]


def _shared(shared: dict) -> list:
    blocks: list = [Heading("按协议分享", "Shared under agreements", 2), Paragraph(SHARE_NOTE)]
    if not shared:
        return [*blocks, Paragraph("本年无协议覆盖示范区项目 / No signed agreement covered the "
                                   "zone's projects in the year")]
    for code, a in shared.items():
        how = "覆盖本示范区 / covers the zone" if a["covers_zone"] else "列名项目 / named projects"
        for i in a["indicators"].values():
            rows = tuple((f"{a['party_names'].get(p, p)} ({p})", f"{Decimal(v):,}")
                         for p, v in i["parties"].items())
            split = i["mode"] == "SPLIT"
            blocks.append(Table(
                (Column("一方", "Party", "left", 3.0),
                 Column(f"分得（{i['unit']}）", f"Allocated ({unit_en(i['unit'])})", "right", 2.0)),
                rows, total_row=(TOTAL, f"{Decimal(i['value']):,}") if split else None,
                caption=f"{code} {a['title']} · {i['name']} · {how}",
                note=None if split else ASSESSMENT_ONLY))
    return blocks


def workbook(data: dict) -> bytes:
    """The summary as an XLSX workbook: one sheet per section, exact amounts (yuan and each
    indicator's unit) as text, the data fingerprint on the first sheet. The same data gives the
    same bytes (fixed document times and zip entry dates)."""
    book = Workbook()
    bold = Font(bold=True)
    zone, year = data["zone"], data["year"]

    def sheet(title: str, header: tuple, rows):
        ws = book.create_sheet(title)
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append(list(row))

    book.remove(book.active)
    sheet("示范区 Zone", ("项目 Item", "值 Value"), [
        ("示范区 Zone", f"{zone['name']} ({zone['code']})"),
        ("所在地 Host", f"{zone['host_name']} ({zone['host']})"),
        ("年度 Year", year), ("批准文件 Approved by", zone["approving_document"]),
        ("周期 Cycle", f"{zone['cycle_start']} – {zone['cycle_end'] or ''}"),
        ("规划面积（亩）Planned area (mu)", zone["planned_area"] or ""),
        ("数据指纹 Data fingerprint", fingerprint_of(data))])
    sheet("来源地区 By macro-region", ("来源地区 Source macro-region", "本年承接 Taken on",
                                      "在区项目 In the zone",
                                      *(f"{zh} {en} (元 yuan)" for zh, en in MONEY_COLUMNS)),
          ((coded(MacroRegion, code), m["taken_on"], m["projects"], *(m[k] for k in MONEY))
           for code, m in data["by_macro_region"].items()))
    if "by_catalogue_flag" in data:  # summaries issued before the catalogue have no such part
        edition = data["catalogue"]["edition"] or ""
        sheet("目录标识 By catalogue flag", (
            "目录标识 Catalogue flag", "本年承接 Taken on", "在区项目 In the zone",
            *(f"{zh} {en} (元 yuan)" for zh, en in MONEY_COLUMNS), "目录版本 Edition"),
            ((coded(ScreeningFlag, code), m["taken_on"], m["projects"],
              *(m[k] for k in MONEY), edition)
             for code, m in data["by_catalogue_flag"].items()))
    sheet("项目 Projects", ("代码 Code", "名称 Name", "来源 Source", "来源地区 Macro-region",
                          "入园 Joined", "离园 Left", "本年承接 Taken on in year",
                          *(f"{zh} {en} (元 yuan)" for zh, en in MONEY_COLUMNS),
                          "目录标识 Catalogue flag"),
          ((c, p["name"], p["source"], p["macro_region"], p["joined_on"], p["left_on"] or "",
            "是 yes" if p["taken_on"] else "", *(p[k] for k in MONEY), p.get("flag", ""))
           for c, p in data["projects"].items()))
    sheet("指标 Indicators", ("代码 Code", "指标 Indicator", "单位 Unit", "本年合计 Total",
                            "填报次数 Values"),
          ((c, i["name"], i["unit"], i["value"], i["reported"])
           for c, i in data["indicators"].items()))
    sheet("分享 Shared", ("协议 Agreement", "指标 Indicator", "方式 Mode", "一方 Party",
                        "分得 Allocated", "观测合计 Observed"),
          ((code, ind, i["mode"], p, v, i["value"]) for code, a in data["shared"].items()
           for ind, i in a["indicators"].items() for p, v in i["parties"].items()))
    moment = dt.datetime(year, 12, 31, tzinfo=dt.UTC).replace(tzinfo=None)  # naive in XLSX
    book.properties.created = book.properties.modified = moment
    book.properties.creator = "transfer-ledger"
    raw = io.BytesIO()
    book.save(raw)
    return _fixed_zip(raw.getvalue(), (year if year >= 1980 else 1980, 12, 31, 0, 0, 0))


def _fixed_zip(content: bytes, when: tuple) -> bytes:
    """The zip ``content`` rewritten with every entry dated ``when``, in the same order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, when)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
