"""The sharing statement report (landscape): parties, each rule in words, per indicator and party
a table of every covered project with its total row, the dual-counted indicators apart with no
cross-party totals, the workflow and a signature block per party. Built from its data dict."""

from __future__ import annotations

from app.domain.codes import CapScope, PartyRole, QuarterState, ReviewKind, SharingMode
from app.domain.quarter import Quarter
from app.domain.sharing.words import unit_en
from app.services.reporting.builders.common import (
    MISSING,
    TOTAL,
    IssueInfo,
    coded,
    document,
    quantity,
    restatement_blocks,
)
from app.services.reporting.builders.statement_data import (  # noqa: F401  (the kind's interface)
    KIND,
    check_issuer,
    collect,
    subject,
)
from reports import Column, Document, Heading, Notice, Paragraph, SignatureBlocks, Table, bilingual

SECTIONS = {
    "agreement": "协议 / Agreement", "parties": "各方 / Parties", "rules": "规则 / Rules",
    "rows": "明细 / Rows", "totals": "合计 / Totals", "workflow": "流程 / Workflow",
    "statement_fingerprint": "结算单指纹 / Statement fingerprint",
    "adjusts_against": "以前期间调整 / Adjusts against",
}
DRAFT_NOTICE = ("草稿：本季度尚未关账，数字可能变动，不能签发。 / Draft: this quarter is not "
                "closed; the figures may still change and it cannot be issued.")
ASSESSMENT_ONLY = "仅用于考核，不对外公布 / for assessment only, not for publication"
STATEMENT_FINGERPRINT = ("结算单数据指纹（双方确认的对象）/ Statement data fingerprint "
                         "(confirmed by both parties)")
FINGERPRINTS_NOTE = (
    "两个指纹：结算单数据指纹是各方确认（签字）的结算数据；页脚的报告指纹校验本报告所载全部数据"
    "（flask report verify 据此核对 PDF 文件）。 / Two fingerprints: the statement data "
    "fingerprint is what the parties confirmed and sign; the report fingerprint in the footer "
    "covers all the data this report prints (flask report verify checks a PDF file against it).")
CAP_SOURCES = {
    "rule": "协议规则上限 / the rule's cap",
    "project": "本项目单独上限（协议按项目约定，如按迁移前税收核定）/ this project's own cap "
               "(agreed per project, e.g. from its pre-move taxes)",
}
_COLUMNS = (
    Column("项目", "Project", "left", 2.8), Column("观测值", "Observed", "right", 1.3),
    Column("本期分配", "Current", "right", 1.3), Column("以前期间调整", "Adjustment", "right", 1.2),
    Column("本期合计", "Total", "right", 1.3), Column("本年累计", "Year to date", "right", 1.3),
    Column("累计", "Since inception", "right", 1.3), Column("上限已用", "Cap used", "right", 1.2),
    Column("上限余额", "Cap left", "right", 1.2),
)


def _coded(coded, value: str) -> str:
    """A coded value's labels, Chinese / English."""
    member = coded(value)
    return f"{member.label_zh} / {member.label_en}"


def build(data: dict, issue: IssueInfo) -> Document:
    """The statement as a document, from its data dict alone (the same for every party)."""
    agreement, quarter = data["agreement"], Quarter.parse(data["quarter"])
    state = data["workflow"]["state"]
    lines = [f"协议 / Agreement: {agreement['code']} {agreement['title']}"]
    if agreement["basis_document"]:
        lines.append(f"依据 / Basis: {agreement['basis_document']}")
    lines.append(f"季度 / Quarter: {quarter} ({quarter.first_day} – {quarter.last_day}) · "
                 f"状态 / State: {_coded(QuarterState, state)}")
    if data["adjusts_against"]:
        lines.append(f"以前期间调整相对于 {data['adjusts_against']} 关账数 / Prior-period "
                     f"adjustments against {data['adjusts_against']} as closed")
    lines.append(f"{STATEMENT_FINGERPRINT}: {data['statement_fingerprint']}")
    blocks: list = [Heading(f"指标分享结算单 {quarter}", f"Sharing statement {quarter}"),
                    Paragraph("\n".join(lines)), Notice(FINGERPRINTS_NOTE, tone="info")]
    if state != QuarterState.CLOSED.value:
        blocks.append(Notice(DRAFT_NOTICE, tone="info"))
    blocks += restatement_blocks(issue)
    blocks += _parties_and_rules(data)
    blocks += _coverage(data)
    split = [c for c, r in data["rules"].items() if r["mode"] == SharingMode.SPLIT.value]
    dual = [c for c, r in data["rules"].items() if r["mode"] == SharingMode.DUAL_COUNT.value]
    for code in split:
        blocks += _indicator(data, code, additive=True)
    if dual:
        blocks += [Heading("双重计入指标", "Dual-counted indicators"), Notice(ASSESSMENT_ONLY)]
        for code in dual:
            blocks += _indicator(data, code, additive=False)
    blocks += _workflow(data, issue)
    blocks += [Heading("签章", "Signatures"), SignatureBlocks(tuple(
        f"{p['name']}财政局 / Finance bureau of {p['name_en']}" for p in data["parties"].values()))]
    return document(title=f"{agreement['title']} {quarter} 分享结算单 / Sharing statement",
                    subject=f"statement {agreement['code']} {quarter}", quarter=quarter,
                    data=data, issue=issue, blocks=blocks, landscape=True)


