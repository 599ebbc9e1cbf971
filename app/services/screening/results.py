"""Screening projects against a catalogue edition, and keeping the results (catalogue.md).

The rules are :func:`app.domain.catalogue.screen`; this module reads the edition's entries and
the projects' destinations and industries, and stores one :class:`ScreeningResult` per project
and edition. A project is screened against the current edition when it is registered and when
its destination or industry changes (``funds.projects`` calls :func:`screen_project` in the
writer's transaction), and every project is screened when an edition becomes current
(:func:`activate`). Results of earlier editions are never touched.

A person's decision on a REVIEW result is kept while re-screening gives the same flag from the
same entries; once the outcome changes the decision no longer applies and is cleared (the audit
trail keeps it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.domain import catalogue as rules
from app.domain import regions
from app.domain.codes import ScreeningFlag
from app.models import CatalogueEdition, CatalogueEntry, Project, Region, ScreeningResult
from app.models.base import utcnow
from app.services.access.scopes import Actor, project_filter
from app.services.errors import NotFound
from app.services.reference import catalogue


@dataclass(frozen=True)
class Change:
    """A project whose flag differs between an edition and the one it replaced."""

    project_id: int
    code: str
    name: str
    before: ScreeningFlag
    after: ScreeningFlag
    entry_id: int | None


@dataclass(frozen=True)
class Activation:
    """What making an edition current did: the edition, the one it replaced, the changes."""

    edition: CatalogueEdition
    previous: CatalogueEdition | None
    screened: int
    changes: list[Change]


class _Edition:
    """An edition's entries as the rules read them (loaded once per screening run)."""

    def __init__(self, session: Session, edition: CatalogueEdition):
        self.edition = edition
        self.entries = [
            rules.Entry(e.id, e.region.code, e.list_code, tuple(e.code_list), e.needs_person)
            for e in catalogue.entries_of(session, edition.id)]
        self.regions: dict[int, list[str]] = {}

    def outcome(self, session: Session, project: Project) -> rules.Outcome:
        """The rules' outcome for one project."""
        return rules.screen(project.industry_code,
                            self._regions_of(session, project.destination_region_id),
                            self.entries)

    def _regions_of(self, session: Session, region_id: int) -> list[str]:
        if region_id not in self.regions:
            chain: list[Region] = []
            region = session.get(Region, region_id)
            while region is not None:
                chain.append(region)
                region = region.parent
            prefecture = next((r.code for r in chain if r.level == regions.PREFECTURE), None)
            province = next((r.code for r in chain if r.level == regions.PROVINCE),
                            regions.province_code(chain[0].code) if chain else "")
            self.regions[region_id] = rules.regions_of(
                chain[0].code if chain else "", prefecture, province)
        return self.regions[region_id]


def _store(session: Session, edition: _Edition, project: Project,
           existing: ScreeningResult | None) -> ScreeningResult:
    outcome = edition.outcome(session, project)
    ids = ",".join(str(i) for i in outcome.entries)
    if existing is not None and existing.screened == outcome.flag and existing.entry_ids == ids:
        return existing
    result = existing or ScreeningResult(project_id=project.id, edition_id=edition.edition.id)
    result.screened = outcome.flag
    result.flag = outcome.flag
    result.entry_id = outcome.entry
    result.entry_ids = ids
    result.decided_list = result.decision_reason = result.decided_by_id = None
    result.decided_at = None
    result.screened_at = utcnow()
    if existing is None:
        session.add(result)
    return result


def screen_project(session: Session, project: Project) -> ScreeningResult | None:
    """Screen one project against the current edition (None when there is no edition yet)."""
    current = catalogue.current_edition(session)
    if current is None:
        return None
    existing = session.scalar(select(ScreeningResult).where(
        ScreeningResult.project_id == project.id, ScreeningResult.edition_id == current.id))
    result = _store(session, _Edition(session, current), project, existing)
    session.flush()
    return result


def screener(session: Session) -> tuple[int, Callable[[str, int], rules.Outcome]] | None:
    """The current edition's id and its rules as a function of (industry code, destination
    region id), for a loader that stores the results itself in bulk (the nation demo); None
    when no edition is current."""
    current = catalogue.current_edition(session)
    if current is None:
        return None
    loaded = _Edition(session, current)
    return current.id, lambda industry, region_id: rules.screen(
        industry, loaded._regions_of(session, region_id), loaded.entries)


def screen_all(session: Session, edition: CatalogueEdition) -> int:
    """Screen every project against ``edition``; return how many projects were screened."""
    loaded = _Edition(session, edition)
    existing = {r.project_id: r for r in session.scalars(
        select(ScreeningResult).where(ScreeningResult.edition_id == edition.id))}
    count = 0
    for project in session.scalars(select(Project).order_by(Project.id)):
        _store(session, loaded, project, existing.get(project.id))
        count += 1
    session.flush()
    return count


