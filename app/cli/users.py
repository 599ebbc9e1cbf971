"""``flask users create EMAIL --role ROLE [--scope CODE] [--password-stdin]``."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.cli.common import fail, unit_of_work
from app.domain.codes import Role
from app.services.access import users

group = AppGroup("users", help="Users and roles.")


@group.command("create")
@click.argument("email")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice([r.value for r in Role], case_sensitive=False))
@click.option("--scope", help="A region code (bureau, auditor) or a fund code (fund manager).")
@click.option("--name", default="", help="The person's name (defaults to the e-mail).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create(email: str, roles: tuple[str, ...], scope: str | None, name: str,
           password_stdin: bool) -> None:
    """Add a user with one or more roles in one scope.

    Bad input is refused on standard error and nothing is written: an unknown role (a usage
    error, exit status 2, before the password is asked for); a scope given to an administrator
    (before the password is asked for), a bad scope, a password shorter than ten characters or
    a known e-mail (exit status 1).
    """
    if scope and Role.ADMIN.value in {text.strip().upper() for text in roles}:
        fail("--scope: an administrator's scope is everything; leave out --scope "
             "(nothing was written)")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    grants = []
    for text in roles:
        role = Role(text.upper())
        if role is Role.FUND_MANAGER:
            grants.append(users.GrantSpec(role, fund_code=scope))
        else:
            grants.append(users.GrantSpec(role, region_code=scope if role is not Role.ADMIN
                                          else None))
    if not grants:
        fail("--role: give at least one role")
    with unit_of_work("users create") as session:
        user = users.create_user(session, email, name or email, password, grants)
    click.echo(f"User {user.email} created with {', '.join(roles)}.")
