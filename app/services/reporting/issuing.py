"""Quarterly PDF reports: draft downloads, issuing (stored, versioned, never changed), the list of
issued reports in the user's scope, fetching one, restatements and ``verify`` of a PDF file.

Decisions: a draft download is open to whoever may read the subject and says "not issued —
draft"; a statement of an open quarter is downloadable as a draft, never issued; the command line
issues as the operator (full scope); a fund or regional report is issued only after its quarter
has ended. The data fingerprint covers the figures the report shows, not the issue details or
the restatement section (so a draft and an issued copy of the same data share it)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass

from sqlalchemy import or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.domain.messages import N_
from app.domain.quarter import Quarter
from app.models import Agreement, Fund, IssuedReport, IssuedReportContent, Region, User
from app.models.base import utcnow
from app.services.access.scopes import SYSTEM, Actor, fund_filter, within_regions
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.lists.keyset import (
    DEFAULT_PAGE_SIZE,
    KeysetPage,
    ListSpec,
    SortKey,
    paginate,
    where_given,
)
from app.services.notifications import events
from app.services.reporting.builders import BUILDERS, KIND_LABELS
from app.services.reporting.builders.common import (
    DEFAULT_TIME_ZONE,
    Change,
    IssueInfo,
    Subject,
    diff,
)
from app.services.sharing.agreements import agreement_filter
from reports import fingerprint_of, read_fingerprint, render

_PAGE = re.compile(rb"/Type\s*/Page[^s]")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Rendered:
    """A report rendered now: its bytes, a file name, its data and that data's fingerprint."""

    pdf: bytes
    filename: str
    data: dict
    fingerprint: str
    subject: Subject


def _builder(kind: str):
    """The builder module of a report kind (NotFound for an unknown kind)."""
    builder = BUILDERS.get(kind)
    if builder is None:
        raise NotFound(f"report kind {kind}")
    return builder


def filename(kind: str, code: str, quarter: Quarter, version: int | None) -> str:
    """``fund-F-1-2026Q3-v2.pdf`` (or ``…-draft.pdf``), safe in a header and on any disk."""
    tail = f"v{version}" if version else "draft"
    return f"{kind}-{_UNSAFE.sub('_', code)}-{quarter}-{tail}.pdf"


def draft(session: Session, actor: Actor, kind: str, code: str, quarter: Quarter, *,
          time_zone: str = DEFAULT_TIME_ZONE) -> Rendered:
    """The report rendered from today's data, marked as a draft (NotFound out of scope); moments
    printed in ``time_zone`` (the ``TIME_ZONE`` setting)."""
    builder = _builder(kind)
    subject = builder.subject(session, actor, code)
    data = builder.collect(session, subject, quarter)
    document = builder.build(data, IssueInfo(time_zone=time_zone))
    return Rendered(render(document), filename(kind, subject.code, quarter, None), data,
                    document.fingerprint, subject)


def latest(session: Session, kind: str, code: str, quarter: Quarter) -> IssuedReport | None:
    """The newest issued version of a report, or None."""
    return session.scalars(
        select(IssuedReport).where(IssuedReport.kind == kind, IssuedReport.subject_code == code,
                                   IssuedReport.quarter == quarter)
        .order_by(IssuedReport.version.desc()).limit(1)).first()


def not_ended(kind: str, quarter: Quarter, today: dt.date) -> bool:
    """Whether a fund or regional report of ``quarter`` is still too early to issue on ``today``
    (it is issued once its quarter has ended; a statement once its quarter is closed, which its
    builder's ``check_issuer`` asks)."""
    return kind != "statement" and quarter.last_day >= today


def _stored_data(report: IssuedReport) -> dict:
    """The data an issued report showed, as stored with it."""
    return json.loads(report.content.data_json)


@dataclass(frozen=True)
class NextIssue:
    """What issuing a report now would make: its subject, the version it would get and the
    version it would follow (None for the first)."""

    kind: str
    subject: Subject
    quarter: Quarter
    version: int
    previous_version: int | None
    data: dict
    fingerprint: str
    previous: IssuedReport | None


