"""Importing catalogue editions in tests, through the real import (CSV text in)."""

from __future__ import annotations

import io
from pathlib import Path

from app.services.access.scopes import SYSTEM
from app.services.exchange.imports.catalogue import import_catalogue
from app.services.reference.catalogue import EditionData

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SAMPLE = Path(__file__).resolve().parents[2] / "app" / "data" / "catalogue-sample.csv"
HEADER = "region,list,heading,text,codes,exceptions,needs_review\n"


def load_edition(db, text: str, name: str, *, current: bool = False, actor=SYSTEM,
                 filename: str = "edition.csv", dry_run: bool = False):
    """Import ``text`` (CSV, its header added when missing) as an edition named ``name``."""
    if not text.startswith("region,"):
        text = HEADER + text
    return import_catalogue(db, actor, io.BytesIO(text.encode("utf-8")), filename,
                            data=EditionData(name=name), make_current=current, dry_run=dry_run)