def _parties_and_rules(data: dict) -> list:
    """The parties table and each rule in words, Chinese and English."""
    parties = Table(
        (Column("地区", "Region", "left", 2.2), Column("代码", "Code", "left", 0.8),
         Column("角色", "Role", "left", 1.4), Column("优先级", "Priority", "right", 0.8),
         Column("默认方", "Default party", "left", 1.0)),
        tuple((f"{p['name']} / {p['name_en']}", code, _coded(PartyRole, p["role"]),
               str(p["priority"]), "是 / yes" if p["is_default"] else "")
              for code, p in data["parties"].items()))
    rules = Table(
        (Column("指标", "Indicator", "left", 1.6), Column("方式", "Mode", "left", 1.3),
         Column("规则", "Rule (中文)", "left", 3.0), Column("Rule", "Rule (English)", "left", 3.0)),
        tuple((f"{r['name']} / {r['name_en']}（{r['unit']}）", _coded(SharingMode, r["mode"]),
               r["zh"], r["en"]) for r in data["rules"].values()))
    return [Heading("协议各方", "Parties"), parties, Heading("分享规则", "Rules in words"), rules]


def _indicator(data: dict, code: str, additive: bool) -> list:
    """One indicator: per party, a table of the covered projects with its total row."""
    rule = data["rules"][code]
    quantum = rule["quantum"]
    rows = [r for r in data["rows"].values() if r["indicator"] == code]
    total = data["totals"].get(code)
    unit = rule["unit"]
    blocks: list = [Heading(f"{rule['name']}（{unit}）", f"{rule['name_en']} ({unit_en(unit)})", 2),
                    Paragraph(f"{rule['zh']}\n{rule['en']}")]
    blocks += _caps(data, rule, rows)
    label = TOTAL if additive else "本方合计（不跨方相加）/ This party's total (not across parties)"
    for party_code, party in data["parties"].items():
        body = tuple(
            (f"{r['project_code']} {r['project_name']}",
             MISSING if r["missing"] else quantity(r["value"], quantum),
             *(quantity(r["parties"][party_code][k], quantum) for k in
               ("current", "adjustment", "total", "year_to_date", "since_inception")),
             *(quantity(r["parties"][party_code][k], quantum) if r["parties"][party_code][k]
               is not None else "" for k in ("cap_used", "cap_left")))
            for r in rows)
        sums = total["parties"][party_code] if total else None
        total_row = None if sums is None else (
            label, quantity(total["value"], quantum),
            *(quantity(sums[k], quantum) for k in
              ("current", "adjustment", "total", "year_to_date", "since_inception")), "", "")
        blocks.append(Table(_COLUMNS, body, total_row=total_row,
                            caption=f"{party['name']} / {party['name_en']}"
                                    f"（{bilingual(unit, unit_en(unit))}）",
                            highlight_rows=frozenset(i for i, r in enumerate(rows)
                                                     if r["missing"])))
    return blocks


NAMED = "协议列名 / named"


