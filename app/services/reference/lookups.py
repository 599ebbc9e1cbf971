"""Reference data look-ups shared by every use case: regions and industry divisions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import regions
from app.domain.messages import N_
from app.models import IndicatorDefinition, IndustryDivision, Region
from app.services.errors import NotFound, ValidationFailed
from app.services.reference import builtin as reference_data


def region_by_code(session: Session, code: str | None, field: str) -> Region:
    """The region with GB/T 2260 ``code``; ValidationFailed naming ``field`` if there is none."""
    code = (code or "").strip()
    region = session.scalar(select(Region).where(Region.code == code)) if code else None
    if region is None:
        raise ValidationFailed({field: [N_('"%(value)s" is not a known region code', value=code)]})
    return region


def industry_by_code(session: Session, code: str | None, field: str = "industry"
                     ) -> IndustryDivision:
    """The GB/T 4754-2017 division (2 digits), group (3) or class (4) ``code``; a single digit
    is read as a division (``7`` → ``07``). Sections (a letter) are too broad for a project.
    ValidationFailed naming ``field`` otherwise."""
    code = (code or "").strip()
    code = code.zfill(2) if code.isdigit() and len(code) == 1 else code
    industry = session.get(IndustryDivision, code) if code.isdigit() else None
    if industry is None or industry.level not in INDUSTRY_LEVELS:
        raise ValidationFailed({field: [N_(
            '"%(value)s" is not a GB/T 4754-2017 industry code (a division, group or class)',
            value=code)]})
    return industry


INDUSTRY_LEVELS = ("DIVISION", "GROUP", "CLASS")
"""The GB/T 4754-2017 levels a project's industry may be given at."""


@dataclass(frozen=True)
class RegionImportResult:
    """What a regions import did."""

    added: int
    updated: int
    unchanged: int


BUILTIN_INDICATORS = reference_data.BUILTIN_INDICATORS


def load_builtin_reference(session: Session) -> int:
    """Insert the shipped regions (GB/T 2260, 2022), industries (GB/T 4754-2017) and indicators
    that are missing (``flask db upgrade`` loads them already: this repairs deleted rows and is a
    no-op otherwise); return how many rows were added."""
    added = reference_data.load_shipped(session.connection())
    session.expire_all()
    return sum(added.values())


def import_regions(session: Session, lines) -> RegionImportResult:
    """Add or rename prefecture- and county-level regions from ``code,name[,name_en]`` rows.

    All or nothing: any bad row raises ValidationFailed listing every error by spreadsheet row.
    The parent is the nearest existing ancestor by code; the macro-region is the province's.
    """
    rows, errors = regions.parse_region_rows(lines)
    existing = {r.code: r for r in session.scalars(select(Region))}
    for row in rows:
        if regions.province_code(row.code) not in existing:
            errors.append(f'{row.code}: its province {regions.province_code(row.code)} is unknown')
    if errors:
        raise ValidationFailed({"file": errors})
    added = updated = unchanged = 0
    for row in sorted(rows, key=lambda r: regions.LEVELS.index(r.level)):
        region = existing.get(row.code)
        if region is None:
            parent = next((existing[c] for c in regions.ancestor_codes(row.code) if c in existing),
                          None)
            region = Region(code=row.code, name=row.name, name_en=row.name_en, level=row.level,
                            parent=parent, macro_region=regions.macro_region(row.code))
            session.add(region)
            existing[row.code] = region
            added += 1
        elif (region.name, region.name_en) != (row.name, row.name_en):
            region.name, region.name_en = row.name, row.name_en
            updated += 1
        else:
            unchanged += 1
    session.flush()
    return RegionImportResult(added, updated, unchanged)


def indicators(session: Session) -> list[IndicatorDefinition]:
    """Every indicator definition, in display order."""
    return list(session.scalars(select(IndicatorDefinition).order_by(
        IndicatorDefinition.position, IndicatorDefinition.code)))


def indicator_by_code(session: Session, code: str) -> IndicatorDefinition:
    """One indicator definition; NotFound for an unknown code."""
    definition = session.get(IndicatorDefinition, code)
    if definition is None:
        raise NotFound(f"indicator {code}")
    return definition