def next_issue(session: Session, actor: Actor, kind: str, code: str,
               quarter: Quarter) -> NextIssue:
    """The version issuing would make now, with every check ``issue`` makes (NotFound when the
    actor may not issue it; ValidationFailed too early or when nothing changed), storing
    nothing: what a confirmation page shows before the report is issued for good."""
    builder = _builder(kind)
    subject = builder.subject(session, actor, code)
    builder.check_issuer(session, actor, subject, quarter)
    if not_ended(kind, quarter, utcnow().date()):
        raise ValidationFailed(quarter=N_("%(quarter)s has not ended yet: its report is issued "
                                          "after the quarter (download a draft meanwhile)",
                                          quarter=quarter))
    data = builder.collect(session, subject, quarter)
    fingerprint = fingerprint_of(data)
    previous = latest(session, kind, subject.code, quarter)
    if previous is not None and previous.fingerprint == fingerprint:
        raise ValidationFailed(report=N_(
            "nothing changed since version %(version)s (issued %(day)s): it stands as issued, "
            "so no new version was made", version=previous.version,
            day=f"{previous.issued_at:%Y-%m-%d}"))
    return NextIssue(kind, subject, quarter, previous.version + 1 if previous else 1,
                     previous.version if previous else None, data, fingerprint, previous)


