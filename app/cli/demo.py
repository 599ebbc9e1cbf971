"""``flask demo load [--reset]``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.cli.common import unit_of_work
from app.services import demo, schema

group = AppGroup("demo", help="Demonstration data.")


@group.command("load")
@click.option("--reset", is_flag=True, help="Empty the database first (demo databases only).")
def load(reset: bool) -> None:
    """Load the demo (once) and print the demo users' sign-ins."""
    url = current_app.config["DATABASE_URL"]
    if reset:
        schema.downgrade(url, "base")
    schema.upgrade(url)
    with unit_of_work("demo load") as session:
        if demo.is_loaded(session):
            click.echo("The demo is loaded already (use --reset to start again).")
        else:
            with click.progressbar(length=1, label="Loading the demo") as bar:
                demo.load_demo(session)
                bar.update(1)
    click.echo("\nDemo sign-ins (password after the e-mail):")
    for user in demo.DEMO_USERS:
        scope = f" [{user.scope}]" if user.scope else ""
        click.echo(f"  {user.role:15} {user.email:32} {user.password}{scope}")
