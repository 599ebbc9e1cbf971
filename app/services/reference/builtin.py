"""The reference data shipped in ``app/data/`` (see its README), loaded in bulk on a connection:
every GB/T 2260 region of the 2022 edition, the whole GB/T 4754-2017 classification and the
indicators of sharing.md.

Used by the data migration (``flask db upgrade``) and by ``flask regions load-builtin``. Idempotent:
it inserts what is missing, never renames or deletes (a later edition is imported with
``flask regions import-edition``), and on a second run writes nothing. Core statements on plain
table descriptions, not the ORM models, so that the migration keeps working when the models grow.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
REGIONS_FILE = "gbt2260-2022-regions.csv"
REGIONS_EDITION = "2022"
INDUSTRIES_FILE = "gbt4754-2017-industries.csv"
LEVELS = ("PROVINCE", "PREFECTURE", "COUNTY")

BUILTIN_INDICATORS = (
    ("OUTPUT_VALUE", "工业总产值", "Gross industrial output value", "元", "0.01"),
    ("REVENUE", "营业收入", "Operating revenue", "元", "0.01"),
    ("TAX_LOCAL", "地方留成税收", "Locally retained tax revenue", "元", "0.01"),
    ("LAND", "新增建设用地", "Construction land newly used", "亩", "0.01"),
    ("ENERGY", "能源消费量", "Energy consumed", "tce", "0.01"),
)
"""The indicators of sharing.md: code, Chinese and English names, unit, quantum."""

_regions = sa.table(
    "regions", sa.column("id", sa.Integer), sa.column("code", sa.String),
    sa.column("name", sa.String), sa.column("name_en", sa.String), sa.column("level", sa.String),
    sa.column("parent_id", sa.Integer), sa.column("macro_region", sa.String),
    sa.column("is_special_area", sa.Boolean), sa.column("edition", sa.String))
_editions = sa.table(
    "region_editions", sa.column("edition", sa.String), sa.column("loaded_at", sa.DateTime),
    sa.column("codes", sa.Integer), sa.column("source", sa.String))
_industries = sa.table(
    "industry_divisions", sa.column("code", sa.String), sa.column("level", sa.String),
    sa.column("parent_code", sa.String), sa.column("section", sa.String),
    sa.column("section_name", sa.String), sa.column("name", sa.String),
    sa.column("name_en", sa.String))
_indicators = sa.table(
    "indicator_definitions", sa.column("code", sa.String), sa.column("name", sa.String),
    sa.column("name_en", sa.String), sa.column("unit", sa.String), sa.column("quantum", sa.String),
    sa.column("position", sa.Integer))


def read_csv(name: str) -> list[dict[str, str]]:
    """The rows of a shipped data file."""
    with (DATA_DIR / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def load_shipped(connection: Connection) -> dict[str, int]:
    """Insert the shipped regions, industries and indicators that are missing; how many of
    each were added (``{"regions": …, "industries": …, "indicators": …}``)."""
    return {"regions": load_regions(connection), "industries": load_industries(connection),
            "indicators": load_indicators(connection)}


def load_regions(connection: Connection) -> int:
    """The 2022 edition of GB/T 2260: one bulk insert per level (parents first); existing codes
    keep their names but are marked as listed in the edition. Rows added."""
    rows = read_csv(REGIONS_FILE)
    macro = {r["code"][:2]: r["macro_region"] for r in read_csv("provinces.csv")}
    official = {r["code"]: r["name_en"] for r in read_csv("provinces.csv")}
    ids = dict(connection.execute(sa.select(_regions.c.code, _regions.c.id)).all())
    added = 0
    for level in LEVELS:
        new = [{"code": r["code"], "name": r["name"],
                "name_en": official.get(r["code"], r["name_en"]), "level": level,
                "parent_id": ids.get(r["parent_code"]) if r["parent_code"] else None,
                "macro_region": macro[r["code"][:2]], "is_special_area": False,
                "edition": REGIONS_EDITION}
               for r in rows if r["level"] == level and r["code"] not in ids]
        if new:
            connection.execute(_regions.insert(), new)
            added += len(new)
            ids = dict(connection.execute(sa.select(_regions.c.code, _regions.c.id)).all())
    listed = [r["code"] for r in rows]
    for start in range(0, len(listed), 500):
        connection.execute(_regions.update().where(
            _regions.c.code.in_(listed[start:start + 500]), _regions.c.edition.is_(None))
            .values(edition=REGIONS_EDITION))
    _reparent(connection, rows, ids)
    if connection.scalar(sa.select(sa.func.count()).select_from(_editions).where(
            _editions.c.edition == REGIONS_EDITION)) == 0:
        connection.execute(_editions.insert().values(
            edition=REGIONS_EDITION, loaded_at=datetime.now(UTC), codes=len(rows),
            source=f"app/data/{REGIONS_FILE}"))
    return added


def _reparent(connection: Connection, rows: list[dict[str, str]], ids: dict[str, int]) -> None:
    """Hang rows imported before the edition (under their province, as the prefecture row
    ``310100`` did not exist yet) under the parent the edition names."""
    current = dict(connection.execute(sa.select(_regions.c.code, _regions.c.parent_id)).all())
    moves = [{"c": r["code"], "p": ids[r["parent_code"]]} for r in rows
             if r["parent_code"] and current.get(r["code"]) != ids[r["parent_code"]]]
    if moves:
        connection.execute(_regions.update().where(_regions.c.code == sa.bindparam("c"))
                           .values(parent_id=sa.bindparam("p")), moves)


def load_industries(connection: Connection) -> int:
    """GB/T 4754-2017: sections, divisions, groups and classes that are missing. Rows added."""
    rows = read_csv(INDUSTRIES_FILE)
    divisions = {r["division"]: r for r in read_csv("industry_divisions.csv")}
    sections = {r["section"]: r for r in divisions.values()}
    by_code = {r["code"]: r for r in rows}

    def section_of(code: str) -> str:
        while by_code[code]["parent_code"]:
            code = by_code[code]["parent_code"]
        return code

    known = set(connection.scalars(sa.select(_industries.c.code)))
    new = []
    for r in rows:
        if r["code"] in known:
            continue
        section = section_of(r["code"])
        name_en = (sections[section]["section_name_en"] if r["level"] == "SECTION"
                   else divisions[r["code"]]["name_en"] if r["level"] == "DIVISION" else None)
        new.append({"code": r["code"], "level": r["level"], "parent_code": r["parent_code"] or None,
                    "section": section, "section_name": sections[section]["section_name"],
                    "name": r["name"], "name_en": name_en})
    if new:
        connection.execute(_industries.insert(), new)
    connection.execute(_industries.update().where(
        _industries.c.level == "DIVISION", _industries.c.parent_code.is_(None))
        .values(parent_code=_industries.c.section))
    return len(new)


def load_indicators(connection: Connection) -> int:
    """The indicators of sharing.md that are missing. Rows added."""
    known = set(connection.scalars(sa.select(_indicators.c.code)))
    new = [{"code": code, "name": name, "name_en": name_en, "unit": unit, "quantum": quantum,
            "position": position}
           for position, (code, name, name_en, unit, quantum) in enumerate(BUILTIN_INDICATORS)
           if code not in known]
    if new:
        connection.execute(_indicators.insert(), new)
    return len(new)
