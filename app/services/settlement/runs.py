"""Settlement runs: computed per agreement and fiscal year from the four closed quarters' frozen
statements, never edited (a correction makes a new version listing what changed), confirmed by
every party's bureau against the run's fingerprint (settlement.md)."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified

from app.domain.codes import AgreementStatus, QuarterState, Role, SettlementState
from app.domain.hashchain import canonical_json
from app.domain.messages import N_
from app.domain.quarter import Quarter
from app.models import (
    Agreement,
    AgreementQuarter,
    SettlementConfirmation,
    SettlementDifference,
    SettlementRun,
)
from app.models.base import utcnow
from app.services.access.scopes import Actor, require_role
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.settlement import events
from app.services.settlement.compute import (
    Carried,
    Party,
    changes_between,
    fingerprint_of,
    run_content,
)
from app.services.sharing.agreements import agreement_filter, get_agreement, party_in_scope
from app.services.sharing.statements import Statement, first_quarter

FIRST_YEAR, LAST_YEAR = 2000, 2100


def agreement_by_code(session: Session, actor: Actor, code: str) -> Agreement:
    """The agreement with ``code`` the actor may read (NotFound otherwise)."""
    agreement_id = session.scalar(select(Agreement.id).where(Agreement.code == code.strip(),
                                                             agreement_filter(actor)))
    if agreement_id is None:
        raise NotFound(f'agreement "{code}"')
    return get_agreement(session, actor, agreement_id)


def check_year(fiscal_year) -> int:
    """A fiscal year as a number between 2000 and 2100 (ValidationFailed naming the field)."""
    try:
        year = int(str(fiscal_year).strip())
    except ValueError:
        year = 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed(fiscal_year=N_("give a year between %(first)s and %(last)s",
                                              first=FIRST_YEAR, last=LAST_YEAR))
    return year


def year_quarters(session: Session, agreement: Agreement, year: int, *, lock: bool = False
                  ) -> list[AgreementQuarter]:
    """The closed quarters of ``year`` the run reads (those from the agreement's first quarter);
    ValidationFailed naming the first quarter that is not closed. ``lock``: FOR UPDATE, so a
    reopening waits for the transaction (PostgreSQL)."""
    start = first_quarter(agreement)
    quarters = [Quarter(year, n) for n in range(1, 5) if start is None or Quarter(year, n) >= start]
    if not quarters:
        raise ValidationFailed(fiscal_year=N_("the agreement starts in %(quarter)s: nothing to "
                                              "settle in %(year)s", quarter=start, year=year))
    query = select(AgreementQuarter).where(AgreementQuarter.agreement_id == agreement.id,
                                           AgreementQuarter.quarter.in_(quarters))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    found = {aq.quarter: aq for aq in session.scalars(query)}
    for quarter in quarters:
        aq = found.get(quarter)
        if aq is None or aq.state is not QuarterState.CLOSED or not aq.statement_json:
            raise ValidationFailed(fiscal_year=N_(
                "%(quarter)s is not closed: a year is settled only when all its quarters are "
                "closed", quarter=quarter))
    return [found[q] for q in quarters]


def open_differences(session: Session, agreement_id: int, before_year: int
                     ) -> list[SettlementDifference]:
    """Differences of earlier years nobody has resolved yet (carried into the run)."""
    return list(session.scalars(
        select(SettlementDifference).where(SettlementDifference.agreement_id == agreement_id,
                                           SettlementDifference.fiscal_year < before_year,
                                           SettlementDifference.resolved_at.is_(None))
        .options(selectinload(SettlementDifference.payer),
                 selectinload(SettlementDifference.payee))
        .order_by(SettlementDifference.fiscal_year, SettlementDifference.id)))


def content_now(session: Session, agreement: Agreement, year: int) -> dict:
    """What a run of ``year`` would hold now (ValidationFailed while a quarter is open)."""
    closed = year_quarters(session, agreement, year)
    statements = [Statement.from_data(json.loads(aq.statement_json), aq.fingerprint)
                  for aq in closed]
    parties = [Party(p.region.code, p.region.name, p.role.value) for p in agreement.parties]
    projects = {c.project.code: (c.project.name, _destination_code(c.project))
                for c in agreement.covered}
    indicators = {r.indicator_code: {"name": r.indicator.name, "name_en": r.indicator.name_en,
                                     "unit": r.indicator.unit, "quantum": r.indicator.quantum}
                  for r in agreement.rules
                  if r.indicator.settles and r.mode.value == "SPLIT"}
    carried = [Carried(d.fiscal_year, d.payer.code, d.payee.code, -d.amount, d.reason.value)
               for d in open_differences(session, agreement.id, year)]
    return run_content(agreement.code, year, parties, statements, projects, indicators, carried)


def _destination_code(project) -> str:
    return project.destination_region.code


def latest_run(session: Session, agreement_id: int, year: int, *, lock: bool = False
               ) -> SettlementRun | None:
    """The newest version of the year's run, or None."""
    query = (select(SettlementRun).where(SettlementRun.agreement_id == agreement_id,
                                         SettlementRun.fiscal_year == year)
             .order_by(SettlementRun.number.desc()).limit(1)
             .options(selectinload(SettlementRun.confirmations)))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).first()


