"""Quarterly observations, keyed by (project, indicator, quarter), a chunk at a time.

The rules are those of entering the grid (``app.services.sharing.observations``): values are whole
multiples of the indicator's quantum; a bureau enters figures for projects arriving in its
region; a value in a quarter an agreement has closed is a correction and needs a reason (the
``note`` column). New values are inserted in bulk (and still return submitted quarters of the
agreements they touch to OPEN); changed values go through ``enter_observations`` itself, which
records corrections and writes field-level audit entries.

A chunk's new rows are held back until the next chunk's keys have been looked up, then copied
while that chunk is checked and the one after it read (on PostgreSQL the COPY runs in the
background, ``pgcopy``): the server stores rows while Python works. A key of the next chunk
that is among the held-back rows is found in memory (they are one chunk: memory stays bounded);
every earlier chunk is in the table by then, found by the lookup as before.

A project with no observations when the import first meets it has only those the import writes:
its keys are remembered (a bit per quarter) instead of looked up in the table, which spares the
server an index probe a row for a new project's figures. A figure another session enters for
such a project meanwhile makes the COPY fail on the unique key: the import is refused whole.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.domain.messages import N_
from app.models import CoveredProject, Observation, Project, Region
from app.services.errors import NotFound, ValidationFailed
from app.services.exchange.imports.bulk import padded, rows_with_keys
from app.services.exchange.imports.engine import ChunkedHandler, Context, KindResult
from app.services.reference.lookups import indicators
from app.services.sharing import observations as grid
from app.services.sharing.deadlines import entry_refusals


def no_project(code: str) -> str:
    """The message for a project the actor may not enter figures for (or that does not exist)."""
    return N_('no project you can enter observations for has the code "%(code)s"', code=code)


class ObservationsHandler(ChunkedHandler):
    """Values of indicators per project and quarter."""

    kind = "observations"
    table = Observation.__table__
    stamp_column = "updated_at"
    chunk = 10_000
    """Observations are narrow rows (about 1.5 kB a row in memory while checked): 10,000 at a
    time halve the statements of 2,000 and their round trips (200,000 rows: 7.4 s -> 6.4 s)."""

    def __init__(self, ctx: Context, result: KindResult):
        super().__init__(ctx, result)
        self.projects: dict[str, int | None] = {}
        self.indicators = {i.code: i for i in indicators(ctx.session)}
        self.held: tuple = ([], [], None)  # new rows not yet written, numbers, prepared
        self.held_keys: set[tuple] = set()  # their (project id, indicator, quarter)
        self.fresh: set[int] = set()  # projects without observations before this import
        self.written: dict[tuple[int, str], list[int]] = {}  # their keys written, as bits

    def _load_projects(self, codes) -> None:
        missing = {c for c in codes if c not in self.projects}
        if not missing:
            return
        destination = aliased(Region)
        found = {code: (id_, where) for code, id_, where in self.session.execute(
            select(Project.code, Project.id, destination.code)
            .join(destination, Project.destination_region_id == destination.id)
            .where(Project.code.in_(padded(missing))))}
        for code in missing:
            id_, where = found.get(code, (None, ""))
            self.projects[code] = id_ if id_ and grid.may_enter_in(self.ctx.actor, where) else None
        ids = {self.projects[code] for code in missing} - {None}
        if ids:  # seen for the first time: nothing of theirs written by this import yet
            observed = select(Observation.id).where(Observation.project_id == Project.id)
            self.fresh |= ids - set(self.session.scalars(select(Project.id).where(
                Project.id.in_(padded(ids)), observed.exists())))

    def _written(self, key: tuple) -> bool:
        """Whether this import wrote ``key`` of a fresh project (in the table or held back)."""
        entry = self.written.get(key[:2])
        if entry is None:
            return False
        offset = key[2].index - entry[0]
        return offset >= 0 and bool(entry[1] >> offset & 1)

    def _write_down(self, key: tuple) -> None:
        """Remember ``key`` of a fresh project as written: per (project, indicator) a bit per
        quarter from the earliest one written, so memory grows with the pairs and the quarters
        they span, never with the rows."""
        index, entry = key[2].index, self.written.get(key[:2])
        if entry is None:
            self.written[key[:2]] = [index, 1]
            return
        if index < entry[0]:
            entry[1] <<= entry[0] - index
            entry[0] = index
        entry[1] |= 1 << (index - entry[0])

    def add(self, number: int, values: dict, raw: dict) -> None:
        """Queue the row with what its checks need no database for (its indicator, whether its
        value is a whole multiple of the indicator's quantum): done as the file is read, while
        the previous chunk's COPY is in flight."""
        indicator = self.indicators.get(values["indicator_code"])
        problems = grid.value_errors(indicator, values["value"]) if indicator else ()
        self.pending.append((number, values, raw, indicator, problems))
        if len(self.pending) >= self.chunk:
            self._flush_pending()

    def flush(self, rows: list[tuple]) -> None:
        """Check one chunk; insert new values, update changed ones through the grid's service."""
        self._load_projects(row[1]["project_code"] for row in rows)
        projects = self.projects
        keyed = []
        for number, values, raw, indicator, problems in rows:
            project_id = projects[values["project_code"]]
            if project_id is None:
                self.error(number, "project_code", raw["project_code"],
                           no_project(values["project_code"]))
            if indicator is None:
                self.error(number, "indicator_code", raw["indicator_code"],
                           N_('"%(code)s" is not an indicator', code=values["indicator_code"]))
            elif problems:
                self.errors_of(number, {"value": problems}, raw, values, {})
            elif project_id is not None:
                keyed.append((number, values, raw,
                              (project_id, indicator.code, values["quarter"])))
        if keyed:
            self._write(keyed)

    def _write(self, keyed: list) -> None:
        project_ids = {key[0] for *_, key in keyed}
        quarters = {key[2] for *_, key in keyed}
        covered = set(self.session.scalars(select(CoveredProject.project_id).where(
            CoveredProject.project_id.in_(padded(project_ids))).distinct()))
        closed, refused = set(), {}
        if covered:  # only covered projects have quarters that close (and lock)
            grid.lock_quarters(self.session, list(covered), list(quarters))
            closed = grid.closed_keys(self.session, covered, quarters)
            refused = entry_refusals(self.session, self.ctx.actor, covered, quarters)
        fresh = self.fresh  # their keys are looked up in memory, not in the table
        existing = {(o.project_id, o.indicator_code, o.quarter): o for o in rows_with_keys(
            self.session, self.table, ("project_id", "indicator_code", "quarter"),
            (key for *_, key in keyed if key[0] not in fresh))}
        seen = set(self.held_keys)  # the previous chunk's new rows: not in the table yet
        self.drain()
        batch, numbers, held, updates, touched = [], [], set(), {}, {}
        stamp, user_id = self.ctx.stamp, self.ctx.actor.user_id
        for number, values, raw, key in keyed:
            old = existing.get(key) if existing else None
            known = len(seen)
            seen.add(key)
            if len(seen) == known or (old is not None and old.updated_at == stamp) or (
                    key[0] in fresh and self._written(key)):
                self.error(number, "quarter", raw["quarter"], N_(
                    "appears earlier in this file for this project and indicator"))
            elif old is not None and old.value == values["value"]:
                self.result.unchanged += 1
            elif refused and key in refused:
                self.error(number, "quarter", raw["quarter"], refused[key])
            elif closed and (problems := grid.correction_errors(
                    key in closed, values["value"], values["note"] or "")):
                self.errors_of(number, {"note": problems}, raw, values, {})
            elif old is not None:
                updates.setdefault(key[2], []).append((number, values, raw))
            else:
                batch.append({"project_id": key[0], "indicator_code": key[1],
                              "quarter": key[2], "value": values["value"],
                              "note": values["note"], "updated_by_id": user_id,
                              "updated_at": stamp, "version": 1})
                numbers.append(number)
                held.add(key)
                if key[0] in fresh:
                    self._write_down(key)
                if key[0] in covered:
                    touched.setdefault(key[2], set()).add(key[:2])
        # Converted and formatted now, while the previous chunk's COPY is in flight.
        prepared = self.bulk_writer().prepare(batch) if batch else None
        self.held, self.held_keys = (batch, numbers, prepared), held
        for quarter, pairs in sorted(touched.items()):
            grid.reopen_affected(self.session, quarter, pairs)
        for quarter, items in sorted(updates.items()):
            self._update(quarter, items)

    def drain(self) -> None:
        """Write the held-back new rows (in flight on PostgreSQL until the next statement)."""
        (batch, numbers, prepared), self.held = self.held, ([], [], None)
        self.insert(batch, numbers, prepared)

    def _update(self, quarter, items: list) -> None:
        entries = [grid.ObservationEntry(v["project_code"], v["indicator_code"], v["value"],
                                         v["note"] or "") for _, v, _ in items]
        try:
            self.result.updated += grid.enter_observations(self.session, self.ctx.actor,
                                                           quarter, entries)
        except ValidationFailed as exc:
            where = {f'{v["project_code"]}.{v["indicator_code"]}': (n, v, r)
                     for n, v, r in items}
            for cell, messages in exc.errors.items():
                number, values, raw = where[cell]
                self.errors_of(number, {"value": messages}, raw, values, {})
        except NotFound:
            for number, values, raw in items:
                self.error(number, "project_code", raw["project_code"],
                           no_project(values["project_code"]))
