"""``flask tokens create|list|revoke``: tokens for machine integrations, printed once on the
last line, audit-trailed; bad input says why on standard error, exits 1 and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.domain.codes import Role
from app.models import ApiToken, AuditEntry
from app.services.access import tokens, users
from tests.cli.running import run_command
from tests.factories import make_fund, make_user


@pytest.fixture
def flask_cmd(app, runner):
    """Run ``flask ARGS…`` against the test database."""
    return lambda *args, input=None: run_command(app, runner, *args, input=input)


def _rows(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


def test_create_prints_the_token_alone_on_the_last_line_and_it_opens_the_api(app, db,
                                                                           flask_cmd):
    fund = make_fund(db)
    user = make_user(db, Role.FUND_MANAGER, fund.code)
    db.commit()
    result = flask_cmd("tokens", "create", user.email.upper(), "--name", "ERP nightly",
                       "--expires-days", "30")
    assert result.exit_code == 0, result.output
    secret = result.stdout.rstrip("\n").split("\n")[-1]
    assert secret.startswith("tlk_") and " " not in secret
    db.expire_all()
    row = db.scalar(select(ApiToken).where(ApiToken.token_hash == tokens.hash_secret(secret)))
    assert (row.user_id, row.name) == (user.id, "ERP nightly")
    assert dt.timedelta(days=29, hours=23) < row.expires_at - row.created_at \
        <= dt.timedelta(days=30)
    response = app.test_client().get(f"/api/v1/funds/{fund.id}",
                                     headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    entry = db.scalars(select(AuditEntry).where(AuditEntry.entity == "api_tokens",
                                                AuditEntry.entity_id == str(row.id))).one()
    assert (entry.action, entry.actor) == ("INSERT", "cli:tokens create")
    assert secret not in entry.changes


@pytest.mark.parametrize("args", [
    ("nobody@example.cn", "--name", "ERP"),
    ("{user}", "--name", "ERP", "--expires-days", "0"),
    ("{user}", "--name", "ERP", "--expires-days", "-5"),
    ("{user}", "--name", "ERP", "--expires-days", "a week"),
    ("{user}", "--name", "ERP", "--expires-days", "99999"),
    ("{user}", "--name", "   "),
    ("{disabled}", "--name", "ERP"),
])
def test_create_with_bad_input_says_why_exits_1_and_writes_nothing(db, flask_cmd, args):
    user = make_user(db, Role.AUDITOR)
    disabled = make_user(db, Role.AUDITOR)
    db.commit()
    users.set_grants(db, disabled.id, users.get_user(db, disabled.id).version,
                     [users.GrantSpec(Role.AUDITOR)], False)
    db.commit()
    tokens_before, entries_before = _rows(db, ApiToken), _rows(db, AuditEntry)
    args = [a.format(user=user.email, disabled=disabled.email) for a in args]
    result = flask_cmd("tokens", "create", *args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ") and "nothing was written" in result.stderr
    assert "Traceback" not in result.output and "tlk_" not in result.output
    assert (_rows(db, ApiToken), _rows(db, AuditEntry)) == (tokens_before, entries_before)


def test_list_shows_every_token_with_its_user_expiry_and_revocation(db, flask_cmd):
    alice, bob = make_user(db, Role.AUDITOR), make_user(db, Role.AUDITOR)
    kept = tokens.create_token(db, alice.id, "BI", expires_days=10).token
    gone = tokens.create_token(db, bob.id, "ERP").token
    tokens.revoke_token(db, bob.id, gone.id)
    db.commit()
    everyone = flask_cmd("tokens", "list")
    assert everyone.exit_code == 0, everyone.output
    header, *lines = everyone.stdout.splitlines()
    assert header.split() == ["ID", "USER", "NAME", "CREATED", "EXPIRES", "LAST", "USED",
                              "REVOKED"]
    [alice_line] = [line for line in lines if alice.email in line]
    assert alice_line.split()[0] == str(kept.id)
    assert kept.expires_at.strftime("%Y-%m-%d %H:%M") in alice_line
    [bob_line] = [line for line in lines if bob.email in line]
    assert "never" in bob_line and gone.revoked_at.strftime("%Y-%m-%d %H:%M") in bob_line
    only_bob = flask_cmd("tokens", "list", bob.email)
    assert alice.email not in only_bob.stdout and bob.email in only_bob.stdout
    unknown = flask_cmd("tokens", "list", "nobody@example.cn")
    assert unknown.exit_code == 1 and "nobody@example.cn" in unknown.stderr


def test_revoke_ends_the_token_audit_trailed_and_an_unknown_id_is_refused(app, db, flask_cmd):
    user = make_user(db, Role.AUDITOR)
    created = tokens.create_token(db, user.id, "ERP")
    db.commit()
    result = flask_cmd("tokens", "revoke", str(created.token.id))
    assert result.exit_code == 0, result.output
    db.expire_all()
    assert db.get(ApiToken, created.token.id).revoked_at is not None
    assert db.scalar(select(AuditEntry.actor).where(
        AuditEntry.entity == "api_tokens", AuditEntry.action == "UPDATE",
        AuditEntry.entity_id == str(created.token.id))) == "cli:tokens revoke"
    response = app.test_client().get("/api/v1/funds",
                                     headers={"Authorization": f"Bearer {created.secret}"})
    assert response.status_code == 401
    for bad in ("999999", "x1"):
        refused = flask_cmd("tokens", "revoke", bad)
        assert refused.exit_code == 1 and refused.stderr.startswith("Error: ")
