"""``flask tokens create|list|revoke``: API tokens for machine integrations (issue 13).

``create`` prints the secret alone on the last line of standard output, once (only its SHA-256
is stored); every change is audit-trailed as ``cli:tokens …``, like tokens made on the profile
page.
"""

from __future__ import annotations

import re

import click
from flask.cli import AppGroup

from app.cli.common import fail, unit_of_work
from app.db import get_session
from app.services.access import tokens, users
from app.services.errors import ValidationFailed

group = AppGroup("tokens", help="API tokens for machine integrations.")

_WHOLE = re.compile(r"^[+-]?\d{1,9}$")


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else "-"


@group.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Which system will use it (up to 100 characters).")
@click.option("--expires-days", "expires_days", default=None, metavar="N",
              help="Stop working after N days (1 to 3650); without it, until revoked.")
def create(email: str, name: str, expires_days: str | None) -> None:
    """Create a token of the user EMAIL; the token is printed once, on the last line."""
    days = None
    if expires_days is not None:
        if not _WHOLE.match(expires_days.strip()):
            fail(f"--expires-days: {expires_days[:80]!r} is not a whole number of days "
                 "(nothing was written)")
        days = int(expires_days)
    with unit_of_work("tokens create") as session:
        user = users.user_by_email(session, email)
        if not user.is_active:
            raise ValidationFailed(email=f"the user {user.email} is disabled")
        created = tokens.create_token(session, user.id, name, days)
        token_id, expires_at = created.token.id, created.token.expires_at
    until = f"expires {_when(expires_at)} UTC" if expires_at else "does not expire"
    click.echo(f"Token {token_id} \"{name.strip()}\" of {user.email} created ({until}). "
               "Copy it now: it is shown only this once.")
    click.echo(created.secret)


@group.command("list")
@click.argument("email", required=False)
def list_(email: str | None) -> None:
    """List the tokens of EMAIL (of everyone without it), newest first; times in UTC."""
    session = get_session()
    user_id = None
    if email:
        try:
            user_id = users.user_by_email(session, email).id
        except ValidationFailed as exc:
            fail("; ".join(f"{f}: {m}" for f, ms in exc.errors.items() for m in ms))
    rows = [("ID", "USER", "NAME", "CREATED", "EXPIRES", "LAST USED", "REVOKED")]
    for t in tokens.list_tokens(session, user_id):
        expires = _when(t.expires_at) + (" (expired)" if t.is_expired else "") \
            if t.expires_at else "never"
        rows.append((str(t.id), t.user.email, t.name, _when(t.created_at), expires,
                     _when(t.last_used_at), _when(t.revoked_at)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths,
                                                                       strict=True)).rstrip())


@group.command("revoke")
@click.argument("token_id")
def revoke(token_id: str) -> None:
    """Revoke the token TOKEN_ID (at once, for good)."""
    if not (token_id.isascii() and token_id.isdigit() and len(token_id) < 10):
        fail(f"{token_id[:80]!r} is not a token id (nothing was written)")
    with unit_of_work("tokens revoke") as session:
        token = tokens.find_token(session, int(token_id))
        if token is None:
            fail(f"no token has the id {token_id} (nothing was written)")
        was_revoked = token.revoked_at is not None
        tokens.revoke_token(session, None, token.id)
        label = f"Token {token.id} \"{token.name}\" of {token.user.email}"
    click.echo(f"{label} was already revoked." if was_revoked
               else f"{label} revoked: it no longer opens the API.")
