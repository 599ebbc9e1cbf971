"""The events the capabilities raise, each with its recipients (docs/notifications.md).

Called by sharing (the quarterly sign-off), funds (four-eyes reversals, the catalogue flags a
new edition changed) and reporting (issuing) in their own transaction, after their change is
flushed. The actor is never told of their own action. Params are plain strings: names, codes,
quarters."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from app.models import AgreementQuarter, IssuedReport, ReversalRequest, Review
from app.services.notifications import recipients as who
from app.services.notifications.outbox import Event, raise_event


def quarter_link(agreement_id: int, quarter) -> str:
    """The app path of a quarter's statement page."""
    return f"/agreements/{agreement_id}/quarters/{quarter}/"


def _quarter_params(session: Session, aq: AgreementQuarter, actor_id: int | None,
                    actor_label: str) -> dict[str, str]:
    return {"agreement": aq.agreement.code, "title": aq.agreement.title,
            "quarter": str(aq.quarter), "actor": who.name_of(session, actor_id, actor_label)}


def _quarter_event(kind: str, aq: AgreementQuarter, key: str, params: dict) -> Event:
    return Event(kind, key, params, quarter_link(aq.agreement_id, aq.quarter),
                 "agreement_quarter", aq.id)


def quarter_submitted(session: Session, aq: AgreementQuarter, actor_id: int | None,
                      actor_label: str, parties) -> int:
    """A destination bureau submitted: the bureaus of the other parties are told."""
    mine = {p.region.code for p in parties if p.role.value == "DESTINATION"}
    others = [p.region.code for p in parties if p.region.code not in mine] or \
        [p.region.code for p in parties]
    key = f"quarter_submitted:{aq.id}:{aq.submitted_at.isoformat()}"
    return raise_event(session, _quarter_event(
        "quarter_submitted", aq, key, _quarter_params(session, aq, actor_id, actor_label)),
        who.bureaus_of(session, others) - who.bureaus_of(session, mine) or
        who.bureaus_of(session, others), actor_id)


def quarter_confirmed(session: Session, aq: AgreementQuarter, confirmation, actor_id: int | None,
                      actor_label: str, parties) -> int:
    """One party confirmed (the quarter is not closed yet): the other parties are told."""
    others = [p.region.code for p in parties if p.id != confirmation.party_id]
    params = _quarter_params(session, aq, actor_id, actor_label)
    params["party"] = confirmation.party.region.name
    params["party@en"] = confirmation.party.region.name_en or confirmation.party.region.name
    key = f"quarter_confirmed:{aq.id}:{confirmation.party_id}:{aq.submitted_at.isoformat()}"
    return raise_event(session, _quarter_event("quarter_confirmed", aq, key, params),
                       who.bureaus_of(session, others), actor_id)


def quarter_closed(session: Session, aq: AgreementQuarter, actor_id: int | None,
                   actor_label: str, parties) -> int:
    """The last confirmation closed the quarter: every party's bureau and the auditors of it."""
    codes = [p.region.code for p in parties]
    key = f"quarter_closed:{aq.id}:{aq.closed_at.isoformat()}"
    return raise_event(session, _quarter_event(
        "quarter_closed", aq, key, _quarter_params(session, aq, actor_id, actor_label)),
        who.bureaus_of(session, codes) | who.auditors_of(session, codes), actor_id)


def quarter_reopened(session: Session, aq: AgreementQuarter, actor_id: int | None,
                     actor_label: str, parties, at) -> int:
    """An administrator reopened a closed quarter: every party's bureau is told why."""
    params = _quarter_params(session, aq, actor_id, actor_label)
    params["reason"] = aq.reopen_reason or ""
    key = f"quarter_reopened:{aq.id}:{at.isoformat()}"
    return raise_event(session, _quarter_event("quarter_reopened", aq, key, params),
                       who.bureaus_of(session, [p.region.code for p in parties]), actor_id)


def query_raised(session: Session, review: Review, actor_label: str, parties) -> int:
    """An auditor's query: the bureaus of the agreement's parties are told."""
    aq = review.agreement_quarter
    params = _quarter_params(session, aq, review.auditor_id, actor_label)
    params["comment"] = review.comment
    event = Event("query_raised", f"query_raised:{review.id}", params,
                  quarter_link(aq.agreement_id, aq.quarter) + f"#review-{review.id}",
                  "review", review.id)
    return raise_event(session, event, who.bureaus_of(session, [p.region.code for p in parties]),
                       review.auditor_id)


def query_answered(session: Session, review: Review, actor_label: str) -> int:
    """A bureau answered a query: the auditor who asked is told."""
    aq = review.agreement_quarter
    params = _quarter_params(session, aq, review.answered_by_id, actor_label)
    params["answer"] = review.answer or ""
    event = Event("query_answered", f"query_answered:{review.id}", params,
                  quarter_link(aq.agreement_id, aq.quarter) + f"#review-{review.id}",
                  "review", review.id)
    return raise_event(session, event, {review.auditor_id}, review.answered_by_id)


