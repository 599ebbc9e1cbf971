"""``flask demo load [--scale demo|province|nation] [--seed N] [--reset]``."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from app.cli.common import unit_of_work
from app.demo import funds as demo
from app.demo import nation as demo_nation
from app.demo import province as demo_province
from app.services.operations import schema

group = AppGroup("demo", help="Demonstration data.")

_SCALES = {"province": (demo_province, demo_province.PROVINCE, "the province-scale demo"),
           "nation": (demo_nation, demo_nation.NATION, "the nation-scale demo")}


@group.command("load")
@click.option("--reset", is_flag=True, help="Empty the database first (demo databases only).")
@click.option("--scale", type=click.Choice(["demo", "province", "nation"]), default="demo",
              show_default=True,
              help="demo: a few funds and projects; province: ~50 funds, ~2,000 projects, "
                   "~40 agreements, ~400,000 observations; nation (PostgreSQL only): ~1,600 "
                   "funds, 30,000 projects, 600 agreements, ~6,000,000 observations.")
@click.option("--seed", type=int, default=2026, show_default=True,
              help="Seed of the generator: the same seed gives the same data.")
def load(reset: bool, scale: str, seed: int) -> None:
    """Load the demo (once) and print the demo users' sign-ins."""
    url = current_app.config["DATABASE_URL"]
    if scale == "nation" and not url.startswith("postgresql"):
        raise click.ClickException(
            "the nation-scale demo needs PostgreSQL (it streams its rows with COPY): set "
            "DATABASE_URL to a postgresql+psycopg:// database; nothing was changed")
    if reset:
        schema.downgrade(url, "base")
    schema.upgrade(url)
    sign_ins = demo.DEMO_USERS if scale == "demo" else demo_province.PROVINCE_USERS
    with unit_of_work("demo load") as session:
        if demo.is_loaded(session):
            click.echo("The demo is loaded already (use --reset to start again).")
            province = demo_province.is_loaded(session) or demo_nation.is_loaded(session)
            sign_ins = demo_province.PROVINCE_USERS if province else demo.DEMO_USERS
        elif scale == "demo":
            with click.progressbar(length=1, label="Loading the demo") as bar:
                demo.load_demo(session, seed=seed)
                bar.update(1)
        else:
            module, size, label = _SCALES[scale]
            started = time.perf_counter()
            with click.progressbar(length=module.steps(size),
                                   label=f"Loading {label}") as bar:
                load_scale = (demo_province.load_province if scale == "province"
                              else demo_nation.load_nation)
                counts = load_scale(session, seed=seed, size=size, progress=bar.update)
            click.echo(f"Written in {time.perf_counter() - started:.0f} s (committing): "
                       + ", ".join(f"{n:,} {table}" for table, n in counts.items()))
    if scale != "demo":
        schema.analyze(url)  # planner statistics for the freshly loaded tables
    click.echo("\nDemo sign-ins (password after the e-mail):")
    for user in sign_ins:
        scope = f" [{user.scope}]" if user.scope else ""
        click.echo(f"  {user.role:15} {user.email:32} {user.password}{scope}")
    if scale == "nation":
        click.echo("  and a bureau for each destination: bureau.<region code>@nation.example "
                   "(demo-bureau-2026)")
