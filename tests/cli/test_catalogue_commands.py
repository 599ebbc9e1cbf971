"""``flask catalogue import FILE --name NAME [--current]``, ``catalogue current`` and
``catalogue screen``: all or nothing, and the projects whose flag changed are printed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.domain.codes import Role, ScreeningFlag
from app.models import Notification
from app.services import screening
from tests.cli.running import run_command
from tests.factories import make_project, make_user
from tests.integration.catalogue_helpers import HEADER


@pytest.fixture
def flask_cmd(app, runner):
    """Run ``flask ARGS…`` against the test database."""
    return lambda *args: run_command(app, runner, *args)


def _file(tmp_path, name: str, rows: str) -> str:
    path = tmp_path / name
    path.write_text(HEADER + rows, encoding="utf-8")
    return str(path)


def test_importing_and_switching_editions_prints_the_changed_projects(db, flask_cmd, tmp_path):
    project = make_project(db, code="CLI-STEEL", destination="441400", industry="3120")
    meizhou = make_user(db, Role.FINANCE_BUREAU, "441400")
    db.commit()
    first = flask_cmd("catalogue", "import",
                      _file(tmp_path, "a.csv", "441400,NO_LONGER,钢铁,炼钢,3120,,FALSE\n"),
                      "--name", "A")
    assert first.exit_code == 0, first.output
    assert "CLI-STEEL  NONE -> NO_LONGER" in first.output  # the first edition is current at once
    second = flask_cmd("catalogue", "import",
                       _file(tmp_path, "b.csv", "441400,PRIORITY,钢铁,短流程炼钢,3120,,FALSE\n"),
                       "--name", "B")
    assert second.exit_code == 0 and "changed" not in second.output
    switched = flask_cmd("catalogue", "current", "B")
    assert switched.exit_code == 0, switched.output
    assert "CLI-STEEL  NO_LONGER -> PRIORITY" in switched.output
    db.expire_all()
    told = db.scalars(select(Notification.user_id).where(
        Notification.kind == "catalogue_flag_changed")).all()
    assert told == [meizhou.id]  # the destination's bureau, once, by the command too
    assert screening.result_of(db, project.id).flag == ScreeningFlag.PRIORITY
    again = flask_cmd("catalogue", "screen")
    assert again.exit_code == 0 and "0 changed" in again.output
    listed = flask_cmd("catalogue", "list")
    assert "* B: 1 entries" in listed.output and "  A: 1 entries" in listed.output


def test_a_bad_row_is_named_on_standard_error_and_nothing_is_written(db, flask_cmd, tmp_path):
    bad = flask_cmd("catalogue", "import",
                    _file(tmp_path, "bad.csv", "441400,NO_LONGER,钢铁,炼钢,3120,,FALSE\n"
                                               "441400,NO_LONGER,钢铁,独立焦化,3120,,FALSE\n"),
                    "--name", "bad")
    assert bad.exit_code == 1
    assert 'row 3, codes: "3120" is mapped twice in the NO_LONGER list of 441400' in bad.output
    assert "nothing was written" in bad.output
    assert flask_cmd("catalogue", "list").output.strip() == ""
