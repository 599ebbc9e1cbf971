"""The data of a national demonstration zone's annual summary: the zone, the projects that
belonged to it during the year (those taken on in the year marked) with every fund's investment
in them, the projects by source macro-region and by transfer guidance catalogue flag (under the
edition current when the summary is drawn up, named in the data), and the indicators they
reported with what the agreements covering them shared.

The report's period is a calendar year; like the quarterly reports it is keyed by a quarter, the
year's fourth (``2026Q4`` is the summary of 2026). Money in yuan, exact: committed and disbursed
in the year (transactions dated in it) and in all up to 31 December. Indicators are summed over
the year's quarters in which each project belonged to the zone; shares are the "total" column
(current plus prior-period adjustment) of each quarter's statement (as frozen once closed),
restricted to the zone's projects, summed over the year.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.codes import AgreementStatus, MacroRegion, ParkType, ScreeningFlag
from app.domain.messages import N_
from app.domain.quarter import Quarter
from app.domain.regions import is_within
from app.models import Agreement, CoveredProject, Observation, Park
from app.services import screening
from app.services.access.scopes import SYSTEM, Actor
from app.services.errors import NotFound, ValidationFailed
from app.services.funds.projects import money_by_project
from app.services.parks import membership
from app.services.parks.register import PARK_IN_FULL, park_filter
from app.services.reference.catalogue import current_edition
from app.services.reference.lookups import indicators as indicator_definitions
from app.services.reporting.builders.common import Subject, amount_text
from app.services.reporting.park_figures import member_in
from app.services.sharing import workflow
from app.services.sharing.agreements import get_agreement

KIND = "zone"
ZERO = Decimal("0.00")


def subject(session: Session, actor: Actor, code: str) -> Subject:
    """The national demonstration zone with ``code`` in the actor's scope; NotFound otherwise
    (another type of park has no annual summary: ValidationFailed naming ``code``)."""
    park = session.scalars(select(Park).where(Park.code == code, park_filter(actor))
                           .options(*PARK_IN_FULL)).first()
    if park is None:
        raise NotFound(f'park "{code}"')
    if park.park_type is not ParkType.NATIONAL_ZONE:
        raise ValidationFailed(code=N_("%(code)s is not a national demonstration zone: only a "
                                       "zone has an annual summary", code=code))
    return Subject(KIND, park.code, park.name, region_id=park.host_region_id, obj=park)


def check_issuer(session: Session, actor: Actor, subject: Subject, quarter: Quarter) -> None:
    """The host region's finance bureau issues the summary (or the operator's command line), and
    only as of a year's fourth quarter."""
    if actor.user_id is not None and not any(is_within(subject.obj.host_region.code, b)
                                             for b in actor.bureau_regions):
        raise NotFound("page")
    if quarter.number != 4:
        raise ValidationFailed(quarter=N_("a zone's annual summary is issued as of the fourth "
                                          "quarter of its year (%(year)s)Q4",
                                          year=quarter.year))


def collect(session: Session, subject: Subject, quarter: Quarter) -> dict:
    """Every figure of the annual summary of ``quarter``'s year, keyed to diff."""
    park, year = subject.obj, quarter.year
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    quarters = [Quarter(year, n) for n in range(1, 5)]
    rows = [r for r in membership.members(session, park.id)
            if r.joined_on <= last and (r.left_on is None or r.left_on >= first)]
    ids = [r.project_id for r in rows]
    in_year = money_by_project(session, ids, since=first, until=last)
    to_date = money_by_project(session, ids, until=last)
    flags = screening.flags_of(session, ids)
    projects = {}
    for r in rows:
        p = r.project
        projects[p.code] = {
            "name": p.name, "enterprise": p.enterprise, "source": p.source_region.code,
            "source_name": p.source_region.name,
            "macro_region": p.source_region.macro_region, "joined_on": r.joined_on.isoformat(),
            "left_on": r.left_on.isoformat() if r.left_on else None,
            "taken_on": first <= r.joined_on <= last,
            "committed_in_year": amount_text(in_year.get(p.id, (ZERO, ZERO))[0]),
            "disbursed_in_year": amount_text(in_year.get(p.id, (ZERO, ZERO))[1]),
            "committed_to_date": amount_text(to_date.get(p.id, (ZERO, ZERO))[0]),
            "disbursed_to_date": amount_text(to_date.get(p.id, (ZERO, ZERO))[1]),
            "flag": flags[p.id].value}
    members = {q: {r.project_id: r.project.code for r in rows if member_in(r, q)}
               for q in quarters}
    return {
        "zone": _zone(park), "year": year, "quarter": str(quarter),
        "projects": projects, "by_macro_region": _by_macro(projects),
        "catalogue": _edition(session), "by_catalogue_flag": _by_flag(projects),
        "indicators": _indicators(session, members),
        "shared": _shared(session, park.id, members),
    }


