"""API: quarterly observations (exact decimals in the indicator's unit), read and entered."""

from __future__ import annotations

from flask import g

from app.db import get_session
from app.services.errors import ValidationFailed
from app.services.lists import api as listings
from app.services.reference import lookups as reference
from app.services.sharing import observations as observation_service
from app.web.api.problems import DetailedConflict
from app.web.api.routing import (
    PAGE_QUERY,
    fields_renamed,
    operation,
    page_json,
    page_schema,
    schema,
)
from app.web.api.spec import Amount, Arr, Obj, QuarterField, Text
from app.web.api.values import (
    DATETIME,
    DECIMAL,
    INTEGER,
    QUARTER,
    STRING,
    dec,
    moment,
    nullable,
    obj,
)

OBSERVATION = schema("Observation", obj({
    "id": INTEGER, "project_id": INTEGER, "project": STRING, "indicator": STRING,
    "quarter": QUARTER, "value": DECIMAL, "note": nullable(STRING), "updated_at": DATETIME,
    "version": INTEGER}))
GRID_RESULT = schema("ObservationGridResult", obj({"quarter": QUARTER, "changed": INTEGER}))
CELL = Obj({
    "project": Text(32, required=True, description="project code"),
    "indicator": Text(32, required=True, description="indicator code"),
    "value": Amount(required=True, nullable=True, description="null: remove the value"),
    "reason": Text(500, description="required to correct a closed quarter"),
    "expected": Amount(nullable=True, default=observation_service.UNCHECKED, description=(
        "the value you read and mean to replace (null: no value yet). If the stored value is "
        "another (someone changed it meanwhile), nothing is written and the answer is 409 "
        "naming the observation and both values. Optional for compatibility: a cell without "
        "it replaces whatever is stored; send it unless your system is the only writer."))})
GRID_INPUT = Obj({"cells": Arr(CELL, max_items=5000, required=True)})


def observation_json(o, quanta: dict) -> dict:
    """One observation, at its indicator's quantum (exact: values are whole multiples of it)."""
    value = o.value.quantize(quanta[o.indicator_code]) if o.indicator_code in quanta else o.value
    return {"id": o.id, "project_id": o.project_id, "project": o.project.code,
            "indicator": o.indicator_code, "quarter": str(o.quarter), "value": dec(value),
            "note": o.note, "updated_at": moment(o.updated_at), "version": o.version}


@operation("/observations", summary="Observations of projects in your scope", tag="observations",
           response=page_schema("ObservationPage", OBSERVATION),
           query={"project": Text(32, default=None, description="project code"),
                  "indicator": Text(32, default=None, description="indicator code"),
                  "quarter": QuarterField(default=None),
                  "since": QuarterField(default=None, description="from this quarter on"),
                  "until": QuarterField(default=None, description="up to this quarter"),
                  **PAGE_QUERY})
def list_observations(args):
    """Filtered by project, indicator and quarter(s), in the order they were first entered."""
    db = get_session()
    page = listings.list_observations(db, g.actor, **args)
    quanta = {i.code: i.quantum_decimal for i in reference.indicators(db)}
    return page_json(page, lambda o: observation_json(o, quanta))


@operation("/observations/<quarter>", "PUT", summary="Enter a grid of values for a quarter",
           tag="observations", response=GRID_RESULT, path={"quarter": QuarterField()},
           body=("ObservationGrid", GRID_INPUT))
def put_observations(quarter, data):
    """All or nothing; correcting a closed quarter needs a reason; changes reopen submissions.
    A cell with ``expected`` is written only if that is still the stored value (else 409 with
    ``conflicts``: each observation, its cell, the value now, the one expected and the one sent).
    """
    cells = data["cells"]
    # The service names a cell "<project>.<indicator>"; the API names it by its place.
    places: dict[str, str] = {}
    twice = {}
    for i, c in enumerate(cells):
        key = f"{c['project']}.{c['indicator']}"
        if key in places:
            twice[f"cells.{i}"] = [f"{key} is in the grid twice ({places[key][:-6]} too)"]
        places.setdefault(key, f"cells.{i}.value")
    if twice:
        raise ValidationFailed(twice)
    try:
        with fields_renamed(places):
            changed = observation_service.enter_observations(
                get_session(), g.actor, quarter,
                [observation_service.ObservationEntry(c["project"], c["indicator"], c["value"],
                                                      c["reason"], expected=c["expected"])
                 for c in cells])
    except observation_service.ObservationConflict as exc:
        raise _conflict(exc, places, quarter) from exc
    return {"quarter": str(quarter), "changed": changed}


def _conflict(exc, places: dict[str, str], quarter) -> DetailedConflict:
    """409 naming each observation changed meanwhile, its cell, the value stored now, the
    one the client expected and the one it sent (exact decimals as strings; null: none)."""
    conflicts = [{"field": places.get(key, key).removesuffix(".value"), "observation": key,
                  "project": c.project_code, "indicator": c.indicator, "quarter": str(quarter),
                  "current": dec(c.current), "expected": dec(c.expected),
                  "value": dec(c.value)} for key, c in exc.cells.items()]
    detail = "; ".join(
        f"{c['observation']} ({c['field']}) was changed by someone else: it is now "
        f"{_quoted(c['current'])}, you expected {_quoted(c['expected'])} and sent "
        f"{_quoted(c['value'])}" for c in conflicts)
    return DetailedConflict(f"{detail}. Nothing was written: read the observations again and "
                            "retry.", conflicts=conflicts)


def _quoted(value: str | None) -> str:
    return "no value" if value is None else f"\"{value}\""