def _reversal_params(session: Session, request: ReversalRequest, actor_id: int | None,
                     actor_label: str) -> dict[str, str]:
    return {"entry": request.entry.reference, "fund": request.fund.code,
            "quarter": str(request.restated_quarter), "reason": request.reason,
            "note": request.decision_note or "",
            "actor": who.name_of(session, actor_id, actor_label)}


def _reversal_event(kind: str, request: ReversalRequest, params: dict) -> Event:
    return Event(kind, f"{kind}:{request.id}", params, f"/funds/{request.fund_id}/reversals",
                 "reversal_request", request.id)


def reversal_requested(session: Session, request: ReversalRequest, actor_label: str) -> int:
    """A reversal waits for a second person: the fund's managers and the administrators."""
    params = _reversal_params(session, request, request.requested_by_id, actor_label)
    return raise_event(session, _reversal_event("reversal_requested", request, params),
                       who.fund_managers(session, request.fund_id) | who.administrators(session),
                       request.requested_by_id)


def reversal_decided(session: Session, request: ReversalRequest, actor_label: str) -> int:
    """Approved or rejected: the requester is told."""
    kind = "reversal_approved" if request.status.value == "APPROVED" else "reversal_rejected"
    params = _reversal_params(session, request, request.decided_by_id, actor_label)
    return raise_event(session, _reversal_event(kind, request, params),
                       {request.requested_by_id}, request.decided_by_id)


def report_issued(session: Session, report: IssuedReport, region_codes: list[str]) -> int:
    """A report was issued: the parties it concerns (a statement: the bureaus of its parties; a
    fund report: the fund's managers; a regional report: that region's bureau), PDF attached."""
    if report.kind == "fund" and report.fund_id is not None:
        users = who.fund_managers(session, report.fund_id)
    else:
        users = who.bureaus_of(session, region_codes)
    params = {"subject": f"{report.subject_code} {report.subject_name}",
              "quarter": str(report.quarter), "version": str(report.version),
              "sha256": report.sha256,
              "actor": who.name_of(session, report.issued_by_id, report.issued_by)}
    event = Event("report_issued", f"report_issued:{report.id}", params,
                  f"/reports/issued/{report.id}.pdf", "issued_report", report.id, report.id)
    return raise_event(session, event, users, report.issued_by_id)


CAP_THRESHOLDS = (Decimal(90), Decimal(100))
"""The shares of a cap (per cent) whose crossing is announced."""


def cap_reached(session: Session, aq: AgreementQuarter, *, project: str,
                indicator: tuple[str, str, str], party: tuple[str, str, str], cap: Decimal,
                used: Decimal, threshold: Decimal, period: str, users: set[int]) -> int:
    """A closing statement shows a party's cap used at or past ``threshold`` per cent: both
    bureaus (``users``: the bureaus of the parties) are told, once per cap, threshold and
    ``period`` (the agreement's life, or the year of a yearly cap). ``indicator`` and ``party``
    are (code, Chinese name, English name); amounts in the indicator's unit."""
    params = {"agreement": aq.agreement.code, "title": aq.agreement.title,
              "quarter": str(aq.quarter), "project": project, "indicator": indicator[1],
              "indicator@en": indicator[2], "party": party[1], "party@en": party[2],
              "cap": f"{cap:,}", "used": f"{used:,}", "percent": f"{threshold:.0f}"}
    key = (f"cap_reached:{aq.agreement_id}:{project}:{indicator[0]}:{party[0]}:{period}:"
           f"{threshold:.0f}")
    event = Event("cap_reached", key, params, quarter_link(aq.agreement_id, aq.quarter),
                  "agreement_quarter", aq.id)
    return raise_event(session, event, users)


def catalogue_flag_changed(session: Session, *, edition: tuple[int, str], previous: str,
                           project: tuple[int, str, str], destination: tuple[str, str, str],
                           before, after, fund_ids, actor_id: int | None) -> int:
    """A new catalogue edition (or a re-screening) changed a project's flag: the managers of the
    funds investing in it and the bureaus of its destination are told, once per edition,
    project and new flag. ``edition`` is (id, name), ``project`` (id, code, name),
    ``destination`` (code, Chinese name, English name); ``before`` and ``after`` are
    ScreeningFlag members (their labels go into the text in either language)."""
    edition_id, edition_name = edition
    project_id, code, name = project
    params = {"project": code, "name": name, "edition": edition_name, "previous": previous,
              "destination": destination[1], "destination@en": destination[2] or destination[1],
              "before": before.label_zh, "before@en": before.label_en,
              "after": after.label_zh, "after@en": after.label_en}
    users: set[int] = who.bureaus_of(session, [destination[0]])
    for fund_id in sorted(set(fund_ids)):
        users |= who.fund_managers(session, fund_id)
    event = Event("catalogue_flag_changed",
                  f"catalogue_flag_changed:{edition_id}:{project_id}:{after.value}", params,
                  f"/projects/{project_id}#catalogue", "project", project_id)
    return raise_event(session, event, users, actor_id)
