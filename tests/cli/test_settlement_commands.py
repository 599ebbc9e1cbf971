"""``flask settlement compute``: the run as JSON exactly as the issue specifies, shown again
when nothing changed, refused cleanly for a year with an open quarter."""

from __future__ import annotations

import json

from app.models import SettlementRun
from tests.integration.settlement_helpers import TAX, Example
from tests.integration.sharing_factories import DESTINATION, SOURCE
from tests.web.helpers import count


def test_compute_prints_the_run_as_json_with_decimals_as_strings(db, runner):
    world = Example(db, years=1)
    db.commit()
    result = runner.invoke(args=["settlement", "compute", "SE", str(world.first), "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    run = db.query(SettlementRun).one()
    assert printed == {
        "agreement": "SE", "fiscal_year": world.first, "version": 1,
        "fingerprint": run.fingerprint,
        "lines": [{"project": world.project, "indicator": TAX, "payer": DESTINATION,
                   "payee": SOURCE, "amount": "15000000.00"}],
        "carried": [],
        "net": [{"payer": DESTINATION, "payee": SOURCE, "amount": "15000000.00"}]}
    again = runner.invoke(args=["settlement", "compute", "SE", str(world.first)])
    assert again.exit_code == 0 and "Unchanged" in again.output
    assert "foots to the statements: yes" in again.output
    assert count(db, SettlementRun) == 1


def test_a_year_with_an_open_quarter_is_refused_naming_it_and_nothing_is_written(db, runner):
    world = Example(db, years=0)
    world.close_year(db, world.first, quarters=(1,))
    db.commit()
    result = runner.invoke(args=["settlement", "compute", "SE", str(world.first), "--json"])
    assert result.exit_code == 1
    assert f"{world.first}Q2 is not closed" in result.stderr and "Traceback" not in result.output
    for bad in (["NO-SUCH", "2021"], ["SE", "twenty"]):
        result = runner.invoke(args=["settlement", "compute", *bad])
        assert result.exit_code == 1 and "Traceback" not in result.output
    assert count(db, SettlementRun) == 0


def test_import_notices_books_a_file_or_names_the_row_and_writes_nothing(db, runner, tmp_path):
    from app.models import SettlementNotice
    from tests.integration.test_import_support import csv_bytes
    from tests.integration.test_settlement_notice_import import HEADER, row

    world = Example(db, years=1)
    run, _ = world.compute(db, world.first)
    world.confirm(db, run)
    db.commit()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(HEADER, [row(world.first), row(world.first, notice_number="N-2",
                                                               amount="-5.00")]))
    refused = runner.invoke(args=["import", "notices", str(bad)])
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert 'row 3, amount: "-5.00": the amount booked cannot be negative' in refused.stderr
    assert count(db, SettlementNotice) == 0
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(HEADER, [row(world.first)]))
    done = runner.invoke(args=["import", "notices", str(good)])
    assert done.exit_code == 0, done.output
    assert "notices: 1 rows: 1 added, 0 updated, 0 unchanged" in done.output
    assert count(db, SettlementNotice) == 1
