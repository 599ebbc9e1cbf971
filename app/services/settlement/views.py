"""What the settlement pages read: the auditor's three-way match of a year (observations →
statements → settlement due → booked), the age of open differences, and what a portfolio
project's tax brought back to its source region. Amounts in 元."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.quarter import Quarter
from app.domain.regions import is_within
from app.models import (
    Agreement,
    AgreementQuarter,
    CoveredProject,
    Observation,
    Project,
    SettlementRun,
)
from app.services.settlement.notices import differences_of, notices_of
from app.services.settlement.runs import content_of, latest_run

ZERO = Decimal(0)


@dataclass(frozen=True)
class Stage:
    """One step of the three-way match and its amount (None: not there yet)."""

    key: str
    amount: Decimal | None


def three_way(session: Session, agreement: Agreement, year: int) -> list[Stage]:
    """Observations of the settling indicators today; what the closed statements observed and
    allocated; what the newest run says is due (lines to other parties, and net with carried
    items); what the notices booked."""
    indicators = [r.indicator_code for r in agreement.rules
                  if r.indicator.settles and r.mode.value == "SPLIT"]
    quarters = [Quarter(year, n) for n in range(1, 5)]
    observed = sum(session.scalars(select(Observation.value).where(
        Observation.project_id.in_([c.project_id for c in agreement.covered]),
        Observation.indicator_code.in_(indicators), Observation.quarter.in_(quarters))), ZERO)
    stated = allocated = None
    closed = [aq for aq in session.scalars(select(AgreementQuarter).where(
        AgreementQuarter.agreement_id == agreement.id, AgreementQuarter.quarter.in_(quarters)))
        if aq.statement_json]
    if closed:
        stated = allocated = ZERO
        for aq in closed:
            for total in json.loads(aq.statement_json)["totals"]:
                if total["indicator"] in indicators:
                    stated += Decimal(total["value"])
                    allocated += sum((Decimal(x["total"]) for x in total["lines"].values()), ZERO)
    run = latest_run(session, agreement.id, year)
    content = content_of(run) if run else None
    lines = sum((Decimal(x["amount"]) for x in content["lines"]), ZERO) if content else None
    kept = sum((Decimal(x["amount"]) for x in content["kept"]), ZERO) if content else None
    net = sum((Decimal(x["amount"]) for x in content["net"]), ZERO) if content else None
    booked = sum((n.amount for n in notices_of(session, agreement.id, year)), ZERO)
    return [Stage("observed", observed), Stage("stated", stated), Stage("allocated", allocated),
            Stage("run", None if content is None else lines + kept),
            Stage("due", lines), Stage("net", net), Stage("booked", booked)]


def open_differences_with_age(session: Session, agreement_id: int, today: dt.date
                              ) -> list[tuple[object, int]]:
    """Every open difference with its age in days (since it was opened)."""
    return [(d, (today - d.opened_at.date()).days)
            for d in differences_of(session, agreement_id) if d.is_open]


@dataclass(frozen=True)
class FlowBack:
    """What one year's settlement gives a project's source region: due, per run version."""

    agreement_code: str
    agreement_id: int
    run_id: int
    fiscal_year: int
    version: int
    state: object
    amount: Decimal


def flowed_back(session: Session, project: Project) -> list[FlowBack]:
    """Per agreement and year covering ``project``: the newest run's lines of the project paid to
    the party whose region covers the project's source region (in 元)."""
    agreements = session.scalars(select(Agreement).join(CoveredProject).where(
        CoveredProject.project_id == project.id)).all()
    source = project.source_region.code
    out = []
    for agreement in agreements:
        years = session.scalars(select(SettlementRun.fiscal_year).where(
            SettlementRun.agreement_id == agreement.id).distinct()).all()
        for year in sorted(years):
            run = latest_run(session, agreement.id, year)
            lines = [x for x in content_of(run)["lines"] if x["project"] == project.code
                     and is_within(source, x["payee"])]
            if lines:
                out.append(FlowBack(agreement.code, agreement.id, run.id, year, run.number,
                                    run.state,
                                    sum((Decimal(x["amount"]) for x in lines), ZERO)))
    return out
