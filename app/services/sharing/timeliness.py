"""Timeliness figures of the destination bureaus, per agreement and calendar year.

A quarter is **due** once its timely date has passed (on the local date ``today``); it is
**reported** once it has been submitted (its first submission counts, kept when the quarter is
reopened or returned to open and submitted again), and **on time** when that first submission's
local date is on or before the timely date. A quarter submitted late counts as reported, not on
time; a quarter still within its timely date is not counted at all, even if already submitted.
Reporting rate = reported / due, on-time rate = on time / due: exact fractions, shown as
percentages with one decimal, rounded half up (``app.domain.deadlines.percent_1dp``).

The figures of an actor's years (every agreement's cycle walked: ~100 ms at nation scale) are
read through a scoped snapshot valid while the cycles' generation is current (any change to an
agreement, its parties, rules or quarter states, the regions or the cycle's settings bumps it;
``app/services/snapshots.py``); the scope holds the years, today's date and the time zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.domain import deadlines as domain
from app.domain.codes import PartyRole
from app.domain.quarter import Quarter
from app.models import Agreement, AgreementParty, Region
from app.models.caches import CYCLE
from app.services import snapshots
from app.services.access.scopes import Actor, within_regions
from app.services.sharing.agreements import agreement_filter
from app.services.sharing.cycle import AgreementCycle, agreement_cycles
from app.services.sharing.deadlines import cycle_settings, local_date, window_of


@dataclass(frozen=True)
class AgreementTimeliness:
    """One agreement's figures for one year, with its destination region(s)."""

    agreement_id: int
    code: str
    title: str
    destinations: tuple[str, ...]
    year: int
    rates: domain.Rates

    @property
    def reporting_percent(self):
        """Reporting rate in percent, one decimal (None when nothing was due)."""
        return domain.percent_1dp(self.rates.reporting_rate)

    @property
    def on_time_percent(self):
        """On-time rate in percent, one decimal (None when nothing was due)."""
        return domain.percent_1dp(self.rates.on_time_rate)


def quarter_rates(session: Session, cycle: AgreementCycle, quarters: list[Quarter],
                  today: dt.date) -> domain.Rates:
    """Due, reported and on-time counts of these quarters of one agreement on ``today``."""
    settings = cycle_settings(session)
    due = reported = timely = 0
    for quarter in quarters:
        if quarter < cycle.first:
            continue
        win = window_of(settings, cycle.agreement, quarter)
        if not domain.is_due(win, today):
            continue
        due += 1
        aq = cycle.states.get(quarter)
        first = aq.first_submitted_at if aq is not None else None
        if first is not None:
            reported += 1
            timely += domain.on_time(win, local_date(session, first))
    return domain.Rates(due, reported, timely)


def timeliness(session: Session, actor: Actor, year: int, today: dt.date,
               destination_code: str | None = None) -> list[AgreementTimeliness]:
    """The figures of ``year`` of every active agreement the actor may read (with a destination
    party within ``destination_code``, when given), by code; agreements with nothing due that
    year are left out."""
    return timeliness_of_years(session, actor, [year], today, destination_code)


def timeliness_of_years(session: Session, actor: Actor, years: list[int], today: dt.date,
                        destination_code: str | None = None) -> list[AgreementTimeliness]:
    """:func:`timeliness` of each of ``years`` in turn (each by code), the agreements' cycles
    read once for all of them (a nation's 600 agreements: about 100 ms per read), from the
    cache when no cycle has changed since."""
    scope = snapshots.scope_digest(
        "timeliness", "*" if actor.sees_everything else sorted(actor.read_regions),
        list(years), today, destination_code, session.info.get("time_zone"))
    return snapshots.scoped_figure(
        session, "timeliness", CYCLE, scope,
        lambda: _timeliness_of_years(session, actor, years, today, destination_code),
        _dump, _load)


def _dump(rows: list[AgreementTimeliness]) -> list:
    return [[r.agreement_id, r.code, r.title, list(r.destinations), r.year,
             r.rates.due, r.rates.reported, r.rates.on_time] for r in rows]


def _load(values: list) -> list[AgreementTimeliness]:
    return [AgreementTimeliness(aid, code, title, tuple(destinations), year,
                                domain.Rates(due, reported, on_time))
            for aid, code, title, destinations, year, due, reported, on_time in values]


def _timeliness_of_years(session: Session, actor: Actor, years: list[int], today: dt.date,
                         destination_code: str | None) -> list[AgreementTimeliness]:
    """:func:`timeliness_of_years` computed from the cycles."""
    where = agreement_filter(actor)
    if destination_code:
        place = aliased(Region)
        where = where & Agreement.id.in_(
            select(AgreementParty.agreement_id).join(place, place.id == AgreementParty.region_id)
            .where(AgreementParty.role == PartyRole.DESTINATION,
                   within_regions(place.code, (destination_code,))))
    cycles = agreement_cycles(session, where)
    rows = []
    for year in years:
        quarters = [Quarter(year, n) for n in range(1, 5)]
        for cycle in cycles:
            rates = quarter_rates(session, cycle, quarters, today)
            if rates.due:
                rows.append(AgreementTimeliness(
                    cycle.agreement.id, cycle.agreement.code, cycle.agreement.title,
                    tuple(p.region.name for p in cycle.destinations), year, rates))
    return rows


def timeliness_through(session: Session, quarter: Quarter, destination_code: str
                       ) -> list[AgreementTimeliness]:
    """The figures of the quarters of ``quarter``'s year up to and including it, each counted
    as due whatever today's date (so a report of the quarter does not change as days pass),
    for every active agreement with a destination party within ``destination_code``."""
    place = aliased(Region)
    where = Agreement.id.in_(
        select(AgreementParty.agreement_id).join(place, place.id == AgreementParty.region_id)
        .where(AgreementParty.role == PartyRole.DESTINATION,
               within_regions(place.code, (destination_code,))))
    quarters = [Quarter(quarter.year, n) for n in range(1, quarter.number + 1)]
    rows = []
    for cycle in agreement_cycles(session, where):
        rates = quarter_rates(session, cycle, quarters, dt.date.max)
        if rates.due:
            rows.append(AgreementTimeliness(
                cycle.agreement.id, cycle.agreement.code, cycle.agreement.title,
                tuple(p.region.name for p in cycle.destinations), quarter.year, rates))
    return rows


def total(rows: list[AgreementTimeliness]) -> domain.Rates:
    """The figures of several agreements together (quarters added, not rates averaged)."""
    result = domain.Rates(0, 0, 0)
    for row in rows:
        result = result + row.rates
    return result
