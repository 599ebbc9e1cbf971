"""Formula injection: a name or a note that a spreadsheet program would run as a formula is
exported inert — a string cell in XLSX (no ``<f>`` anywhere), an apostrophe before it in CSV —
by the service, the CLI and the web, and the export still imports back with no change."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest

from app.domain.codes import Role, TransactionType
from app.services.access.scopes import SYSTEM
from app.services.exchange import exports
from app.services.exchange.imports import import_file
from app.services.exchange.imports.inert import escape, unescape
from app.services.funds import investments
from tests.cli.running import run_command
from tests.factories import invest, make_fund, make_project, make_user
from tests.web.helpers import client_of

HOSTILE = ['=HYPERLINK("http://x","y")', "=1+1", "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3",
           "'=already quoted", "''@twice"]
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _hostile_data(db):
    """A project per hostile name, and a transaction whose note is a formula (and a negative
    valuation-free amount column: a reversal)."""
    fund = make_fund(db, "INJ-F", manager="=1+1")
    for number, name in enumerate(HOSTILE):
        project = make_project(db, f"INJ-{number}", name=name, enterprise=name, park=name)
    investment = invest(db, fund, project)
    investments.record_transaction(db, SYSTEM, investment.id, investments.TransactionData(
        TransactionType.DISBURSEMENT, dt.date(2024, 6, 30), Decimal("2.50"),
        note='=HYPERLINK("http://x","y")'))
    db.commit()


def _has_formula(xlsx: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        return any(_FORMULA.search(archive.read(name)) for name in archive.namelist()
                   if name.startswith("xl/worksheets/"))


def _csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]


@pytest.mark.parametrize("text", [*HOSTILE, "\tTAB", "\rCR", "plain", "", "'", "'plain", "-"])
def test_escape_then_unescape_gives_back_the_text_and_nothing_escaped_starts_a_formula(text):
    escaped = escape(text)
    assert unescape(escaped) == text
    assert not escaped or escaped[0] not in "=+-@\t\r"


def test_numbers_typed_as_negative_amounts_are_not_escaped_by_the_csv_writer():
    assert exports.csv_text(Decimal("-2.50")) == "-2.50"
    assert exports.csv_text("-2.50") == "'-2.50"  # text that looks like a number is text


@pytest.mark.parametrize("kind", ["funds", "projects", "transactions"])
def test_a_csv_export_writes_formulas_as_text_and_imports_back_with_no_change(db, kind):
    _hostile_data(db)
    out = io.BytesIO()
    written = exports.export(db, SYSTEM, kind, "csv", out)
    cells = _csv_cells(out.getvalue())
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [c for c in cells if c[:1] == "-" and not re.fullmatch(r"-\d+(\.\d+)?", c)]
    if kind == "projects":
        assert "'=HYPERLINK(\"http://x\",\"y\")" in cells and "'''@twice" in cells
    result = import_file(db, SYSTEM, kind, io.BytesIO(out.getvalue()), f"{kind}.csv",
                         dry_run=False)
    assert result.errors == []
    assert (result.total("changes"), result.total("unchanged")) == (0, written)


@pytest.mark.parametrize("kind", ["funds", "projects", "transactions"])
def test_an_xlsx_export_holds_no_formula_and_imports_back_with_no_change(db, kind):
    _hostile_data(db)
    out = io.BytesIO()
    written = exports.export(db, SYSTEM, kind, "xlsx", out)
    assert not _has_formula(out.getvalue())
    result = import_file(db, SYSTEM, kind, io.BytesIO(out.getvalue()), f"{kind}.xlsx",
                         dry_run=False)
    assert result.errors == []
    assert (result.total("changes"), result.total("unchanged")) == (0, written)


def test_the_cli_and_web_exports_are_inert_too(app, db, runner, tmp_path):
    _hostile_data(db)
    admin = client_of(app, make_user(db, Role.ADMIN))
    db.commit()
    for fmt in exports.FORMATS:
        target = tmp_path / f"projects.{fmt}"
        assert run_command(app, runner, "export", "projects", "-o", str(target)).exit_code == 0
        web = admin.get(f"/exchange/export?kind=projects&format={fmt}")
        for data in (target.read_bytes(), web.data):
            if fmt == "xlsx":
                assert not _has_formula(data)
            else:
                assert not [c for c in _csv_cells(data) if c[:1] in ("=", "+", "@")]
