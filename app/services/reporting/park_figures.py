"""The figures of a park's page: its projects (with how long they belong), the investment in
them from the funds' ledgers, the indicators they report in a quarter, and what the agreements
covering them share of those.

Investment is every fund's committed and disbursed to the project today (yuan, exact to the fen;
``funds.projects.money_by_project``). The indicators are the observations of the quarter of the
projects that belong to the park in that quarter, summed per indicator in its unit; the shares
are each agreement's statement of the quarter (as frozen once closed), restricted to the park's
projects, summed per indicator and party.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.codes import AgreementStatus, ProjectStatus
from app.domain.quarter import Quarter
from app.models import Agreement, CoveredProject, Observation, Park, ParkMembership, Project
from app.services.access.scopes import Actor, project_filter
from app.services.funds.projects import money_by_project, shown_statuses
from app.services.parks import membership
from app.services.parks.register import get_park
from app.services.reference.lookups import indicators as indicator_definitions
from app.services.sharing import workflow
from app.services.sharing.agreements import agreement_filter, get_agreement

ZERO = Decimal("0.00")


@dataclass
class MemberLine:
    """One project of the park, with every fund's committed and disbursed (yuan)."""

    project_id: int
    code: str
    name: str
    source: str
    destination: str
    status: ProjectStatus
    joined_on: dt.date
    left_on: dt.date | None
    committed: Decimal
    disbursed: Decimal
    visible: bool


@dataclass
class IndicatorLine:
    """One indicator of the quarter: the members' total and how many reported it."""

    code: str
    name: str
    name_en: str
    unit: str
    value: Decimal
    reported: int


@dataclass
class SharedLine:
    """What one agreement shares of the park's projects for one indicator in the quarter, per
    party (the current allocation, indicator unit)."""

    agreement_id: int
    agreement_code: str
    title: str
    indicator: str
    name: str
    unit: str
    mode: str
    value: Decimal
    parties: list[tuple[str, str, Decimal]]
    via_park: bool


@dataclass
class ParkFigures:
    """Everything the park page shows beside the park itself."""

    park: Park
    quarter: Quarter
    members: list[MemberLine]
    committed: Decimal
    disbursed: Decimal
    indicators: list[IndicatorLine] = field(default_factory=list)
    shared: list[SharedLine] = field(default_factory=list)


def member_in(row: ParkMembership, quarter: Quarter) -> bool:
    """Whether the project belonged to the park on some day of ``quarter``."""
    return (row.joined_on <= quarter.last_day
            and (row.left_on is None or row.left_on >= quarter.first_day))


def park_figures(session: Session, actor: Actor, park_id: int, quarter: Quarter) -> ParkFigures:
    """The park's figures for ``quarter`` (NotFound when the park is out of the actor's
    scope). Projects the actor may not read are counted in the sums but shown without a link."""
    park = get_park(session, actor, park_id)
    rows = membership.members(session, park.id)
    money = money_by_project(session, [r.project_id for r in rows])
    statuses = shown_statuses(session, [r.project for r in rows])
    readable = _readable(session, actor, [r.project_id for r in rows])
    members = [MemberLine(
        r.project_id, r.project.code, r.project.name, str(r.project.source_region),
        str(r.project.destination_region), statuses[r.project_id], r.joined_on, r.left_on,
        *money.get(r.project_id, (ZERO, ZERO)), r.project_id in readable) for r in rows]
    figures = ParkFigures(park, quarter, members, sum((m.committed for m in members), ZERO),
                          sum((m.disbursed for m in members), ZERO))
    current = {r.project_id: r.project.code for r in rows if member_in(r, quarter)}
    figures.indicators = _indicators(session, list(current), quarter)
    figures.shared = _shared(session, actor, park.id, current, quarter)
    return figures


def _readable(session: Session, actor: Actor, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(session.scalars(select(Project.id).where(Project.id.in_(ids),
                                                        project_filter(actor))))


def _indicators(session: Session, project_ids: list[int], quarter: Quarter
                ) -> list[IndicatorLine]:
    if not project_ids:
        return []
    sums: dict[str, list] = {}
    for code, value in session.execute(
            select(Observation.indicator_code, Observation.value)
            .where(Observation.project_id.in_(project_ids), Observation.quarter == quarter)):
        found = sums.setdefault(code, [Decimal(0), 0])
        found[0] += value
        found[1] += 1
    lines = []
    for definition in indicator_definitions(session):
        if definition.code in sums:
            total, count = sums[definition.code]
            lines.append(IndicatorLine(definition.code, definition.name, definition.name_en,
                                       definition.unit,
                                       total.quantize(definition.quantum_decimal), count))
    return lines


def _shared(session: Session, actor: Actor, park_id: int, current: dict[int, str],
            quarter: Quarter) -> list[SharedLine]:
    """Per readable signed agreement covering the park or one of its projects."""
    if not current:
        return []
    ids = sorted(set(session.scalars(
        select(CoveredProject.agreement_id).join(Agreement, CoveredProject.agreement)
        .where(CoveredProject.project_id.in_(sorted(current)),
               Agreement.status != AgreementStatus.DRAFT, agreement_filter(actor)))))
    codes = set(current.values())
    lines = []
    for agreement_id in ids:
        agreement = get_agreement(session, actor, agreement_id)
        via = any(c.park_id == park_id for c in agreement.covered_parks)
        statement, _aq = workflow.statement_of(session, agreement, quarter)
        names = [(p["code"], p["name"]) for p in statement.parties]
        for total in statement.totals:
            mine = [r for r in statement.rows
                    if r.indicator == total.indicator and r.project_code in codes]
            if not mine:
                continue
            lines.append(SharedLine(
                agreement.id, agreement.code, agreement.title, total.indicator, total.name,
                total.unit,
                total.mode,
                sum((r.value for r in mine), Decimal(0)),
                [(code, name, sum((r.lines[code].current for r in mine), Decimal(0)))
                 for code, name in names], via))
    return lines
