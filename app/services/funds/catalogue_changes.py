"""A new catalogue edition made current (or every project re-screened), and the people told of
the projects whose flag changed (catalogue.md, "Changed flags").

``screening`` and ``notifications`` sit side by side and never import each other; this module,
in ``funds`` above both, runs the screening and raises one ``catalogue_flag_changed`` event per
changed project, in the caller's transaction. Who is told: the managers of every fund investing
in the project (any instrument, any amount) and the finance bureaus of its destination region
(the city's bureau and the province's above it). The project's source region is not told: the
catalogue speaks of the destination. Nobody is told of the first edition of a database (there
was no flag before it to change), and the actor is never told of their own action.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Investment, Project, Region
from app.services import screening
from app.services.access.scopes import SYSTEM, Actor
from app.services.notifications import events


def activate(session: Session, actor: Actor, edition_id: int) -> screening.Activation:
    """Make the edition current and re-screen every project (:func:`screening.activate`),
    then notify the changed projects (against the edition it replaced)."""
    activation = screening.activate(session, actor, edition_id)
    if activation.previous is not None:
        notify(session, activation, actor)
    return activation


def rescreen(session: Session, actor: Actor) -> screening.Activation | None:
    """Screen every project against the current edition again (:func:`screening.rescreen`) and
    notify the projects this run changed."""
    activation = screening.rescreen(session, actor)
    if activation is not None:
        notify(session, activation, actor)
    return activation


def notify(session: Session, activation: screening.Activation, actor: Actor = SYSTEM) -> int:
    """Raise ``catalogue_flag_changed`` for each change of ``activation``; the number of
    notifications stored (an event raised again for the same edition, project and flag is
    stored once). Three queries, then the events."""
    changes = activation.changes
    if not changes:
        return 0
    ids = [c.project_id for c in changes]
    funds: dict[int, set[int]] = defaultdict(set)
    places: dict[int, tuple[str, str, str]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for project_id, fund_id in session.execute(
                select(Investment.project_id, Investment.fund_id)
                .where(Investment.project_id.in_(chunk))):
            funds[project_id].add(fund_id)
        for project_id, code, name, name_en in session.execute(
                select(Project.id, Region.code, Region.name, Region.name_en)
                .join(Region, Project.destination_region_id == Region.id)
                .where(Project.id.in_(chunk))):
            places[project_id] = (code, name, name_en or name)
    edition = activation.edition
    previous = activation.previous.name if activation.previous else edition.name
    stored = 0
    for change in changes:
        stored += events.catalogue_flag_changed(
            session, edition=(edition.id, edition.name), previous=previous,
            project=(change.project_id, change.code, change.name),
            destination=places[change.project_id], before=change.before, after=change.after,
            fund_ids=funds.get(change.project_id, ()), actor_id=actor.user_id)
    return stored
