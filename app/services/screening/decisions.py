"""A person's decision on a REVIEW result: one of the three lists, with a reason (audit-trailed
through the result's own row: who, when, which list, why)."""

from __future__ import annotations

from sqlalchemy import select

from app.domain.codes import CatalogueList, ScreeningFlag
from app.domain.messages import N_
from app.models import ScreeningResult
from app.models.base import utcnow
from app.services.access.scopes import Actor, can_edit_project, get_project
from app.services.errors import Conflict, NotFound, require

MAX_REASON = 500


def may_decide(session, actor: Actor, project) -> bool:
    """Administrators and those who may edit the project (its fund managers) decide."""
    return can_edit_project(session, actor, project)


def decide(session, actor: Actor, result_id: int, version: int, decided: CatalogueList | str,
           reason: str) -> ScreeningResult:
    """Record which list applies to a REVIEW result and why; the result's flag becomes that
    list. NotFound outside the actor's scope; Conflict when the result changed since
    ``version`` was read (re-screened, or decided by someone else)."""
    result = session.scalar(select(ScreeningResult).where(ScreeningResult.id == result_id))
    if result is None:
        raise NotFound(f"screening result {result_id}")
    project = get_project(session, actor, result.project_id)
    if not may_decide(session, actor, project):
        raise NotFound(f"screening result {result_id}")
    if result.version != version:
        raise Conflict(N_("This screening result was changed by someone else while you were "
                          "deciding. Nothing was saved: reload it and decide again."))
    errors: dict[str, list[str]] = {}
    if result.screened != ScreeningFlag.REVIEW:
        errors["list"] = [N_("only a result to be reviewed takes a decision")]
    try:
        chosen = decided if isinstance(decided, CatalogueList) else CatalogueList.parse(decided)
    except ValueError as exc:
        errors.setdefault("list", []).append(str(exc))
        chosen = None
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [N_("is required")]
    elif len(reason) > MAX_REASON:
        errors["reason"] = [N_("must be at most %(n)s characters", n=MAX_REASON)]
    require(errors)
    result.decided_list = chosen
    result.flag = ScreeningFlag(chosen.value)
    result.decision_reason = reason
    result.decided_by_id = actor.user_id
    result.decided_at = utcnow()
    session.flush()
    return result


def result_by_id(session, result_id: int) -> ScreeningResult:
    """A screening result by id (the caller checks the project's scope); NotFound otherwise."""
    result = session.get(ScreeningResult, result_id)
    if result is None:
        raise NotFound(f"screening result {result_id}")
    return result
