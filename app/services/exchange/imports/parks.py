"""Parks and park membership, imported row by row through the parks services (parks.md).

``parks`` (administrators only): keyed by code; a new code registers a park, a known one is
changed through ``update_park`` with its version (a concurrent edit is a conflict), and a row
that changes nothing is counted unchanged. Partners are ``region:ROLE`` pairs and industries
GB/T 4754 codes, each separated by ``;``. A cycle ending before it starts is refused naming
``cycle_end``, as on the web.

``park_members``: keyed by project code; puts the project in the park from ``joined_on`` (to
``left_on``) through ``set_membership``, so the agreements covering the park follow at once.
A project the importer may not change reads like an unknown one; a park outside their scope
reads "is not a park you can see"; a park not of the project's destination is refused naming
the destination and the park's host. Taking a project out of its park is not an import: give a
leaving day, or use the project page or the API.
"""

from __future__ import annotations

from sqlalchemy import select

from app.domain.codes import PartnerRole
from app.domain.messages import N_
from app.models import Park, ParkMembership, Project
from app.services.access.scopes import can_edit_project, project_filter
from app.services.errors import NotFound
from app.services.exchange.imports.registers import RegisterHandler
from app.services.parks import membership, register
from app.services.reference.catalogue import split_codes


def partners_text(pairs) -> str:
    """Partners as a cell: ``region:ROLE`` pairs by region code, separated by ``;``."""
    return ";".join(f"{code}:{role}" for code, role in sorted(pairs))


class ParksHandler(RegisterHandler):
    """Parks, keyed by code (administrators)."""

    kind = "parks"

    def write(self, number, values, raw):
        """Register or change the park."""
        partners = self._partners(number, values, raw)
        if partners is None:
            return
        data = register.ParkData(
            code=values["code"], name=values["name"], park_type=values["park_type"],
            host_region=values["host_region"], cycle_start=values["cycle_start"],
            cycle_end=values["cycle_end"], partners=partners,
            approving_document=values["approving_document"] or "",
            approved_on=values["approved_on"], planned_area=values["planned_area"],
            industries=list(split_codes(values["industries"] or "")))
        park = self.session.scalar(select(Park).where(Park.code == values["code"]))
        if park is None:
            register.create_park(self.session, self.ctx.actor, data)
            self.result.added += 1
            return
        version = park.version
        register.update_park(self.session, self.ctx.actor, park.id, version, data)
        self.counted(park, version)

    def _partners(self, number, values, raw) -> list[register.PartnerData] | None:
        """The partner pairs of the cell, or None with the row's error recorded."""
        found = []
        for pair in (values["partners"] or "").split(";"):
            if not pair.strip():
                continue
            region, _colon, role = pair.partition(":")
            try:
                found.append(register.PartnerData(region.strip(), PartnerRole.parse(role)))
            except ValueError:
                self.error(number, "partners", raw["partners"], N_(
                    '"%(pair)s" is not region:ROLE (ROLE one of %(roles)s)', pair=pair.strip(),
                    roles=", ".join(r.value for r in PartnerRole)))
                return None
        return found


class ParkMembersHandler(RegisterHandler):
    """Park membership, keyed by project code (whoever may change the project)."""

    kind = "park_members"
    key_column = "project_code"
    fields = {"project": "project_code"}  # noqa: RUF012

    def write(self, number, values, raw):
        """Put the project in the park, or leave its membership as it is."""
        code = values["project_code"]
        project = self.session.scalar(select(Project).where(
            Project.code == code, project_filter(self.ctx.actor)))
        if project is None or not can_edit_project(self.session, self.ctx.actor, project):
            self.error(number, "project_code", raw["project_code"], N_(
                'no project you can edit has the code "%(code)s"', code=code))
            return
        existing = self.session.scalar(select(ParkMembership).where(
            ParkMembership.project_id == project.id))
        if existing is not None and (existing.park.code, existing.joined_on, existing.left_on) \
                == (values["park"], values["joined_on"], values["left_on"]):
            self.result.unchanged += 1
            return
        try:
            membership.set_membership(self.session, self.ctx.actor, project.id, values["park"],
                                      values["joined_on"], values["left_on"],
                                      existing.version if existing else None)
        except NotFound:
            self.error(number, "project_code", raw["project_code"], N_(
                'no project you can edit has the code "%(code)s"', code=code))
            return
        if existing is None:
            self.result.added += 1
        else:
            self.result.updated += 1
