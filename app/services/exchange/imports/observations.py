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
        self.held: tuple[list[dict], list[int]] = ([], [])  # new rows not yet written
        self.held_keys: set[tuple] = set()  # their (project id, indicator, quarter)

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

    def flush(self, rows: list[tuple[int, dict, dict]]) -> None:
        """Check one chunk; insert new values, update changed ones through the grid's service."""
        self._load_projects(v["project_code"] for _, v, _ in rows)
        keyed = []
        for number, values, raw in rows:
            project_id = self.projects[values["project_code"]]
            indicator = self.indicators.get(values["indicator_code"])
            if project_id is None:
                self.error(number, "project_code", raw["project_code"],
                           no_project(values["project_code"]))
            if indicator is None:
                self.error(number, "indicator_code", raw["indicator_code"],
                           N_('"%(code)s" is not an indicator', code=values["indicator_code"]))
            elif problems := grid.value_errors(indicator, values["value"]):
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
        existing = {(o.project_id, o.indicator_code, o.quarter): o for o in rows_with_keys(
            self.session, self.table, ("project_id", "indicator_code", "quarter"),
            (key for *_, key in keyed))}
        earlier = self.held_keys  # the previous chunk's new rows: not in the table yet
        self.drain()
        batch, numbers, seen, updates, touched = [], [], set(), {}, {}
        for number, values, raw, key in keyed:
            old = existing.get(key)
            reason = values["note"] or ""
            if key in seen or key in earlier or (
                    old is not None and old.updated_at == self.ctx.stamp):
                self.error(number, "quarter", raw["quarter"], N_(
                    "appears earlier in this file for this project and indicator"))
            elif old is not None and old.value == values["value"]:
                self.result.unchanged += 1
            elif key in refused:
                self.error(number, "quarter", raw["quarter"], refused[key])
            elif problems := grid.correction_errors(key in closed, values["value"], reason):
                self.errors_of(number, {"note": problems}, raw, values, {})
            elif old is not None:
                updates.setdefault(key[2], []).append((number, values, raw))
            else:
                batch.append({"project_id": key[0], "indicator_code": key[1],
                              "quarter": key[2], "value": values["value"],
                              "note": values["note"], "updated_by_id": self.ctx.actor.user_id,
                              "updated_at": self.ctx.stamp, "version": 1})
                numbers.append(number)
                if key[0] in covered:
                    touched.setdefault(key[2], set()).add(key[:2])
            seen.add(key)
        self.held = (batch, numbers)
        self.held_keys = {(r["project_id"], r["indicator_code"], r["quarter"]) for r in batch}
        for quarter, pairs in sorted(touched.items()):
            grid.reopen_affected(self.session, quarter, pairs)
        for quarter, items in sorted(updates.items()):
            self._update(quarter, items)

    def drain(self) -> None:
        """Write the held-back new rows (in flight on PostgreSQL until the next statement)."""
        (batch, numbers), self.held = self.held, ([], [])
        self.insert(batch, numbers)

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