def activate(session: Session, actor: Actor, edition_id: int) -> Activation:
    """Make an edition current (administrators), screen every project against it, and list the
    projects whose flag differs from the edition it replaces."""
    if not actor.is_admin:
        raise NotFound("page")
    previous = catalogue.set_current(session, edition_id)
    edition = catalogue.get_edition(session, edition_id)
    screened = screen_all(session, edition)
    return Activation(edition, previous, screened, changes(session, actor, edition))


def rescreen(session: Session, actor: Actor) -> Activation | None:
    """Screen every project against the current edition again (administrators); the changes
    listed are those this run made (a project edited since, an entry's mapping). None when there
    is no edition."""
    if not actor.is_admin:
        raise NotFound("page")
    current = catalogue.current_edition(session)
    if current is None:
        return None
    before = _flags(session, actor, current.id)
    screened = screen_all(session, current)
    found = []
    for project_id, (code, name, flag, entry_id) in _flags(session, actor, current.id).items():
        old = before.get(project_id, (code, name, ScreeningFlag.NONE, None))[2]
        if old != flag:
            found.append(Change(project_id, code, name, old, flag, entry_id))
    return Activation(current, None, screened, sorted(found, key=lambda c: c.code))


def changes(session: Session, actor: Actor, edition: CatalogueEdition) -> list[Change]:
    """The projects in the actor's scope whose flag under ``edition`` differs from their flag
    under the edition it replaced (a project without a result there counts as NONE), by code.
    For the first edition, every project with a flag other than NONE."""
    after = _flags(session, actor, edition.id)
    before = _flags(session, actor, edition.replaced_id) if edition.replaced_id else {}
    found = []
    for project_id, (code, name, flag, entry_id) in after.items():
        old = before.get(project_id, (code, name, ScreeningFlag.NONE, None))[2]
        if old != flag:
            found.append(Change(project_id, code, name, old, flag, entry_id))
    return sorted(found, key=lambda c: c.code)


def _flags(session: Session, actor: Actor, edition_id: int
           ) -> dict[int, tuple[str, str, ScreeningFlag, int | None]]:
    rows = session.execute(
        select(Project.id, Project.code, Project.name, ScreeningResult.flag,
               ScreeningResult.entry_id)
        .join(ScreeningResult, ScreeningResult.project_id == Project.id)
        .where(ScreeningResult.edition_id == edition_id, project_filter(actor)))
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


def result_of(session: Session, project_id: int, edition_id: int | None = None
              ) -> ScreeningResult | None:
    """A project's result under an edition (the current one by default), its entry loaded."""
    if edition_id is None:
        current = catalogue.current_edition(session)
        if current is None:
            return None
        edition_id = current.id
    return session.scalar(
        select(ScreeningResult).where(ScreeningResult.project_id == project_id,
                                      ScreeningResult.edition_id == edition_id)
        .options(selectinload(ScreeningResult.entry).selectinload(CatalogueEntry.region),
                 selectinload(ScreeningResult.edition)))


def flags_of(session: Session, project_ids: Iterable[int]) -> dict[int, ScreeningFlag]:
    """Each project's flag under the current edition (NONE without a result or an edition),
    in one query however many ids."""
    ids = list(project_ids)
    found = dict.fromkeys(ids, ScreeningFlag.NONE)
    current = catalogue.current_edition(session)
    if current is None or not ids:
        return found
    for start in range(0, len(ids), 500):
        found.update(session.execute(
            select(ScreeningResult.project_id, ScreeningResult.flag)
            .where(ScreeningResult.edition_id == current.id,
                   ScreeningResult.project_id.in_(ids[start:start + 500]))).all())
    return found


def counts(flags: Iterable[ScreeningFlag]) -> dict[ScreeningFlag, int]:
    """How many of each flag, every flag present (zero included), in the flags' order."""
    found = dict.fromkeys(ScreeningFlag, 0)
    for flag in flags:
        found[flag] += 1
    return found


@dataclass(frozen=True)
class Shown:
    """A project's screening as its page shows it: the flag under the current edition, the
    result (None without one), its entries (every one counted, in edition order) and the
    results under other editions, newest first."""

    flag: ScreeningFlag
    edition: CatalogueEdition | None
    result: ScreeningResult | None
    entries: list[CatalogueEntry]
    earlier: list[ScreeningResult]


