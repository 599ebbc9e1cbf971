"""`flask sharing simulate` reproduces the worked examples and refuses bad files cleanly."""

from __future__ import annotations

import json

from tests.factories import EXAMPLES as EXAMPLES_DIR

EXAMPLES = EXAMPLES_DIR / "sharing.json"


def test_every_worked_example_comes_out_of_the_command_exactly(runner):
    result = runner.invoke(args=["sharing", "simulate", str(EXAMPLES)])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    cases = json.loads(EXAMPLES.read_text(encoding="utf-8"))["cases"]
    assert printed == [case["expected"] for case in cases]


def test_one_case_alone_prints_one_object(runner, tmp_path):
    case = json.loads(EXAMPLES.read_text(encoding="utf-8"))["cases"][0]
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    result = runner.invoke(args=["sharing", "simulate", str(path)])
    assert json.loads(result.stdout) == case["expected"]


def test_a_bad_rule_is_refused_with_the_field_and_no_traceback(runner, tmp_path):
    case = json.loads(EXAMPLES.read_text(encoding="utf-8"))["cases"][1]
    case["tiers"][1]["first"] = "2026Q2"  # overlaps the first tier
    path = tmp_path / "overlap.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    result = runner.invoke(args=["sharing", "simulate", str(path)])
    assert result.exit_code == 1
    assert "tiers[1]" in result.stderr
    assert "Traceback" not in result.output


def test_a_file_that_is_not_json_is_refused_cleanly(runner, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    result = runner.invoke(args=["sharing", "simulate", str(path)])
    assert result.exit_code == 1
    assert "not valid JSON" in result.stderr
