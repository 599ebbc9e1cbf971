"""The transfer guidance catalogue in the fund and regional reports: the data (which edition, how
many projects carry each flag, each project's flag, two-high mark and entry) and its blocks
(a count table and a table of the projects, each row filled with its flag's colour beside the
flag's words). Deterministic: projects by code, flags in their fixed order."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.codes import ScreeningFlag
from app.models import Project
from app.services import screening
from app.services.reporting.builders.common import coded
from reports import Column, Heading, Paragraph, Table

FILLS = {
    ScreeningFlag.PRIORITY.value: "#d9f0e0", ScreeningFlag.ADJUST_EXIT.value: "#fff0c2",
    ScreeningFlag.NO_LONGER.value: "#f9d3ce", ScreeningFlag.REVIEW.value: "#e0e6fa",
}
"""Row colours of the flags (NONE keeps the table's stripes): green, amber, red, blue."""


def collect(session: Session, project_ids: Iterable[int]) -> dict:
    """The catalogue part of a report's data for these projects (read in a fixed number of
    queries): the current edition, the count per flag and, by project code, each project's
    name, flag, two-high mark and the entry behind its flag."""
    ids = sorted(set(project_ids))
    edition, results = screening.current_flags(session, ids)
    projects = {}
    for start in range(0, len(ids), 500):  # plain rows: a province takes on thousands
        for project_id, code, name, two_high in session.execute(
                select(Project.id, Project.code, Project.name, Project.is_two_high)
                .where(Project.id.in_(ids[start:start + 500]))):
            result = results.get(project_id)
            entry = result.entry if result is not None else None
            projects[code] = {
                "name": name,
                "flag": (result.flag if result is not None else ScreeningFlag.NONE).value,
                "two_high": two_high,
                "entry": f"{entry.region.name} · {entry.heading}：{entry.text}" if entry else "",
            }
    counts = screening.counts(ScreeningFlag(p["flag"]) for p in projects.values())
    return {"edition": edition.name if edition else None,
            "sample": bool(edition and edition.is_sample),
            "counts": {flag.value: number for flag, number in counts.items()},
            "projects": dict(sorted(projects.items()))}


def blocks(data: dict, whose_zh: str, whose_en: str) -> list:
    """The section: heading, which edition, the count table and the projects' table; nothing
    when there is no project to screen (a region that takes none on keeps a one-page report)."""
    if not data["projects"]:
        return []
    if data["edition"] is None:
        edition = "尚未导入目录版本 / No catalogue edition has been imported."
    else:
        sample = "（示例 / sample）" if data["sample"] else ""
        edition = f"目录版本 / Edition: {data['edition']}{sample}"
    counts = Table(
        (Column("目录标识", "Catalogue flag", "left", 2.4),
         Column("项目数", "Projects", "right", 1.0)),
        tuple((coded(ScreeningFlag, flag), str(number))
              for flag, number in data["counts"].items()),
        total_row=("合计 / Total", str(sum(data["counts"].values()))),
        row_fills=tuple((i, FILLS[flag]) for i, flag in enumerate(data["counts"])
                        if flag in FILLS))
    rows = list(data["projects"].items())
    projects = Table(
        (Column("项目", "Project", "left", 2.2), Column("目录标识", "Catalogue flag", "left", 2.3),
         Column("两高", "Two-high", "left", 0.7), Column("目录条目", "Entry", "left", 2.9)),
        tuple((f"{code} {p['name']}", coded(ScreeningFlag, p["flag"]),
               "是 / yes" if p["two_high"] else "—", p["entry"] or "—") for code, p in rows),
        row_fills=tuple((i, FILLS[p["flag"]]) for i, (_code, p) in enumerate(rows)
                        if p["flag"] in FILLS))
    return [Heading("产业转移指导目录", "Transfer guidance catalogue"),
            Paragraph(f"{edition}。{whose_zh}按承接地（所在地级市，其次所在省）及行业代码对照目录；"
                      f"“待人工判定”表示条目有除外情形，需由人工判定。 / {whose_en} are screened "
                      "against the edition by destination (its prefecture, then its province) "
                      "and industry code; \"To be reviewed\" marks an entry with exceptions, for a "
                      "person to decide."),
            counts, projects]