def compute(session: Session, actor: Actor, agreement: Agreement, year
            ) -> tuple[SettlementRun, bool]:
    """The run of ``year``: the latest version when nothing changed since it was computed, else
    a new version (the first, or one listing what changed). Returns (run, made now). A bureau of
    a party or an administrator (or the command line) computes; anyone in scope reads."""
    year = check_year(year)
    if agreement.status is AgreementStatus.DRAFT:
        raise ValidationFailed(agreement=N_("a draft agreement has nothing to settle"))
    content = content_now(session, agreement, year)
    fingerprint = fingerprint_of(content)
    previous = latest_run(session, agreement.id, year)
    if previous is not None and previous.fingerprint == fingerprint:
        return previous, False
    if not (actor.is_admin or any(party_in_scope(actor, p) for p in agreement.parties)):
        raise NotFound(f"settlement {agreement.code} {year}")
    changes = changes_between(json.loads(previous.data_json), content) if previous else []
    run = SettlementRun(
        agreement_id=agreement.id, fiscal_year=year,
        number=(previous.number + 1) if previous else 1, state=SettlementState.COMPUTED,
        fingerprint=fingerprint, data_json=canonical_json(content),
        changes_json=canonical_json(changes), foots=content["foots"],
        computed_by_id=actor.user_id)
    session.add(run)
    session.flush()
    events.run_computed(session, actor, agreement, run)
    return run, True


def runs_of(session: Session, agreement_id: int, year: int | None = None) -> list[SettlementRun]:
    """Every version of the agreement's runs (of one year if given), newest year and version
    first."""
    query = select(SettlementRun).where(SettlementRun.agreement_id == agreement_id)
    if year is not None:
        query = query.where(SettlementRun.fiscal_year == year)
    return list(session.scalars(query.options(
        selectinload(SettlementRun.confirmations).selectinload(SettlementConfirmation.user),
        selectinload(SettlementRun.confirmations).selectinload(SettlementConfirmation.party))
        .order_by(SettlementRun.fiscal_year.desc(), SettlementRun.number.desc())))


def get_run(session: Session, actor: Actor, run_id: int) -> tuple[SettlementRun, Agreement]:
    """A run and its agreement, if the actor may read the agreement (NotFound otherwise)."""
    run = session.get(SettlementRun, run_id)
    if run is None:
        raise NotFound(f"settlement run {run_id}")
    return run, get_agreement(session, actor, run.agreement_id)


def newest_number(session: Session, agreement_id: int, year: int) -> int:
    """The newest version number of the year's run (0 when there is none)."""
    return session.scalar(select(func.coalesce(func.max(SettlementRun.number), 0)).where(
        SettlementRun.agreement_id == agreement_id, SettlementRun.fiscal_year == year))


def confirm(session: Session, actor: Actor, run_id: int, party_code: str,
            fingerprint: str) -> SettlementRun:
    """A party's bureau confirms the run it saw (``fingerprint``); the run is confirmed (frozen)
    when every party has. Conflict when the run changed, a newer version exists, or one of the
    year's quarters was reopened since it was computed."""
    require_role(actor, Role.FINANCE_BUREAU, Role.ADMIN)
    run, agreement = get_run(session, actor, run_id)
    party = next((p for p in agreement.parties if p.region.code == party_code), None)
    if party is None or not party_in_scope(actor, party):
        raise NotFound(f"party {party_code}")
    run = latest_run(session, agreement.id, run.fiscal_year, lock=True)
    if run.id != run_id:
        raise Conflict(N_("A newer version of this settlement exists. Nothing was confirmed: "
                          "open the newest version, check it and confirm."))
    if fingerprint != run.fingerprint:
        raise Conflict(N_("The settlement changed since you opened it. Nothing was confirmed: "
                          "reload it, check it again and confirm."))
    try:
        closed = year_quarters(session, agreement, run.fiscal_year, lock=True)
    except ValidationFailed as exc:
        raise Conflict(N_("A quarter of the year was reopened since the settlement was "
                          "computed. Nothing was confirmed: close it again and recompute.")) \
            from exc
    frozen = json.loads(run.data_json)["quarters"]
    if {str(aq.quarter): aq.fingerprint for aq in closed} != frozen:
        raise Conflict(N_("A quarter of the year was closed again with other figures since the "
                          "settlement was computed. Nothing was confirmed: recompute it."))
    if run.state is SettlementState.CONFIRMED:
        raise ValidationFailed(party=N_("the settlement is confirmed already"))
    if any(c.party_id == party.id for c in run.confirmations):
        raise ValidationFailed(party=N_("%(party)s has confirmed already",
                                        party=party.region.name))
    run.confirmations.append(SettlementConfirmation(party=party, user_id=actor.user_id,
                                                    fingerprint=fingerprint))
    flag_modified(run, "state")  # the version moves: a racing confirmation conflicts
    session.flush()
    if {c.party_id for c in run.confirmations} >= {p.id for p in agreement.parties}:
        run.state = SettlementState.CONFIRMED
        run.confirmed_at = utcnow()
    session.flush()
    return run


def content_of(run: SettlementRun) -> dict:
    """The run's content as stored (amounts as decimal text)."""
    return json.loads(run.data_json)


def amount(text) -> Decimal:
    """A stored amount as a Decimal."""
    return Decimal(text)
