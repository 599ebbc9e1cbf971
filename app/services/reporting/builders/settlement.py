"""The settlement schedule (年度结算表) for the superior finance department: the newest run of an
agreement's fiscal year, bilingual, with the net per pair it books, the totals, the carried
differences, every line per project, the footing against the statements, both bureaus'
confirmations and a signature block per party.

An issued report is keyed by a quarter: a settlement schedule is filed under the fourth quarter
of its fiscal year (``2024Q4`` for 2024), the quarter that closes it. The data depends only on
the agreement and the year (the notices booked later are not part of it)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.codes import DifferenceReason, PartyRole, SettlementState
from app.domain.messages import N_
from app.domain.quarter import Quarter
from app.models import Agreement
from app.services.access.scopes import Actor
from app.services.errors import NotFound, ValidationFailed
from app.services.reporting.builders.common import (
    TOTAL,
    IssueInfo,
    Subject,
    coded,
    document,
    restatement_blocks,
    utc_text,
    yuan,
)
from app.services.settlement.runs import content_of, latest_run
from app.services.sharing.agreements import agreement_filter, get_agreement, party_in_scope
from reports import Column, Document, Heading, Notice, Paragraph, SignatureBlocks, Table

KIND = "settlement"
SECTIONS = {
    "agreement": "协议 / Agreement", "fiscal_year": "年度 / Fiscal year", "run": "结算 / Run",
    "parties": "各方 / Parties", "quarters": "季度结算单 / Quarter statements",
    "net": "轧差 / Net", "totals": "合计 / Totals", "carried": "结转 / Carried",
    "lines": "明细 / Lines", "kept": "留存 / Kept", "footing": "核对 / Footing",
    "confirmations": "确认 / Confirmations",
}
RUN_FINGERPRINT = ("结算数据指纹（双方确认的对象）/ Settlement data fingerprint (confirmed by both "
                   "parties)")
BOOKING_NOTE = (
    "上级财政部门在年终结算中据“按对轧差”入账：付款方上解增加，收款方补助增加。 / The superior "
    "finance department books the net per pair in its year-end settlement: the payer's "
    "remittance up (上解) rises and the payee's transfer down (补助) rises.")
DRAFT_NOTICE = ("草稿：双方尚未确认本结算，不能签发。 / Draft: both parties have not confirmed "
                "this settlement yet; it cannot be issued.")
_PAIR = (Column("付款方", "Payer", "left", 2.4), Column("收款方", "Payee", "left", 2.4),
         Column("金额（元）", "Amount (yuan)", "right", 1.6))


def subject(session: Session, actor: Actor, code: str) -> Subject:
    """The agreement with ``code`` if the actor may read it; else NotFound."""
    agreement_id = session.scalar(select(Agreement.id).where(Agreement.code == code,
                                                             agreement_filter(actor)))
    if agreement_id is None:
        raise NotFound(f'agreement "{code}"')
    agreement = get_agreement(session, actor, agreement_id)
    return Subject(KIND, agreement.code, agreement.title, agreement_id=agreement.id,
                   obj=agreement)


def check_issuer(session: Session, actor: Actor, subject: Subject, quarter: Quarter) -> None:
    """A bureau of one of the parties (or the command line) issues a confirmed settlement."""
    agreement = subject.obj
    if actor.user_id is not None and not any(party_in_scope(actor, p)
                                             for p in agreement.parties):
        raise NotFound("page")
    run = latest_run(session, agreement.id, quarter.year)
    if run is None or run.state is not SettlementState.CONFIRMED:
        raise ValidationFailed(quarter=N_(
            "the settlement of %(year)s is not confirmed by both parties yet: only a confirmed "
            "settlement is issued (download it as a draft)", year=quarter.year))


def collect(session: Session, subject: Subject, quarter: Quarter) -> dict:
    """Every figure and word of the schedule of ``quarter.year`` (its newest run)."""
    agreement = subject.obj
    run = latest_run(session, agreement.id, quarter.year)
    if run is None:
        raise ValidationFailed(quarter=N_("no settlement of %(year)s has been computed yet",
                                          year=quarter.year))
    content = content_of(run)
    regions = {p.region.code: p for p in agreement.parties}
    return {
        "agreement": {"code": agreement.code, "title": agreement.title,
                      "basis_document": agreement.basis_document or ""},
        "fiscal_year": run.fiscal_year,
        "run": {"version": run.number, "state": run.state.value, "fingerprint": run.fingerprint,
                "foots": run.foots, "computed_at": utc_text(run.computed_at),
                "confirmed_at": utc_text(run.confirmed_at)},
        "parties": {code: {"name": p.region.name, "name_en": p.region.name_en or code,
                           "role": p.role.value} for code, p in regions.items()},
        "quarters": content["quarters"], "net": content["net"], "totals": content["totals"],
        "carried": content["carried"], "lines": content["lines"], "kept": content["kept"],
        "footing": content["footing"],
        "confirmations": {c.party.region.code: {"by": c.user.name, "at": utc_text(c.confirmed_at),
                                                "fingerprint": c.fingerprint}
                          for c in run.confirmations},
    }


def build(data: dict, issue: IssueInfo) -> Document:
    """The schedule as a document, from its data dict alone."""
    agreement, year, run = data["agreement"], data["fiscal_year"], data["run"]
    parties = data["parties"]

    def party(code: str) -> str:
        p = parties.get(code)
        return f"{p['name']} / {p['name_en']}" if p else code

    lines = [f"协议 / Agreement: {agreement['code']} {agreement['title']}"]
    if agreement["basis_document"]:
        lines.append(f"依据 / Basis: {agreement['basis_document']}")
    lines += [f"年度 / Fiscal year: {year} ({year}-01-01 – {year}-12-31) · 第 {run['version']} "
              f"版 / version {run['version']} · 状态 / State: "
              f"{coded(SettlementState, run['state'])}",
              f"{RUN_FINGERPRINT}: {run['fingerprint']}",
              "与结算单核对一致 / Foots to the statements: "
              + ("是 / yes" if run["foots"] else "否 / NO")]
    blocks: list = [Heading(f"年度结算表 {year}", f"Settlement schedule {year}"),
                    Paragraph("\n".join(lines)), Notice(BOOKING_NOTE, tone="info")]
    if run["state"] != SettlementState.CONFIRMED.value:
        blocks.append(Notice(DRAFT_NOTICE, tone="info"))
    blocks += restatement_blocks(issue)
    blocks += [Heading("按对轧差（上级财政部门入账数）", "Net per pair (what the superior books)"),
               Table(_PAIR, tuple((party(n["payer"]), party(n["payee"]), yuan(n["amount"]))
                                  for n in data["net"]) or (("—", "—", "0.00"),))]
    blocks += [Heading("按付款方、收款方合计", "Totals per payer and payee"),
               Table(_PAIR, tuple((party(t["payer"]), party(t["payee"]), yuan(t["amount"]))
                                  for t in data["totals"]) or (("—", "—", "0.00"),))]
    if data["carried"]:
        blocks += [Heading("以前年度结转差额", "Differences carried from earlier years"), Table(
            (Column("年度", "Year", "left", 0.8), *_PAIR[:2],
             Column("尚欠（元）", "Still owed (yuan)", "right", 1.4),
             Column("原因", "Reason", "left", 1.8)),
            tuple((str(c["fiscal_year"]), party(c["payer"]), party(c["payee"]),
                   yuan(c["amount"]), coded(DifferenceReason, c["reason"]))
                  for c in data["carried"]))]
    blocks += _lines(data, party)
    blocks += [Heading("与季度结算单核对", "Footing against the quarter statements"), Table(
        (Column("指标", "Indicator", "left", 1.4), Column("方", "Party", "left", 2.2),
         Column("结算单合计（元）", "Statements (yuan)", "right", 1.6),
         Column("本结算（元）", "This run (yuan)", "right", 1.6),
         Column("一致", "Equal", "left", 0.7)),
        tuple((f["indicator"], party(f["party"]), yuan(f["statements"]), yuan(f["run"]),
               "是 / yes" if f["statements"] == f["run"] else "否 / NO")
              for f in data["footing"]),
        note="季度结算单 / Quarter statements: " + " · ".join(
            f"{q} {fp[:16]}…" for q, fp in data["quarters"].items()))]
    blocks += _confirmations(data, issue, party)
    blocks += [Heading("签章", "Signatures"), SignatureBlocks(tuple(
        f"{p['name']}财政局 / Finance bureau of {p['name_en']}" for p in parties.values()))]
    return document(title=f"{agreement['title']} {year} 年度结算表 / Settlement schedule",
                    subject=f"settlement {agreement['code']} {year}", quarter=Quarter(year, 4),
                    data=data, issue=issue, blocks=blocks, landscape=False)


def _lines(data: dict, party) -> list:
    """Every project's line to each payee, with what the payer keeps, and the total."""
    kept = {(k["project"], k["indicator"]): k["amount"] for k in data["kept"]}
    rows = tuple((f"{x['project']} {x['project_name']}", x["indicator"], party(x["payer"]),
                  party(x["payee"]), yuan(x["amount"]), yuan(kept.get((x["project"],
                                                                       x["indicator"]))))
                 for x in data["lines"])
    total = sum((Decimal(x["amount"]) for x in data["lines"]), Decimal("0"))
    return [Heading("项目明细", "Lines per project"), Table(
        (Column("项目", "Project", "left", 2.4), Column("指标", "Indicator", "left", 1.1),
         Column("付款方", "Payer", "left", 1.6), Column("收款方", "Payee", "left", 1.6),
         Column("应付（元）", "Owed (yuan)", "right", 1.4),
         Column("付款方留存（元）", "Payer keeps (yuan)", "right", 1.4)),
        rows, total_row=(TOTAL, "", "", "", yuan(total), ""),
        caption="各季度“本期合计”（本期分配 + 以前期间调整）之和 / The sum of the quarters' "
                "totals (current + prior-period adjustment)")]


def _confirmations(data: dict, issue: IssueInfo, party) -> list:
    """Who confirmed for each party and when (local time)."""
    rows = []
    for code in data["parties"]:
        done = data["confirmations"].get(code)
        rows.append(("确认 / Confirmed" if done else "待确认 / Not confirmed", party(code),
                     done["by"] if done else "—", issue.local(done["at"]) if done else "—"))
    roles = ", ".join(f"{party(c)}: {coded(PartyRole, p['role'])}"
                      for c, p in data["parties"].items())
    return [Heading("双方确认", "Confirmations"), Table(
        (Column("步骤", "Step", "left", 1.4), Column("方", "Party", "left", 2.2),
         Column("经办人", "By", "left", 1.6), Column("时间", "At", "left", 1.6)),
        tuple(rows), note=f"{roles} · 时间为 {issue.time_zone} 本地时间 / Times in local time "
                          f"({issue.time_zone})")]
