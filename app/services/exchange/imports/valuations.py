"""Valuations of equity holdings (yuan), keyed by (fund, project, as-of date), a chunk at a time.

New marks are inserted in bulk; a changed mark goes through the service (its version check and a
field-level audit entry), keeping the note the mark had.
"""

from __future__ import annotations

from sqlalchemy.orm.exc import StaleDataError

from app.domain.codes import Instrument
from app.domain.messages import N_
from app.models import Valuation
from app.services.errors import Conflict, ValidationFailed
from app.services.exchange.imports.bulk import rows_with_keys
from app.services.exchange.imports.engine import ChunkedHandler, Context, KindResult
from app.services.exchange.imports.lookups import Lookups, no_fund, no_project
from app.services.exchange.imports.registers import CONFLICT
from app.services.funds.investments import record_valuation, valuation_errors


class ValuationsHandler(ChunkedHandler):
    """Fair values of a fund's equity investment in a project as of a date."""

    kind = "valuations"
    table = Valuation.__table__

    def __init__(self, ctx: Context, result: KindResult):
        super().__init__(ctx, result)
        self.lookups = Lookups(ctx)

    def flush(self, rows: list[tuple[int, dict, dict]]) -> None:
        """Check one chunk; insert new marks, update changed ones."""
        lookups = self.lookups
        lookups.load_funds(v["fund_code"] for _, v, _ in rows)
        lookups.load_projects(v["project_code"] for _, v, _ in rows)
        keyed = []
        for number, values, raw in rows:
            fund_id = lookups.funds[values["fund_code"]]
            project_id = lookups.projects[values["project_code"]]
            if fund_id is None:
                self.error(number, "fund_code", raw["fund_code"], no_fund(values["fund_code"]))
            if project_id is None:
                self.error(number, "project_code", raw["project_code"],
                           no_project(values["project_code"]))
            errors = valuation_errors(Instrument.EQUITY, values["value"])
            self.errors_of(number, errors, raw, values, {})
            if fund_id and project_id and not errors:
                keyed.append((number, values, raw, (fund_id, project_id, Instrument.EQUITY)))
        lookups.load_investments(key for *_, key in keyed)
        existing = {(v.investment_id, v.as_of_on): v for v in rows_with_keys(
            self.session, self.table, ("investment_id", "as_of_on"),
            ((lookups.investments[key], values["as_of"]) for _, values, _, key in keyed
             if lookups.investments[key] is not None))}
        batch, numbers, seen = [], [], {}
        for number, values, raw, key in keyed:
            investment_id = lookups.investments[key]
            if investment_id is None:
                self.error(number, "project_code", raw["project_code"], N_(
                    'fund "%(fund)s" holds no equity investment in it', fund=values["fund_code"]))
                continue
            mark = (investment_id, values["as_of"])
            old = existing.get(mark)
            if mark in seen or (old is not None and old.created_at == self.ctx.stamp):
                self.error(number, "as_of", raw["as_of"],
                           N_("appears earlier in this file for this fund and project"))
            elif old is not None and old.value == values["value"]:
                self.result.unchanged += 1
            elif old is not None:
                self._update(number, values, raw, old)
            else:
                batch.append({"investment_id": investment_id, "as_of_on": values["as_of"],
                              "value": values["value"], "note": None,
                              "created_at": self.ctx.stamp, "version": 1})
                numbers.append(number)
            seen[mark] = number
        self.insert(batch, numbers)

    def _update(self, number: int, values: dict, raw: dict, old) -> None:
        try:
            record_valuation(self.session, self.ctx.actor, old.investment_id, old.as_of_on,
                             values["value"], note=old.note or "", version=old.version)
        except ValidationFailed as exc:
            self.errors_of(number, exc.errors, raw, values, {})
        except (Conflict, StaleDataError):
            self.error(number, "value", raw["value"], CONFLICT)
        else:
            self.result.updated += 1
