"""API: reference data every user reads (regions, indicators)."""

from __future__ import annotations

from werkzeug.exceptions import NotFound

from app.db import get_session
from app.domain.regions import LEVELS
from app.services.errors import ValidationFailed
from app.services.lists import api as listings
from app.services.reference import lookups as reference_service
from app.web.api.routing import PAGE_QUERY, operation, page_json, page_schema, schema
from app.web.api.spec import REGION_PATTERN, OneOf, Text
from app.web.api.values import STRING, arr, nullable, obj

REGION_CODE = {"type": "string", "pattern": REGION_PATTERN}
REGION = schema("Region", obj({
    "code": REGION_CODE, "name": STRING, "name_en": nullable(STRING),
    "level": {"type": "string", "enum": list(LEVELS)}, "parent": nullable(REGION_CODE),
    "macro_region": STRING, "edition": nullable(STRING), "retired": {"type": "boolean"},
    "valid_until": nullable({"type": "string", "format": "date"}),
    "successor": nullable(REGION_CODE)}))
INDICATOR = schema("Indicator", obj({
    "code": STRING, "name": STRING, "name_en": STRING, "unit": STRING,
    "quantum": {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"}}))


def region_json(region) -> dict:
    """A region as the API shows it."""
    return {"code": region.code, "name": region.name, "name_en": region.name_en,
            "level": region.level, "parent": region.parent.code if region.parent else None,
            "macro_region": region.macro_region, "edition": region.edition,
            "retired": region.is_retired,
            "valid_until": region.valid_until.isoformat() if region.valid_until else None,
            "successor": region.successor.code if region.successor else None}


@operation("/regions", summary="Regions (GB/T 2260), by code", tag="reference",
           response=page_schema("RegionPage", REGION),
           query={"within": Text(6, pattern=REGION_PATTERN, default=None,
                                 description="only this region and those below it"),
                  "level": OneOf(LEVELS, default=None), **PAGE_QUERY})
def list_regions(args):
    """Regions, optionally within one region or at one level."""
    page = listings.list_regions(get_session(), **args)
    return page_json(page, region_json)


@operation("/regions/<code>", summary="One region", tag="reference", response=REGION,
           path={"code": Text(6, pattern=REGION_PATTERN)})
def get_region(code: str):
    """A region by its six-digit code."""
    try:
        return region_json(reference_service.region_by_code(get_session(), code, "code"))
    except ValidationFailed:
        raise NotFound() from None


@operation("/indicators", summary="The shared indicators, in display order", tag="reference",
           response=arr(INDICATOR))
def list_indicators():
    """Every indicator with its unit and quantum (values are whole multiples of it)."""
    return [{"code": i.code, "name": i.name, "name_en": i.name_en, "unit": i.unit,
             "quantum": i.quantum} for i in reference_service.indicators(get_session())]
