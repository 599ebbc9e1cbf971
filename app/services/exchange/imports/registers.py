"""Register rows — funds, LP commitments, projects — imported one by one through the services.

A known key is updated through the service's update (with its version check, so a concurrent
edit is a conflict, never overwritten) and gets field-level audit entries; an update that
changes nothing is counted as unchanged (the row's version does not move).
"""

from __future__ import annotations

import gc

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app.domain.codes import FundStatus
from app.domain.messages import N_
from app.models import Commitment, Fund, Project
from app.services.access.scopes import can_edit_fund, can_edit_project
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.exchange.imports.engine import Context, Handler, KindResult
from app.services.exchange.imports.lookups import Lookups, no_fund
from app.services.funds import projects
from app.services.funds import register as funds

CONFLICT = N_("was changed by someone else during the import: import the file again")


class RegisterHandler(Handler):
    """Row-by-row import through a service; a key given twice in a file is an error."""

    key_column = "code"
    fields: dict[str, str] = {}  # noqa: RUF012 - service field → column, where they differ

    def __init__(self, ctx: Context, result: KindResult):
        super().__init__(ctx, result)
        self.seen: dict[object, int] = {}

    def add(self, number: int, values: dict, raw: dict) -> None:
        """Create, update or leave the row's record, or record why not."""
        key = self.key(values)
        if key in self.seen:
            self.error(number, self.key_column, raw[self.key_column],
                       N_("appears earlier in this file (row %(row)s)", row=self.seen[key]))
            return
        self.seen[key] = number
        if len(self.seen) % 1000 == 0 and not gc.isenabled():  # paused by the import (run)
            gc.collect(1)
        try:
            self.write(number, values, raw)
        except ValidationFailed as exc:
            self.errors_of(number, exc.errors, raw, values, self.fields)
        except (Conflict, StaleDataError):
            self.error(number, self.key_column, raw[self.key_column], CONFLICT)

    def key(self, values: dict) -> object:
        """What identifies the row's record."""
        return values[self.key_column]

    def write(self, number: int, values: dict, raw: dict) -> None:  # pragma: no cover
        """Create or update the record."""
        raise NotImplementedError

    def counted(self, record, version: int) -> None:
        """Count an update that moved the version as updated, else as unchanged."""
        if record.version != version:
            self.result.updated += 1
        else:
            self.result.unchanged += 1


class FundsHandler(RegisterHandler):
    """Funds, keyed by code; a fund manager who registers a fund is assigned to it."""

    kind = "funds"
    fields = {"fund_class": "class", "term_start_on": "term_start",  # noqa: RUF012
              "term_end_on": "term_end"}

    def write(self, number, values, raw):
        """Create or update the fund."""
        fund = self.session.scalar(select(Fund).where(Fund.code == values["code"]))
        data = funds.FundData(
            code=values["code"], name=values["name"], sponsor_region=values["sponsor_region"],
            manager=values["manager"], fund_class=values["class"], vintage=values["vintage"],
            target_size=values["target_size"], term_start_on=values["term_start"],
            term_end_on=values["term_end"],
            status=fund.status if fund else FundStatus.INVESTING)
        if fund is None:
            fund = funds.create_fund(self.session, self.ctx.actor, data)
            self.ctx.grant_fund(fund.id)
            self.result.added += 1
        elif not can_edit_fund(self.ctx.actor, fund.id):
            self.error(number, "code", raw["code"], no_fund(values["code"]))
        else:
            version = fund.version
            funds.update_fund(self.session, self.ctx.actor, fund.id, version, data)
            self.counted(fund, version)


class CommitmentsHandler(RegisterHandler):
    """LP commitments, keyed by (fund, investor, date)."""

    kind = "commitments"
    key_column = "investor"
    fields = {"committed_on": "date"}  # noqa: RUF012

    def __init__(self, ctx: Context, result: KindResult):
        super().__init__(ctx, result)
        self.lookups = Lookups(ctx)

    def key(self, values):
        """The fund, the investor and the date."""
        return values["fund_code"], values["investor"], values["date"]

    def write(self, number, values, raw):
        """Add or correct the commitment."""
        self.lookups.load_funds([values["fund_code"]])
        fund_id = self.lookups.funds[values["fund_code"]]
        if fund_id is None:
            self.error(number, "fund_code", raw["fund_code"], no_fund(values["fund_code"]))
            return
        data = funds.CommitmentData(values["investor"], values["investor_type"],
                                    values["date"], values["amount"])
        commitment = self.session.scalar(select(Commitment).where(
            Commitment.fund_id == fund_id, Commitment.investor == values["investor"],
            Commitment.committed_on == values["date"]))
        if commitment is None:
            funds.add_commitment(self.session, self.ctx.actor, fund_id, data)
            self.result.added += 1
        else:
            version = commitment.version
            funds.update_commitment(self.session, self.ctx.actor, commitment.id, version, data)
            self.counted(commitment, version)


class ProjectsHandler(RegisterHandler):
    """Projects, keyed by code."""

    kind = "projects"
    fields = {"production_start_on": "production_start", "is_two_high": "two_high",  # noqa: RUF012
              "capacity_replacement_ref": "capacity_replacement"}

    def write(self, number, values, raw):
        """Register or update the project."""
        data = projects.ProjectData(
            code=values["code"], name=values["name"], enterprise=values["enterprise"],
            industry=values["industry"], intensity=values["intensity"],
            source_region=values["source_region"],
            destination_region=values["destination_region"],
            cooperation_mode=values["cooperation_mode"], status=values["status"],
            uscc=values["uscc"] or "", park=values["park"] or "",
            planned_investment=values["planned_investment"],
            planned_jobs=values["planned_jobs"], land_area=values["land_area"],
            production_start_on=values["production_start"],
            is_two_high=bool(values["two_high"]),
            capacity_replacement_ref=values["capacity_replacement"] or "")
        project = self.session.scalar(select(Project).where(Project.code == values["code"]))
        if project is None:
            projects.create_project(self.session, self.ctx.actor, data)
            self.result.added += 1
        elif not can_edit_project(self.session, self.ctx.actor, project):
            self.error(number, "code", raw["code"], _no_project(values["code"]))
        else:
            version = project.version
            try:
                projects.update_project(self.session, self.ctx.actor, project.id, version, data)
            except NotFound:
                self.error(number, "code", raw["code"], _no_project(values["code"]))
                return
            self.counted(project, version)


def _no_project(code: str) -> str:
    """The message for a project code the actor may not edit (or that does not exist)."""
    return N_('no project you can edit has the code "%(code)s"', code=code)
