"""Reference data look-ups shared by every use case: regions and industry divisions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import regions
from app.domain.messages import N_
from app.models import IndicatorDefinition, IndustryDivision, Region
from app.services.errors import NotFound, ValidationFailed


def region_by_code(session: Session, code: str | None, field: str) -> Region:
    """The region with GB/T 2260 ``code``; ValidationFailed naming ``field`` if there is none."""
    code = (code or "").strip()
    region = session.scalar(select(Region).where(Region.code == code)) if code else None
    if region is None:
        raise ValidationFailed({field: [N_('"%(value)s" is not a known region code', value=code)]})
    return region


def industry_by_code(session: Session, code: str | None, field: str = "industry"
                     ) -> IndustryDivision:
    """The GB/T 4754-2017 division ``code`` (two digits); ValidationFailed naming ``field``."""
    code = (code or "").strip().zfill(2) if (code or "").strip().isdigit() else (code or "")
    division = session.get(IndustryDivision, code) if code else None
    if division is None:
        raise ValidationFailed({field: [N_('"%(value)s" is not a GB/T 4754-2017 division code',
                                           value=code)]})
    return division


@dataclass(frozen=True)
class RegionImportResult:
    """What a regions import did."""

    added: int
    updated: int
    unchanged: int


BUILTIN_INDICATORS = (
    ("OUTPUT_VALUE", "工业总产值", "Gross industrial output value", "元", "0.01"),
    ("REVENUE", "营业收入", "Operating revenue", "元", "0.01"),
    ("TAX_LOCAL", "地方留成税收", "Locally retained tax revenue", "元", "0.01"),
    ("LAND", "新增建设用地", "Construction land newly used", "亩", "0.01"),
    ("ENERGY", "能源消费量", "Energy consumed", "tce", "0.01"),
)
"""The indicators of sharing.md: code, Chinese and English names, unit, quantum."""


def load_builtin_reference(session: Session) -> int:
    """Insert the shipped provinces, GB/T 4754-2017 divisions and indicators that are missing;
    return how many rows were added."""
    added = 0
    known_indicators = set(session.scalars(select(IndicatorDefinition.code)))
    for position, (code, name, name_en, unit, quantum) in enumerate(BUILTIN_INDICATORS):
        if code not in known_indicators:
            session.add(IndicatorDefinition(code=code, name=name, name_en=name_en, unit=unit,
                                            quantum=quantum, position=position))
            added += 1
    known_regions = set(session.scalars(select(Region.code)))
    for province in regions.load_provinces():
        if province.code not in known_regions:
            session.add(Region(code=province.code, name=province.name, name_en=province.name_en,
                               level=regions.PROVINCE, macro_region=province.macro_region))
            added += 1
    known_divisions = set(session.scalars(select(IndustryDivision.code)))
    for division in regions.load_industry_divisions():
        if division.division not in known_divisions:
            session.add(IndustryDivision(
                code=division.division, section=division.section,
                section_name=division.section_name, name=division.name,
                name_en=division.name_en))
            added += 1
    session.flush()
    return added


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
