"""Entry windows and deadlines of agreement quarters (app.domain.deadlines on stored data): the
administrator's default days, an agreement's own days, lock exceptions in force, and the checks
that refuse entry and submission of a locked quarter.

"Today" is the local date in the ``TIME_ZONE`` setting, which the application puts in the
session's ``info`` (``time_zone``); without it, Asia/Shanghai.

Who the lock binds: finance bureaus (entering observations on the web, through the API or an
import, and submitting). Administrators are not bound (they grant the exceptions; their entries
are audit-trailed like every write); closed quarters are not locked, because changing one is a
correction with a reason, shown as an adjustment of the next open quarter.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.domain import deadlines as domain
from app.domain.codes import AgreementStatus, QuarterState, Role
from app.domain.messages import N_
from app.domain.quarter import Quarter
from app.domain.regions import subtree_prefix
from app.models import (
    Agreement,
    AgreementQuarter,
    CoveredProject,
    CycleSettings,
    LockException,
    Project,
    Region,
    RuleTier,
    SharingRule,
)
from app.services.access.scopes import Actor, require_role
from app.services.errors import Conflict, ValidationFailed

DEFAULT_TIME_ZONE = "Asia/Shanghai"
SETTINGS_ID = 1

_DAY_MESSAGES = {
    "range": N_("must be a whole number of days from %(low)s to %(high)s",
                low=domain.MIN_DAYS, high=domain.MAX_DAYS),
    "before_timely": N_("must be at least the days to the timely date (entry cannot lock "
                        "before submissions stop being on time)"),
}


def local_today(session: Session) -> dt.date:
    """Today's date in the ``TIME_ZONE`` setting (the session's ``info``)."""
    return local_date(session, dt.datetime.now(dt.UTC))


def local_date(session: Session, moment: dt.datetime) -> dt.date:
    """The local calendar date of a stored (UTC) moment."""
    zone = ZoneInfo(session.info.get("time_zone") or DEFAULT_TIME_ZONE)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zone).date()


def cycle_settings(session: Session) -> CycleSettings:
    """The administrator's defaults (the row is created by the migration; made if missing)."""
    row = session.get(CycleSettings, SETTINGS_ID)
    if row is None:
        row = CycleSettings(id=SETTINGS_ID, timely_days=15, lock_days=20)
        session.add(row)
        session.flush()
    # Held by the session, so the identity map keeps it: one query per session, not per quarter.
    session.info["cycle_settings"] = row
    return row


def day_errors(timely_days: int | None, lock_days: int | None) -> dict[str, list[str]]:
    """Messages by field for days out of range or a lock before the timely date."""
    return {field: [_DAY_MESSAGES[kind]]
            for field, kind in domain.days_errors(timely_days, lock_days).items()}


def update_settings(session: Session, actor: Actor, timely_days: int, lock_days: int,
                    version: int) -> CycleSettings:
    """An administrator changes the default days (every agreement without its own days)."""
    require_role(actor, Role.ADMIN)
    errors = day_errors(timely_days, lock_days)
    if errors:
        raise ValidationFailed(errors)
    row = cycle_settings(session)
    if row.version != version:
        raise Conflict(N_("Someone else changed the deadline settings meanwhile. Nothing was "
                          "saved: reload and try again."))
    row.timely_days, row.lock_days = timely_days, lock_days
    session.flush()
    return row


def set_agreement_days(session: Session, actor: Actor, agreement_id: int,
                       timely_days: int | None, lock_days: int | None,
                       version: int) -> Agreement:
    """Whoever may edit the agreement sets its own days (None: the default). The pair that
    results (own or default days) must be valid: a lock at least as late as the timely date."""
    from app.services.sharing.agreements import get_agreement  # it imports this module

    agreement = get_agreement(session, actor, agreement_id, for_edit=True)
    settings = cycle_settings(session)
    errors = day_errors(timely_days, lock_days)
    if not errors:
        effective = day_errors(timely_days or settings.timely_days,
                               lock_days or settings.lock_days)
        errors = {"lock_days" if lock_days else "timely_days": v for v in effective.values()}
    if errors:
        raise ValidationFailed(errors)
    if agreement.version != version:
        raise Conflict(N_("Someone else changed this agreement meanwhile. Nothing was saved: "
                          "reload and try again."))
    agreement.timely_days, agreement.lock_days = timely_days, lock_days
    session.flush()
    return agreement


def days_of(settings: CycleSettings, agreement: Agreement) -> tuple[int, int]:
    """The agreement's timely and lock days: its own, else the defaults."""
    return (agreement.timely_days or settings.timely_days,
            agreement.lock_days or settings.lock_days)


def window_of(settings: CycleSettings, agreement: Agreement, quarter: Quarter) -> domain.Window:
    """The entry window of one quarter of the agreement."""
    timely, lock = days_of(settings, agreement)
    return domain.window(quarter, timely, lock, agreement.activated_on)


def exceptions_in_force(session: Session, agreement_ids: Iterable[int]
                        ) -> dict[tuple[int, Quarter], list[LockException]]:
    """The exceptions not revoked of these agreements, by (agreement, quarter), with their
    region (in force or not on a given day is the domain's :meth:`Extension.in_force`)."""
    found: dict[tuple[int, Quarter], list[LockException]] = defaultdict(list)
    for exc in session.scalars(select(LockException).where(
            LockException.agreement_id.in_(list(agreement_ids)),
            LockException.revoked_at.is_(None)).order_by(LockException.id)):
        found[exc.agreement_id, exc.quarter].append(exc)
    return found


