"""Codes in a file turned into ids, a chunk at a time, within the importing actor's scope.

A code outside the actor's scope is answered exactly like a code that does not exist, so an
import never reveals what others hold.
"""

from __future__ import annotations

from sqlalchemy import select

from app.domain.codes import Instrument
from app.domain.messages import N_
from app.models import Fund, Investment, Project
from app.services.access.scopes import can_edit_fund, project_filter
from app.services.exchange.imports.bulk import padded
from app.services.exchange.imports.engine import Context


def no_fund(code: str) -> str:
    """The message for a fund code the actor cannot edit (or that does not exist)."""
    return N_('no fund you can edit has the code "%(code)s"', code=code)


def no_project(code: str) -> str:
    """The message for a project code the actor cannot see (or that does not exist)."""
    return N_('no project you can see has the code "%(code)s"', code=code)


class Lookups:
    """Caches of code → id for one sheet: funds the actor may edit, projects they may see,
    and investments (fund, project, instrument)."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.funds: dict[str, int | None] = {}
        self.projects: dict[str, int | None] = {}
        self.investments: dict[tuple[int, int, Instrument], int | None] = {}

    def load_funds(self, codes) -> None:
        """Look up the fund codes not seen yet (one query)."""
        missing = {c for c in codes if c and c not in self.funds}
        if not missing:
            return
        found = dict(self.ctx.session.execute(
            select(Fund.code, Fund.id).where(Fund.code.in_(padded(missing)))).all())
        for code in missing:
            fund_id = found.get(code)
            self.funds[code] = fund_id if fund_id and can_edit_fund(self.ctx.actor, fund_id) \
                else None

    def load_projects(self, codes) -> None:
        """Look up the project codes not seen yet, within what the actor may see (one query)."""
        missing = {c for c in codes if c and c not in self.projects}
        if not missing:
            return
        found = dict(self.ctx.session.execute(
            select(Project.code, Project.id).where(Project.code.in_(padded(missing)),
                                                   project_filter(self.ctx.actor))).all())
        for code in missing:
            self.projects[code] = found.get(code)

    def load_investments(self, keys) -> None:
        """Look up the (fund id, project id, instrument) positions not seen yet (one query)."""
        missing = {k for k in keys if k not in self.investments}
        if not missing:
            return
        rows = self.ctx.session.execute(
            select(Investment.fund_id, Investment.project_id, Investment.instrument,
                   Investment.id)
            .where(Investment.fund_id.in_(padded({k[0] for k in missing})),
                   Investment.project_id.in_(padded({k[1] for k in missing}))))
        for fund_id, project_id, instrument, investment_id in rows:
            self.investments[(fund_id, project_id, instrument)] = investment_id
        for key in missing:
            self.investments.setdefault(key, None)