def _zone(park: Park) -> dict:
    return {"code": park.code, "name": park.name, "host": park.host_region.code,
            "host_name": park.host_region.name,
            "partners": {p.region.code: {"name": p.region.name, "role": p.role.value}
                         for p in sorted(park.partners, key=lambda p: p.region.code)},
            "approving_document": park.approving_document or "",
            "approved_on": park.approved_on.isoformat() if park.approved_on else None,
            "cycle_start": park.cycle_start.isoformat(),
            "cycle_end": park.cycle_end.isoformat() if park.cycle_end else None,
            "planned_area": amount_text(park.planned_area),
            "industries": {i.industry_code: i.industry.name
                           for i in sorted(park.industries, key=lambda i: i.industry_code)}}


def _by_macro(projects: dict) -> dict:
    """Per source macro-region (in the fixed order east, central, west, north-east): projects
    taken on in the year, projects belonging during the year, and the money."""
    return _grouped(projects, "macro_region", MacroRegion)


def _by_flag(projects: dict) -> dict:
    """Per guidance-catalogue flag (in the fixed order priority, adjust-and-exit, no longer,
    to be reviewed, not listed): the same counts and money as by macro-region. Every project
    has exactly one flag, so both breakdowns add up to the same totals."""
    return _grouped(projects, "flag", ScreeningFlag)


def _grouped(projects: dict, key: str, order) -> dict:
    out = {}
    for member in order:
        mine = [p for p in projects.values() if p[key] == member.value]
        if not mine:
            continue
        out[member.value] = {
            "taken_on": sum(1 for p in mine if p["taken_on"]), "projects": len(mine),
            **{k: amount_text(sum((Decimal(p[k]) for p in mine), ZERO)) for k in (
                "committed_in_year", "disbursed_in_year", "committed_to_date",
                "disbursed_to_date")}}
    return out


def _edition(session: Session) -> dict:
    """The catalogue edition the flags were read under when the summary was drawn up (its name,
    whether it is a sample); a null name before any edition exists (every project NONE)."""
    edition = current_edition(session)
    return {"edition": edition.name if edition else None,
            "sample": bool(edition and edition.is_sample)}


def _indicators(session: Session, members: dict[Quarter, dict[int, str]]) -> dict:
    """Per indicator: the year's total of the zone's projects (quarters they belonged) and the
    number of (project, quarter) values reported."""
    sums: dict[str, list] = defaultdict(lambda: [Decimal(0), 0])
    for quarter, ids in members.items():
        if not ids:
            continue
        for code, value in session.execute(
                select(Observation.indicator_code, Observation.value)
                .where(Observation.project_id.in_(sorted(ids)), Observation.quarter == quarter)):
            sums[code][0] += value
            sums[code][1] += 1
    out = {}
    for d in indicator_definitions(session):
        if d.code in sums:
            out[d.code] = {"name": d.name, "name_en": d.name_en, "unit": d.unit,
                           "quantum": d.quantum,
                           "value": f"{sums[d.code][0].quantize(d.quantum_decimal):f}",
                           "reported": sums[d.code][1]}
    return out


def _shared(session: Session, park_id: int, members: dict[Quarter, dict[int, str]]) -> dict:
    """Per signed agreement covering the zone or one of its projects: per indicator, the
    year's observed total of the zone's projects and each party's allocation."""
    everyone = sorted({pid for ids in members.values() for pid in ids})
    if not everyone:
        return {}
    agreement_ids = sorted(set(session.scalars(
        select(CoveredProject.agreement_id).join(Agreement, CoveredProject.agreement)
        .where(CoveredProject.project_id.in_(everyone),
               Agreement.status != AgreementStatus.DRAFT))))
    out = {}
    for agreement_id in agreement_ids:
        agreement = get_agreement(session, SYSTEM, agreement_id)
        indicators: dict[str, dict] = {}
        names: dict[str, str] = {}
        for quarter, ids in members.items():
            codes = set(ids.values())
            statement, _aq = workflow.statement_of(session, agreement, quarter)
            names.update({p["code"]: p["name"] for p in statement.parties})
            for total in statement.totals:
                mine = [r for r in statement.rows
                        if r.indicator == total.indicator and r.project_code in codes]
                if not mine:
                    continue
                entry = indicators.setdefault(total.indicator, {
                    "name": total.name, "unit": total.unit, "mode": total.mode,
                    "value": Decimal(0), "parties": defaultdict(Decimal)})
                entry["value"] += sum((r.value for r in mine), Decimal(0))
                for r in mine:
                    for code in names:  # in priority order (a cached row's lines are sorted)
                        entry["parties"][code] += r.lines[code].total
        if indicators:
            out[agreement.code] = {
                "title": agreement.title,
                "covers_zone": any(c.park_id == park_id for c in agreement.covered_parks),
                "party_names": names,
                "indicators": {code: {**e, "value": f"{e['value']:f}",
                                      "parties": {p: f"{e['parties'][p]:f}" for p in names
                                                  if p in e["parties"]}}
                               for code, e in indicators.items()}}
    return out