def shown(session: Session, project_id: int) -> Shown:
    """What the project page shows of the catalogue (see :class:`Shown`)."""
    current = catalogue.current_edition(session)
    results = list(session.scalars(
        select(ScreeningResult).where(ScreeningResult.project_id == project_id)
        .options(selectinload(ScreeningResult.edition))
        .order_by(ScreeningResult.edition_id.desc())))
    result = next((r for r in results if current and r.edition_id == current.id), None)
    entries: list[CatalogueEntry] = []
    if result is not None and result.entry_id_list:
        found = {e.id: e for e in session.scalars(
            select(CatalogueEntry).where(CatalogueEntry.id.in_(result.entry_id_list))
            .options(selectinload(CatalogueEntry.region), selectinload(CatalogueEntry.codes)))}
        entries = [found[i] for i in result.entry_id_list if i in found]
    return Shown(result.flag if result else ScreeningFlag.NONE, current, result, entries,
                 [r for r in results if r is not result])


def current_results(session: Session, project_ids: Iterable[int]
                    ) -> tuple[CatalogueEdition | None, dict[int, ScreeningResult]]:
    """The current edition and each project's result under it, with the shown entry (its region
    and codes) loaded, in a fixed number of queries however many ids (a page of the API)."""
    ids = list(project_ids)
    current = catalogue.current_edition(session)
    if current is None or not ids:
        return current, {}
    found: dict[int, ScreeningResult] = {}
    for start in range(0, len(ids), 500):
        found.update((r.project_id, r) for r in session.scalars(
            select(ScreeningResult).where(ScreeningResult.edition_id == current.id,
                                          ScreeningResult.project_id.in_(ids[start:start + 500]))
            .options(selectinload(ScreeningResult.entry).selectinload(CatalogueEntry.region),
                     selectinload(ScreeningResult.entry).selectinload(CatalogueEntry.codes))))
    return current, found


def current_flags(session: Session, project_ids: Iterable[int]
                  ) -> tuple[CatalogueEdition | None, dict[int, Flagged]]:
    """The current edition and each project's flag and shown entry under it (what
    :func:`current_results` gives of a result, as plain values), for reports of thousands of
    projects: the results read as plain rows 500 ids at a time, each distinct entry loaded
    once with its region."""
    ids = list(project_ids)
    current = catalogue.current_edition(session)
    if current is None or not ids:
        return current, {}
    rows: dict[int, tuple[ScreeningFlag, int | None]] = {}
    for start in range(0, len(ids), 500):
        rows.update((project_id, (flag, entry_id)) for project_id, flag, entry_id in
                    session.execute(
            select(ScreeningResult.project_id, ScreeningResult.flag, ScreeningResult.entry_id)
            .where(ScreeningResult.edition_id == current.id,
                   ScreeningResult.project_id.in_(ids[start:start + 500]))))
    wanted = sorted({entry_id for _flag, entry_id in rows.values() if entry_id is not None})
    entries: dict[int, CatalogueEntry] = {}
    for start in range(0, len(wanted), 500):
        entries.update((e.id, e) for e in session.scalars(
            select(CatalogueEntry).where(CatalogueEntry.id.in_(wanted[start:start + 500]))
            .options(selectinload(CatalogueEntry.region))))
    return current, {project_id: Flagged(flag, entries.get(entry_id) if entry_id else None)
                     for project_id, (flag, entry_id) in rows.items()}


@dataclass(frozen=True)
class Flagged:
    """A project's flag under the current edition and the entry behind it (None if none)."""

    flag: ScreeningFlag
    entry: CatalogueEntry | None


def flag_filter(project_id_column, flag: ScreeningFlag):
    """SQL on a project id column: the project's flag under the current edition is ``flag``
    (NONE: no result other than NONE, which also holds while no edition exists)."""
    current = select(CatalogueEdition.id).where(CatalogueEdition.is_current).scalar_subquery()
    if flag == ScreeningFlag.NONE:
        return project_id_column.not_in(select(ScreeningResult.project_id).where(
            ScreeningResult.edition_id == current, ScreeningResult.flag != ScreeningFlag.NONE))
    return project_id_column.in_(select(ScreeningResult.project_id).where(
        ScreeningResult.edition_id == current, ScreeningResult.flag == flag))


def flag_counts(session: Session, project_ids) -> dict[ScreeningFlag, int]:
    """How many of the projects whose ids ``project_ids`` selects (a SELECT of ids) have each
    flag under the current edition, every flag present; projects without a result count as
    NONE. Two queries however many projects."""
    found = dict.fromkeys(ScreeningFlag, 0)
    ids = project_ids.subquery()
    total = session.scalar(select(func.count()).select_from(ids)) or 0
    current = catalogue.current_edition(session)
    if current is not None:
        for flag, number in session.execute(
                select(ScreeningResult.flag, func.count())
                .where(ScreeningResult.edition_id == current.id,
                       ScreeningResult.project_id.in_(select(ids.c[0])))
                .group_by(ScreeningResult.flag)):
            found[flag] = number
    found[ScreeningFlag.NONE] = total - sum(n for f, n in found.items()
                                            if f != ScreeningFlag.NONE)
    return found
