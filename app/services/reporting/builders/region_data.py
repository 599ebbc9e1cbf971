"""The data of the regional report: the funds the region sponsors with their key figures, per
indicator what it received and ceded under each agreement beside the official in-place figure
(``services.regions.region_figures``), and the projects that left or entered it."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, selectinload

from app.domain.money import format_percent, format_ratio
from app.domain.quarter import Quarter
from app.domain.regions import is_within
from app.models import Fund, Region
from app.services.access.scopes import SYSTEM, Actor, within_regions
from app.services.errors import NotFound
from app.services.funds.metrics import metrics_as_of
from app.services.reference.lookups import indicators as indicator_definitions
from app.services.reporting.builders import catalogue
from app.services.reporting.builders.common import Subject, amount_text
from app.services.reporting.region_figures import region_figures, region_in_scope
from app.services.settlement.regional import standings
from app.services.sharing.timeliness import timeliness_through

KIND = "region"


def subject(session: Session, actor: Actor, code: str) -> Subject:
    """The region with ``code`` if the actor sees everything or it lies in their regions."""
    region = region_in_scope(session, actor, code)
    return Subject(KIND, region.code, region.name, region_id=region.id, obj=region)


def check_issuer(session: Session, actor: Actor, subject: Subject, quarter: Quarter) -> None:
    """The region's finance bureau (a bureau whose region is it or contains it) issues its
    report, or the operator's command line; anyone else: NotFound."""
    if actor.user_id is not None and not any(is_within(subject.code, b)
                                             for b in actor.bureau_regions):
        raise NotFound("page")


def collect(session: Session, subject: Subject, quarter: Quarter) -> dict:
    """Every figure of the regional report, keyed to diff (indicator amounts in their unit)."""
    region = subject.obj
    figures = region_figures(session, SYSTEM, region.code, quarter)
    quanta = {d.code: d for d in indicator_definitions(session)}
    indicators = {}
    for item in figures.indicators:
        definition = quanta.get(item.code)
        indicators[item.code] = {
            "name": item.name, "name_en": definition.name_en if definition else item.code,
            "unit": item.unit, "quantum": definition.quantum if definition else "0.0001",
            "official": amount_text(item.official), "received": amount_text(item.received),
            "ceded": amount_text(item.ceded), "reconciling": amount_text(item.reconciling),
            "after_sharing": amount_text(item.after_sharing),
            "adjustment": amount_text(item.adjustment),
            "agreements": {line.code: {
                "title": line.title, "parties": ", ".join(line.parties), "closed": line.is_closed,
                "received": amount_text(line.received), "ceded": amount_text(line.ceded),
                "net": amount_text(line.net), "adjustment": amount_text(line.adjustment)}
                for line in item.lines},
            "dual": {line.code: {"title": line.title, "parties": ", ".join(line.parties),
                                 "credited": amount_text(line.credited),
                                 "shared": amount_text(line.shared)} for line in item.dual},
        }
    return {
        "region": {"code": region.code, "name": region.name, "name_en": region.name_en or ""},
        "quarter": str(quarter),
        "funds": _funds(session, region.code, quarter),
        "indicators": indicators,
        "projects": {p.code: {"name": p.name, "enterprise": p.enterprise, "source": p.source,
                              "destination": p.destination, "direction": p.direction,
                              "status": p.status.value} for p in figures.projects},
        "catalogue": catalogue.collect(
            session, (p.id for p in figures.projects if p.direction != "LEFT")),
        "timeliness": {row.code: {"title": row.title, "due": row.rates.due,
                                  "reported": row.rates.reported, "on_time": row.rates.on_time}
                       for row in timeliness_through(session, quarter, region.code)},
        "settlement": _settlement(session, region.code, quarter.year),
    }


def _settlement(session: Session, code: str, through_year: int) -> dict:
    """Per fiscal year up to the report's (as text): its pairs and their sums, in 元 signed from
    the region's side (``settlement.regional``); the year's due, booked and outstanding are
    the sums of its pairs, exact."""
    years: dict[str, dict] = {}
    rows = standings(session, code, through_year)
    codes = {c for row in rows for c in (row.payer, row.payee)}
    names = dict(session.execute(select(Region.code, Region.name)
                                 .where(Region.code.in_(codes))).all()) if codes else {}
    for row in rows:
        year = years.setdefault(str(row.fiscal_year), {"pairs": {}, "totals": {}})
        year["pairs"][f"{row.agreement} {row.payer}>{row.payee}"] = {
            "agreement": row.agreement, "title": row.title, "version": row.version,
            "payer": row.payer, "payee": row.payee, "receives": row.receives,
            "payer_name": names.get(row.payer, row.payer),
            "payee_name": names.get(row.payee, row.payee),
            "due": amount_text(row.due), "booked": amount_text(row.booked),
            "outstanding": amount_text(row.outstanding)}
    for year in years.values():
        year["totals"] = {key: amount_text(sum((Decimal(p[key]) for p in year["pairs"].values()),
                                               Decimal("0.00")))
                          for key in ("due", "booked", "outstanding")}
    return years


def _funds(session: Session, code: str, quarter: Quarter) -> dict:
    """The funds sponsored by the region or below it, with key figures at the quarter end,
    through the fund metric snapshots the fund pages share (fund figures only: no holding's
    IRR is computed for a figure the report does not show)."""
    sponsor = aliased(Region)
    funds = list(session.scalars(
        select(Fund).join(sponsor, sponsor.id == Fund.sponsor_region_id)
        .where(within_regions(sponsor.code, (code,))).order_by(Fund.code)
        .options(selectinload(Fund.sponsor_region))))
    found = metrics_as_of(session, funds, quarter.last_day, detail=False)
    result = {}
    for fund in funds:
        metrics = found[fund.id]
        result[fund.code] = {
            "name": fund.name, "sponsor": fund.sponsor_region.name,
            "committed": amount_text(metrics.committed), "paid_in": amount_text(metrics.paid_in),
            "disbursed": amount_text(metrics.disbursed), "nav": amount_text(metrics.nav),
            "tvpi": format_ratio(metrics.tvpi), "net_irr": format_percent(metrics.net_irr)}
    return result
