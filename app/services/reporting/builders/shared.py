"""The shared indicators of a set of projects for one quarter: each observation (in its
indicator's unit, at its quantum) and, where an agreement covers the project, each party's
allocation on that agreement's statement of the quarter."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.codes import AgreementStatus
from app.domain.quarter import Quarter
from app.models import Agreement, CoveredProject, Observation
from app.services.reference.lookups import indicators as indicator_definitions
from app.services.reporting.region_figures import statements_of
from app.services.sharing.statements import Statement

STATEMENT_BATCH = 20


def shared_indicators(session: Session, projects: dict[int, dict], quarter: Quarter) -> dict:
    """By "PROJECT INDICATOR": the observed value (None = missing) and the allocations per
    agreement and party; ``projects`` maps project ids to dicts with ``code`` and ``name``."""
    if not projects:
        return {}
    definitions = {d.code: d for d in indicator_definitions(session)}
    observed = {
        (pid, code): value for pid, code, value in session.execute(
            select(Observation.project_id, Observation.indicator_code, Observation.value)
            .where(Observation.project_id.in_(sorted(projects)),
                   Observation.quarter == quarter))}
    allocations: dict[tuple[str, str], dict] = {}
    by_code = {p["code"]: pid for pid, p in projects.items()}
    agreement_ids = session.scalars(
        select(CoveredProject.agreement_id).distinct()
        .join(Agreement, Agreement.id == CoveredProject.agreement_id)
        .where(CoveredProject.project_id.in_(sorted(projects)),
               Agreement.status != AgreementStatus.DRAFT))
    for statement in _statements(session, sorted(agreement_ids), quarter, set(by_code)):
        names = {p["code"]: p["name"] for p in statement.parties}
        modes = {t.indicator: t.mode for t in statement.totals}
        for row in statement.rows:
            if row.project_code not in by_code:
                continue
            key = (row.project_code, row.indicator)
            allocations.setdefault(key, {})[statement.agreement_code] = {
                "mode": modes[row.indicator],
                "parties": {code: {"name": name, "amount": f"{row.lines[code].current:f}"}
                            for code, name in names.items()}}
    keys = {(projects[pid]["code"], code) for pid, code in observed} | set(allocations)
    ordered = sorted(keys, key=lambda k: (k[0], _position(definitions, k[1]), k[1]))
    result = {}
    for project_code, code in ordered:
        definition = definitions.get(code)
        value = observed.get((by_code[project_code], code))
        quantum = definition.quantum_decimal if definition else Decimal("0.0001")
        result[f"{project_code} {code}"] = {
            "project_code": project_code, "project_name": projects[by_code[project_code]]["name"],
            "indicator": code, "indicator_name": definition.name if definition else code,
            "indicator_name_en": definition.name_en if definition else code,
            "unit": definition.unit if definition else "",
            "quantum": str(quantum),
            "value": None if value is None else f"{value.quantize(quantum):f}",
            "allocations": allocations.get((project_code, code), {}),
        }
    return result


def _statements(session: Session, agreement_ids: list[int], quarter: Quarter,
                projects: set[str]) -> Iterator[Statement]:
    """Each agreement's statement of the quarter as ``workflow.statement_of`` gives it (frozen
    once closed, else through the snapshot cache), read a batch of agreements at a time: a fund
    may hold projects under hundreds of agreements, whose statements need not all be in memory
    at once. Statements read back keep only the rows of ``projects`` (codes)."""
    for start in range(0, len(agreement_ids), STATEMENT_BATCH):
        batch = statements_of(session, agreement_ids[start:start + STATEMENT_BATCH], quarter,
                              projects)
        for statement, _aq in batch.values():
            yield statement


def _position(definitions: dict, code: str) -> int:
    """An indicator's place in the lists (unknown ones last)."""
    definition = definitions.get(code)
    return definition.position if definition else 1_000
