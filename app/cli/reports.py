"""``flask report fund|statement|region|zone CODE QUARTER -o FILE [--issue]`` and
``report verify FILE``: the web's very reports; without ``--issue`` a draft, with it the issued
version's bytes."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.cli.common import fail, unit_of_work
from app.domain.quarter import Quarter, QuarterError
from app.models import User
from app.services.access.scopes import SYSTEM, actor_for
from app.services.reporting import issuing

group = AppGroup("report", help="Quarterly PDF reports: generate, issue, verify.")


def _issuer(session, email: str):
    """The actor of the active user ``email`` who issues the report (``--by``), with their own
    scope: the issue is refused unless that person may issue this report."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        fail(f"--by: {email} is not an active user")
    return actor_for(user)


def _generate(kind: str, code: str, quarter_text: str, output: str, do_issue: bool,
              by: str | None) -> None:
    """Write the report to ``output`` (nothing is written, nor issued, when anything fails)."""
    if do_issue and not by:
        fail("--issue needs --by EMAIL: an issued report names the person who issues it")
    if kind == "settlement" and quarter_text.strip().isdigit():
        quarter_text = f"{quarter_text.strip()}Q4"  # a schedule is filed under its year's Q4
    try:
        quarter = Quarter.parse(quarter_text)
    except QuarterError as exc:
        fail(str(exc))
    target = Path(output)
    if not target.parent.is_dir():
        fail(f"{target.parent} is not a folder")
    handle, temporary = tempfile.mkstemp(prefix=".report-", suffix=".pdf", dir=target.parent)
    os.close(handle)
    try:
        zone = current_app.config["TIME_ZONE"]
        with unit_of_work(f"report {kind}") as session:
            if do_issue:
                report = issuing.issue(session, _issuer(session, by), kind, code, quarter,
                                       time_zone=zone)
                pdf, said = report.content.pdf, f"Issued {issuing.describe(report)}"
            else:
                rendered = issuing.draft(session, SYSTEM, kind, code, quarter, time_zone=zone)
                pdf, said = rendered.pdf, f"Draft (not issued), fingerprint {rendered.fingerprint}"
            Path(temporary).write_bytes(pdf)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    click.echo(f"{said}: {len(pdf):,} bytes written to {target}")


def _report_command(kind: str, argument: str, help_text: str):
    @click.argument("code", metavar=argument)
    @click.argument("quarter")
    @click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
                  help="The PDF file to write.")
    @click.option("--issue", "do_issue", is_flag=True,
                  help="Also issue it: store it, fingerprinted and versioned, in the list.")
    @click.option("--by", "by", metavar="EMAIL",
                  help="With --issue (required): the user who issues it, named in the PDF; "
                       "they must be allowed to issue this report.")
    def command(code: str, quarter: str, output: str, do_issue: bool, by: str | None) -> None:
        _generate(kind, code, quarter, output, do_issue, by)

    command.__doc__ = help_text
    return group.command(kind)(command)


fund = _report_command("fund", "CODE", "Write fund CODE's quarterly report for QUARTER (2026Q3).")
statement = _report_command("statement", "AGREEMENT",
                            "Write the sharing statement of AGREEMENT (its code) for QUARTER.")
region = _report_command("region", "CODE", "Write region CODE's quarterly report for QUARTER.")
settlement = _report_command("settlement", "AGREEMENT",
                             "Write the settlement schedule of AGREEMENT for a fiscal year (2024, "
                             "or its fourth quarter 2024Q4).")
zone = _report_command("zone", "PARK", "Write national demonstration zone PARK's annual summary "
                       "of a year, given as its fourth quarter (2026Q4).")


@group.command("verify")
@click.argument("file", type=click.Path(dir_okay=False))
def verify(file: str) -> None:
    """Is FILE an issued report, unchanged, and is its data unchanged since? Exit 0 only then."""
    try:
        pdf = Path(file).read_bytes()
    except OSError as exc:
        fail(f"cannot read {file}: {exc}")
    with unit_of_work("report verify") as session:
        result = issuing.verify(session, pdf)
        lines = result.sentences
    for line in lines:
        click.echo(line)
    sys.exit(0 if result.is_valid else 1)