def _coverage(data: dict) -> list:
    """For an agreement that covers parks: the parks, and how each project of the statement is
    covered (named in the agreement, or as a member of a park)."""
    parks = data.get("covered_parks")
    if not parks:
        return []
    seen: dict[str, tuple[str, str]] = {}
    for r in data["rows"].values():
        via = r.get("via_park")
        seen.setdefault(r["project_code"], (r["project_name"],
                                            f"经园区 / via park {via}" if via else NAMED))
    listed = "；".join(f"{name}（{code}）" for code, name in sorted(parks.items()))
    return [Heading("覆盖方式", "How each project is covered", 2),
            Paragraph(f"本协议覆盖园区 / The agreement covers the parks: {listed}。园区项目自其入园"
                      "季度与协议首季度中较晚者起纳入，至其离园季度止。 / A park's project is "
                      "covered from the later of the quarter it joined the park and the "
                      "agreement's first quarter, through the quarter it left."),
            Table((Column("项目", "Project", "left", 3.0),
                   Column("覆盖方式", "Covered", "left", 4.0)),
                  tuple((f"{code} {name}", how) for code, (name, how) in sorted(seen.items())))]


def _caps(data: dict, rule: dict, rows: list) -> list:
    """Where each cap comes from: the rule's amount, or a covered project's own amount."""
    caps = rule.get("caps") or {}
    if not caps:
        return []
    unit, quantum = rule["unit"], rule["quantum"]
    lines = []
    for party_code, cap in caps.items():
        party = data["parties"].get(party_code, {"name": party_code, "name_en": party_code})
        scope = coded(CapScope, cap["scope"])
        for r in rows:
            own = cap["projects"].get(r["project_code"])
            lines.append((f"{r['project_code']} {r['project_name']}",
                          f"{party['name']} / {party['name_en']}", scope,
                          quantity(own if own is not None else cap["amount"], quantum),
                          CAP_SOURCES["project" if own is not None else "rule"]))
    return [Table(
        (Column("项目", "Project", "left", 2.4), Column("受限方", "Capped party", "left", 1.4),
         Column("期间", "Scope", "left", 1.5),
         Column(f"上限（{unit}）", f"Cap ({unit_en(unit)})", "right", 1.2),
         Column("上限来源", "Where the cap comes from", "left", 3.6)), tuple(lines),
        caption="上限及其来源 / Caps and where they come from")]


def _person(name: str | None, bureau: str) -> str:
    """ "张敏（深圳市财政局）", the name alone without a bureau, "—" for nobody."""
    if not name:
        return "—"
    return f"{name}（{bureau}）" if bureau else name


def _workflow(data: dict, issue: IssueInfo) -> list:
    """Who submitted and confirmed for each party and when (local time), closing, reviews."""
    flow = data["workflow"]
    steps = [("提交 / Submitted", "", _person(flow["submitted_by"],
                                            flow.get("submitted_bureau", "")),
              issue.local(flow["submitted_at"]))]
    for code, party in data["parties"].items():
        done = flow["confirmations"].get(code)
        steps.append(("确认 / Confirmed" if done else "待确认 / Not confirmed",
                      f"{party['name']} / {party['name_en']}",
                      _person(done["by"], done.get("bureau", "")) if done else "—",
                      issue.local(done["at"]) if done else "—"))
    steps.append(("关账 / Closed", "", "", issue.local(flow["closed_at"])))
    zone = f"时间为 {issue.time_zone} 本地时间 / Times in local time ({issue.time_zone})"
    blocks = [Heading("审批流程", "Workflow"), Table(
        (Column("步骤", "Step", "left", 1.4), Column("方", "Party", "left", 2.0),
         Column("经办人（单位）", "By (bureau)", "left", 2.0), Column("时间", "At", "left", 1.6)),
        tuple(steps), note=zone)]
    if flow["reviews"]:
        blocks.append(Table(
            (Column("审计意见", "Review", "left", 1.2), Column("审计人", "Auditor", "left", 1.4),
             Column("时间", "At", "left", 1.3), Column("意见", "Comment", "left", 3.0),
             Column("答复", "Answer", "left", 3.0)),
            tuple((_coded(ReviewKind, r["kind"]), r["by"], issue.local(r["at"]), r["comment"],
                   r["answer"] or ("未答复 / open" if r["kind"] == "QUERY" else ""))
                  for r in flow["reviews"].values()),
            caption="审计意见 / Auditor reviews"))
    return blocks
