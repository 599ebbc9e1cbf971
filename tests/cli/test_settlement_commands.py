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
