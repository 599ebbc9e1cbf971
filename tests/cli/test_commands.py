"""The ``flask`` commands of exchange.md: they do their job, and when they fail they say why on
standard error, exit non-zero, print no traceback and write nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.models import AuditEntry, Region, User
from app.services.access import users
from app.services.operations import schema
from tests.cli.running import run_command
from tests.factories import make_fund

PASSWORD = "long enough password"


@pytest.fixture
def flask_cmd(app, runner):
    """Run ``flask ARGS…`` against the test database."""
    return lambda *args, input=None: run_command(app, runner, *args, input=input)


def _user(db, email: str) -> User | None:
    db.expire_all()
    return db.scalar(select(User).where(User.email == email))


def _failed_cleanly(result) -> None:
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Error: ")
    assert result.stdout == ""


def test_users_create_adds_a_bureau_user_with_the_password_from_standard_input(db, flask_cmd):
    result = flask_cmd("users", "create", "CaiZheng@Example.cn", "--role", "FINANCE_BUREAU",
                       "--scope", "440300", "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    user = _user(db, "caizheng@example.cn")
    assert [(g.role, g.region.code) for g in user.grants] == [("FINANCE_BUREAU", "440300")]
    signed_in = users.authenticate(db, "caizheng@example.cn", PASSWORD, "127.0.0.1",
                                   max_failures=5, window_seconds=60)
    assert signed_in.id == user.id  # the newline typed after the password is not part of it
    assert PASSWORD not in result.output
    assert db.scalar(select(AuditEntry.actor).where(
        AuditEntry.entity == "users", AuditEntry.entity_id == str(user.id))) == "cli:users create"


@pytest.mark.parametrize(("scope", "field"), [("449999", "scope"), ("", "scope")])
def test_users_create_with_a_bad_scope_fails_naming_the_field_and_writes_nothing(
        db, flask_cmd, scope, field):
    entries = db.scalar(select(func.count()).select_from(AuditEntry))
    args = ["--scope", scope] if scope else []
    result = flask_cmd("users", "create", "bad.scope@example.cn", "--role", "FINANCE_BUREAU",
                       *args, "--password-stdin", input=PASSWORD + "\n")
    _failed_cleanly(result)
    assert f"{field}:" in result.stderr and "nothing was written" in result.stderr
    assert _user(db, "bad.scope@example.cn") is None
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == entries


def test_users_create_refuses_a_short_password(db, flask_cmd):
    result = flask_cmd("users", "create", "short@example.cn", "--role", "AUDITOR",
                       "--password-stdin", input="too short\n")
    _failed_cleanly(result)
    assert "password:" in result.stderr
    assert _user(db, "short@example.cn") is None


def test_users_create_refuses_an_unknown_role_before_asking_anything(db, flask_cmd):
    result = flask_cmd("users", "create", "role@example.cn", "--role", "KING",
                       "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 2  # a usage error, from Click
    assert "--role" in result.stderr
    assert _user(db, "role@example.cn") is None


def _csv(tmp_path, text: str):
    path = tmp_path / "regions.csv"
    path.write_text(text, encoding="utf-8-sig")  # as Excel saves it, with a BOM
    return str(path)


def test_regions_import_adds_regions_under_their_parents_and_is_idempotent(db, flask_cmd,
                                                                           tmp_path):
    # codes GB/T 2260 (2022, loaded by the migration) does not have: local development zones
    path = _csv(tmp_path, "code,name,name_en\n341091,屯溪开发区,Tunxi Development Zone\n"
                          "341092,黄山开发区,Huangshan Development Zone\n")
    first = flask_cmd("regions", "import", path)
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("2 added")
    db.expire_all()
    tunxi = db.scalar(select(Region).where(Region.code == "341091"))
    assert (tunxi.name, tunxi.level, tunxi.parent.code) == ("屯溪开发区", "COUNTY", "341000")

    again = flask_cmd("regions", "import", path)
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("0 added, 0 renamed, 2 unchanged")


def test_regions_import_with_a_bad_code_names_the_row_and_writes_nothing(db, flask_cmd,
                                                                         tmp_path):
    path = _csv(tmp_path, "code,name\n341093,徽州开发区\n34100X,错误区\n")
    result = flask_cmd("regions", "import", path)
    _failed_cleanly(result)
    assert "row 3, code: " in result.stderr and "34100X" in result.stderr
    assert db.scalar(select(Region.id).where(Region.code == "341093")) is None


def test_regions_import_of_a_missing_file_fails_cleanly(flask_cmd, tmp_path):
    result = flask_cmd("regions", "import", str(tmp_path / "absent.csv"))
    _failed_cleanly(result)
    assert "absent.csv" in result.stderr


def test_funds_metrics_of_an_unknown_fund_fails_with_a_clean_message(flask_cmd):
    result = flask_cmd("funds", "metrics", "NOPE", "--as-of", "2025-06-30")
    _failed_cleanly(result)
    assert '"NOPE"' in result.stderr
    assert isinstance(result.exception, SystemExit)  # exited on purpose, did not crash


@pytest.mark.parametrize("as_of", ["2025-13-01", "30/06/2025", ""])
def test_funds_metrics_with_an_impossible_date_fails_with_a_clean_message(flask_cmd, as_of):
    result = flask_cmd("funds", "metrics", "HF-01", "--as-of", as_of, "--json")
    _failed_cleanly(result)
    assert "--as-of" in result.stderr and f'"{as_of}"' in result.stderr


def test_funds_metrics_json_of_an_empty_fund_is_null_where_undefined(db, flask_cmd):
    make_fund(db, "EMPTY-1")
    result = flask_cmd("funds", "metrics", "EMPTY-1", "--as-of", "2025-06-30", "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert (shown["committed"], shown["tvpi"], shown["net_irr"], shown["investments"]) == (
        "0.00", None, None, {})


def test_audit_verify_reports_an_intact_chain(db, flask_cmd):
    make_fund(db, "AUDIT-CLI")
    result = flask_cmd("audit", "verify")
    assert result.exit_code == 0, result.output
    assert "intact" in result.stdout
    entries = db.scalar(select(func.count()).select_from(AuditEntry))
    assert f"of {entries} entries" in result.stdout


def test_db_current_prints_the_head_revision(flask_cmd):
    result = flask_cmd("db", "current")
    assert result.exit_code == 0, result.output
    assert result.stdout.split()[0] in schema.heads()


def test_commands_run_under_the_flask_test_runner_alone(runner):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, repr(result.exception)
    assert "intact" in result.stdout


@pytest.mark.parametrize(("args", "password", "says"), [
    (("--role", "ADMIN", "--scope", "440300"), PASSWORD, "--scope: an administrator"),
    (("--role", "AUDITOR"), "short", "password: must be at least 10 characters long"),
    (("--role", "AUDITOR"), "", "password: must be at least 10 characters long"),
])
def test_users_create_with_a_stray_scope_or_a_weak_password_writes_nothing(
        db, flask_cmd, args, password, says):
    entries = db.scalar(select(func.count()).select_from(AuditEntry))
    result = flask_cmd("users", "create", "weak@example.cn", *args, "--password-stdin",
                       input=password + "\n")
    assert result.exit_code == 1, result.output
    _failed_cleanly(result)
    assert says in result.stderr and "nothing was written" in result.stderr
    assert _user(db, "weak@example.cn") is None
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == entries
