"""API: the transfer guidance catalogue (editions and their entries: reference data every user
reads), the catalogue object of a project's JSON, and a project's screening results under every
edition (within the project's scope)."""

from __future__ import annotations

from flask import g

from app.db import get_session
from app.domain.codes import CatalogueList, ScreeningFlag
from app.services import screening
from app.services.access.scopes import get_project
from app.services.reference import catalogue as editions
from app.web.api.routing import ID, operation, schema
from app.web.api.values import (
    BOOLEAN,
    DATE,
    DATETIME,
    INTEGER,
    STRING,
    arr,
    code,
    day,
    enum_of,
    moment,
    nullable,
    obj,
)

ENTRY = schema("CatalogueEntry", obj({
    "id": INTEGER, "region": STRING, "list": enum_of(CatalogueList), "heading": STRING,
    "text": STRING, "codes": arr(STRING), "exceptions": nullable(STRING),
    "needs_review": BOOLEAN}))
EDITION = schema("CatalogueEdition", obj({
    "id": INTEGER, "name": STRING, "published_on": nullable(DATE), "source_note": STRING,
    "is_sample": BOOLEAN, "is_current": BOOLEAN, "replaced": nullable(STRING),
    "made_current_at": nullable(DATETIME), "entries": INTEGER}))
DECISION = obj({"list": enum_of(CatalogueList), "reason": STRING, "decided_at": DATETIME})
CATALOGUE = schema("ProjectCatalogue", {**obj({
    "edition": nullable(STRING), "list": enum_of(ScreeningFlag),
    "entry": {"oneOf": [ENTRY, {"type": "null"}]},
    "screened": enum_of(ScreeningFlag),
    "decision": {"oneOf": [DECISION, {"type": "null"}]}}),
    "description": (
        "the project's flag under the current catalogue edition: `list` is what is shown (a "
        "person's decision on a REVIEW result, else the screened flag); `entry` the entry that "
        "decided it (the first, when several did); NONE with a null edition before any "
        "edition exists")})


SCREENING = schema("ScreeningResult", {**obj({
    "edition": STRING, "is_current": BOOLEAN, "list": enum_of(ScreeningFlag),
    "screened": enum_of(ScreeningFlag), "entry": {"oneOf": [ENTRY, {"type": "null"}]},
    "decision": {"oneOf": [DECISION, {"type": "null"}]}, "screened_at": DATETIME}),
    "description": "a project's result under one edition, kept when a later edition replaced it"})


def entry_json(entry) -> dict:
    """A catalogue entry as the API shows it."""
    return {"id": entry.id, "region": entry.region.code, "list": code(entry.list_code),
            "heading": entry.heading, "text": entry.text, "codes": entry.code_list,
            "exceptions": entry.exceptions, "needs_review": entry.needs_review}


def catalogue_json(edition, result) -> dict:
    """A project's ``catalogue`` object from the current edition and its result (either None)."""
    if edition is None or result is None:
        return {"edition": edition.name if edition else None, "list": "NONE", "entry": None,
                "screened": "NONE", "decision": None}
    decision = None
    if result.decided_list is not None:
        decision = {"list": code(result.decided_list), "reason": result.decision_reason,
                    "decided_at": moment(result.decided_at)}
    return {"edition": edition.name, "list": code(result.flag),
            "entry": entry_json(result.entry) if result.entry else None,
            "screened": code(result.screened), "decision": decision}


def edition_json(edition, entries: int) -> dict:
    """An edition as the API shows it."""
    return {"id": edition.id, "name": edition.name, "published_on": day(edition.published_on),
            "source_note": edition.source_note, "is_sample": edition.is_sample,
            "is_current": edition.is_current,
            "replaced": edition.replaced.name if edition.replaced else None,
            "made_current_at": moment(edition.made_current_at), "entries": entries}


@operation("/catalogue/editions", summary="The catalogue's editions, newest first",
           tag="reference", response=arr(EDITION))
def list_editions():
    """Every edition (at most a handful), the current one flagged."""
    return [edition_json(e, n) for e, n in editions.list_editions(get_session())]


@operation(f"/catalogue/editions/<{ID}:edition_id>/entries",
           summary="An edition's entries, in edition order", tag="reference",
           response=arr(ENTRY))
def list_entries(edition_id: int):
    """Every entry of an edition (404 for an unknown edition)."""
    db = get_session()
    editions.get_edition(db, edition_id)
    return [entry_json(e) for e in editions.entries_of(db, edition_id)]


@operation(f"/projects/<{ID}:project_id>/screening",
           summary="A project's screening results under every edition, the current first",
           tag="projects", response=arr(SCREENING))
def list_screening(project_id: int):
    """The project's result under the current edition (if any), then under earlier editions,
    newest first; 404 for a project out of scope."""
    db = get_session()
    project = get_project(db, g.actor, project_id)
    shown = screening.shown(db, project.id)
    results = ([shown.result] if shown.result is not None else []) + shown.earlier
    return [{**catalogue_json(r.edition, r), "is_current": r.edition.is_current,
             "screened_at": moment(r.screened_at)} for r in results]