def issue(session: Session, actor: Actor, kind: str, code: str, quarter: Quarter, *,
          time_zone: str = DEFAULT_TIME_ZONE) -> IssuedReport:
    """Render and store the next version of a report with its SHA-256, fingerprint and data; a
    later version lists what changed since the previous one. ValidationFailed when nothing
    changed, NotFound when the actor may not issue it. The PDF names the issuer (the user's
    name and e-mail) and prints the moment of issue in ``time_zone``."""
    builder = _builder(kind)
    upcoming = next_issue(session, actor, kind, code, quarter)
    subject, data, fingerprint = upcoming.subject, upcoming.data, upcoming.fingerprint
    previous, version = upcoming.previous, upcoming.version
    issued_at = utcnow()
    changes = diff(_stored_data(previous), data, builder.SECTIONS) if previous else ()
    info = IssueInfo(version, issued_at, issuer_name(session, actor),
                     previous.version if previous else None, changes, fingerprint, time_zone)
    pdf = render(builder.build(data, info))
    report = IssuedReport(
        kind=kind, subject_code=subject.code, subject_name=subject.name, quarter=quarter,
        version=version, fund_id=subject.fund_id, agreement_id=subject.agreement_id,
        region_id=subject.region_id, sha256=hashlib.sha256(pdf).hexdigest(),
        fingerprint=fingerprint, size=len(pdf), pages=len(_PAGE.findall(pdf)),
        changes=len(changes), issued_by_id=actor.user_id, issued_by=actor.label,
        issued_at=issued_at)
    report.content = IssuedReportContent(
        pdf=pdf, data_json=json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    session.add(report)
    try:
        session.flush()
    except IntegrityError as exc:  # the same version issued by someone else at the same moment
        raise Conflict(N_("version %(version)s was issued by someone else at the same moment; "
                          "nothing was stored: reload and check it", version=version)) from exc
    events.report_issued(session, report, _concerned_regions(session, report))
    return report


def _concerned_regions(session: Session, report: IssuedReport) -> list[str]:
    """The regions whose bureaus a report concerns: a statement's parties, a regional report's
    region (a fund report concerns the fund's managers, not a region)."""
    if report.agreement_id is not None:
        agreement = session.get(Agreement, report.agreement_id)
        return [p.region.code for p in agreement.parties]
    if report.region_id is not None:
        return [session.get(Region, report.region_id).code]
    return []


def issuer_name(session: Session, actor: Actor) -> str:
    """How the PDF names who issued it: "张敏 <bureau.shenzhen@…>" for a user, else the label."""
    if actor.user_id is None:
        return actor.label
    user = session.get(User, actor.user_id)
    return f"{user.name} <{user.email}>" if user is not None else actor.label


def operator(label: str) -> Actor:
    """The actor of a command run on the server (full scope), named for the issued-by line."""
    return dataclasses.replace(SYSTEM, label=label)


def _scope(actor: Actor):
    """SQL: the issued reports whose subject the actor may read."""
    if actor.sees_everything:
        return true()
    region = select(Region.id).where(within_regions(Region.code, actor.read_regions))
    return or_(IssuedReport.fund_id.in_(select(Fund.id).where(fund_filter(actor))),
               IssuedReport.agreement_id.in_(select(Agreement.id).where(agreement_filter(actor))),
               IssuedReport.region_id.in_(region))


def issued_page(session: Session, actor: Actor, *, kind: str | None = None,
                code: str | None = None, cursor: str | None = None,
                per_page: int = DEFAULT_PAGE_SIZE) -> KeysetPage:
    """A page of the issued reports in the actor's scope, newest first (keyset on the id, the
    lists' opaque cursors); optionally of one kind and subject code."""
    query = where_given(select(IssuedReport).where(_scope(actor)),
                        IssuedReport.kind == kind if kind else None,
                        IssuedReport.subject_code == code if code else None)
    spec = ListSpec(query, {"issued": SortKey((IssuedReport.id,))}, "-issued")
    return paginate(session, spec, cursor=cursor, per_page=per_page)


def fetch(session: Session, actor: Actor, report_id: int) -> tuple[IssuedReport, bytes]:
    """An issued report and its stored bytes, exactly as issued (NotFound out of scope)."""
    report = session.scalars(
        select(IssuedReport).where(IssuedReport.id == report_id, _scope(actor))
        .options(selectinload(IssuedReport.content))).first()
    if report is None:
        raise NotFound(f"issued report {report_id}")
    return report, report.content.pdf


def restatements(session: Session, actor: Actor, report_id: int) -> tuple[Change, ...]:
    """What an issued version restated against the one before it (empty for version 1)."""
    report, _pdf = fetch(session, actor, report_id)
    if report.version == 1:
        return ()
    previous = session.scalar(select(IssuedReport).where(
        IssuedReport.kind == report.kind, IssuedReport.subject_code == report.subject_code,
        IssuedReport.quarter == report.quarter, IssuedReport.version == report.version - 1))
    return diff(_stored_data(previous), _stored_data(report), BUILDERS[report.kind].SECTIONS)


def describe(report: IssuedReport) -> str:
    """"基金季度报告 / Fund report F-1 2026Q3, version 2, issued 2026-10-08 09:12 UTC by …"."""
    return (f"{KIND_LABELS[report.kind]} {report.subject_code} {report.quarter}, version "
            f"{report.version}, issued {report.issued_at:%Y-%m-%d %H:%M} UTC by {report.issued_by}")


@dataclass(frozen=True)
class VerifyReport:
    """What ``verify`` found about a PDF file."""

    sha256: str
    fingerprint: str | None
    report: IssuedReport | None
    is_unchanged_copy: bool
    is_data_changed: bool | None
    changes: tuple[Change, ...]
    newest_version: int | None

    @property
    def is_valid(self) -> bool:
        """An issued report, byte for byte, whose data has not changed since."""
        return self.is_unchanged_copy and self.is_data_changed is False

    @property
    def sentences(self) -> list[str]:
        """The verdict in plain sentences, most important first."""
        if self.report is None:
            tail = "" if self.fingerprint else ", and it carries no report fingerprint"
            return [f"Not an issued report: no issued report has this SHA-256 or data "
                    f"fingerprint{tail}."]
        said = [f"Unchanged: this file is {describe(self.report)} (SHA-256 matches)."
                if self.is_unchanged_copy else
                f"Not the issued file: its bytes differ from every issued report, but its data "
                f"fingerprint matches {describe(self.report)} (a draft of the same data, or an "
                "altered copy)."]
        if self.is_data_changed:
            said.append(f"The data behind it has changed since it was issued: "
                        f"{len(self.changes)} figure(s) differ today.")
            said += [f"  {c.path}: {c.old} → {c.new}" for c in self.changes]
        elif self.is_data_changed is False:
            said.append("The data behind it is unchanged since it was issued.")
        if self.newest_version and self.newest_version > self.report.version:
            said.append(f"A later version exists: version {self.newest_version}.")
        return said


def verify(session: Session, pdf: bytes) -> VerifyReport:
    """Is ``pdf`` an issued report unchanged (SHA-256), or one whose data fingerprint matches an
    issued report; and has the data behind it changed since (rebuilt and compared)?"""
    sha = hashlib.sha256(pdf).hexdigest()
    fingerprint = read_fingerprint(pdf)
    report = session.scalars(select(IssuedReport).where(IssuedReport.sha256 == sha)
                             .order_by(IssuedReport.id).limit(1)).first()
    exact = report is not None
    if report is None and fingerprint:
        report = session.scalars(select(IssuedReport).where(
            IssuedReport.fingerprint == fingerprint).order_by(IssuedReport.id.desc())
            .limit(1)).first()
    if report is None:
        return VerifyReport(sha, fingerprint, None, False, None, (), None)
    builder = BUILDERS[report.kind]
    try:
        subject = builder.subject(session, SYSTEM, report.subject_code)
        data = builder.collect(session, subject, report.quarter)
    except NotFound:
        data = {}
    changes = diff(_stored_data(report), data, builder.SECTIONS)
    newest = latest(session, report.kind, report.subject_code, report.quarter)
    return VerifyReport(sha, fingerprint, report, exact, fingerprint_of(data) != report.fingerprint,
                        changes, newest.version if newest else None)