def extensions(session: Session, exceptions: Iterable[LockException],
               region_code: str | None = None) -> list[domain.Extension]:
    """The spans of these exceptions; with ``region_code``, only those for every party or for
    a party region covering that region."""
    return [domain.Extension(local_date(session, e.granted_at), e.until) for e in exceptions
            if region_code is None or e.region is None
            or region_code.startswith(subtree_prefix(e.region.code))]


def standing(session: Session, agreement: Agreement, quarter: Quarter,
             aq: AgreementQuarter | None, today: dt.date | None = None,
             exceptions: list[LockException] | None = None) -> domain.Standing:
    """Where one quarter of the agreement stands today (submitted or closed: SUBMITTED)."""
    today = today or local_today(session)
    if exceptions is None:
        exceptions = exceptions_in_force(session, [agreement.id]).get((agreement.id, quarter), [])
    submitted = aq is not None and aq.state is not QuarterState.OPEN
    return domain.standing(window_of(cycle_settings(session), agreement, quarter), today,
                           submitted=submitted, exceptions=extensions(session, exceptions))


def standings(session: Session, agreement: Agreement, quarters: Iterable[Quarter],
              states: dict[Quarter, AgreementQuarter], today: dt.date | None = None
              ) -> dict[Quarter, domain.Standing]:
    """:func:`standing` of several quarters of one agreement (two queries)."""
    today = today or local_today(session)
    found = exceptions_in_force(session, [agreement.id])
    return {q: standing(session, agreement, q, states.get(q), today,
                        found.get((agreement.id, q), [])) for q in quarters}


def locked_message(win: domain.Window):
    """Why entry is refused: the quarter, its lock date, and how to get an exception."""
    return N_("%(quarter)s is locked: entry closed after %(lock)s. Ask an administrator for a "
              "lock exception to enter or submit it.", quarter=str(win.quarter),
              lock=win.lock.isoformat())


def require_submission_open(session: Session, actor: Actor, agreement: Agreement,
                            quarter: Quarter, today: dt.date) -> None:
    """Refuse a bureau's submission of a locked quarter without an exception in force for a
    party region the bureau acts for."""
    if actor.is_admin:
        return
    exceptions = exceptions_in_force(session, [agreement.id]).get((agreement.id, quarter), [])
    win = window_of(cycle_settings(session), agreement, quarter)
    mine = [e for e in exceptions if e.region is None or any(
        e.region.code.startswith(subtree_prefix(r)) or r.startswith(subtree_prefix(e.region.code))
        for r in actor.bureau_regions)]
    found = domain.standing(win, today, exceptions=extensions(session, mine))
    if found.status is domain.EntryStatus.LOCKED:
        raise ValidationFailed(quarter=locked_message(win))


def entry_refusals(session: Session, actor: Actor, project_ids: Iterable[int],
                   quarters: Iterable[Quarter], today: dt.date | None = None
                   ) -> dict[tuple[int, str, Quarter], object]:
    """(project id, indicator, quarter) that a bureau may not change now, with the message: an
    active agreement covers the project with a rule for the indicator, the quarter is one of its
    sign-off quarters, not closed, past its lock day, and no exception is in force for the
    project's destination. Empty for an administrator. A fixed number of queries."""
    project_ids, quarters = list(set(project_ids)), list(set(quarters))
    if actor.is_admin or not project_ids or not quarters:
        return {}
    today = today or local_today(session)
    destination = aliased(Region)
    rows = session.execute(
        select(CoveredProject.project_id, SharingRule.indicator_code, Agreement,
               destination.code)
        .join(Agreement, Agreement.id == CoveredProject.agreement_id)
        .join(SharingRule, SharingRule.agreement_id == Agreement.id)
        .join(Project, Project.id == CoveredProject.project_id)
        .join(destination, destination.id == Project.destination_region_id)
        .where(CoveredProject.project_id.in_(project_ids),
               Agreement.status == AgreementStatus.ACTIVE)).all()
    if not rows:
        return {}
    ids = {a.id for _, _, a, _ in rows}
    firsts = dict(session.execute(
        select(SharingRule.agreement_id, func.min(RuleTier.first_quarter))
        .join(RuleTier, RuleTier.rule_id == SharingRule.id)
        .where(SharingRule.agreement_id.in_(ids)).group_by(SharingRule.agreement_id)).all())
    closed = {(aid, q) for aid, q in session.execute(
        select(AgreementQuarter.agreement_id, AgreementQuarter.quarter)
        .where(AgreementQuarter.agreement_id.in_(ids), AgreementQuarter.quarter.in_(quarters),
               AgreementQuarter.state == QuarterState.CLOSED))}
    found = exceptions_in_force(session, ids)
    settings = cycle_settings(session)
    refused: dict[tuple[int, str, Quarter], object] = {}
    for project_id, indicator, agreement, where in rows:
        for quarter in quarters:
            first = firsts.get(agreement.id)
            if first is None or quarter < first or (agreement.id, quarter) in closed:
                continue
            win = window_of(settings, agreement, quarter)
            spans = extensions(session, found.get((agreement.id, quarter), []), where)
            if domain.standing(win, today, exceptions=spans).status \
                    is domain.EntryStatus.LOCKED:
                refused.setdefault((project_id, indicator, quarter), locked_message(win))
    return refused
