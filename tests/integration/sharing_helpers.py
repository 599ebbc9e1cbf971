"""Helpers of the sharing tests: the worked examples of sharing.md built through the services,
bureau users, statements and the quarterly sign-off."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import select

from app.domain.codes import CapScope, PartyRole, Role, SharingMode
from app.domain.quarter import Quarter
from app.models import AgreementQuarter
from app.services.access.scopes import SYSTEM
from app.services.sharing import agreements, workflow
from app.services.sharing.statements import Statement, compute_statement
from tests.factories import EXAMPLES, actor_of, make_project, make_user
from tests.integration.sharing_factories import (
    DESTINATION,
    SOURCE,
    half_and_half,
    make_agreement,
    observe,
)

THIRD = "441400"  # 梅州市, the third party of the three-party example
INDICATOR = "TAX_LOCAL"  # quantum 0.01, the quantum of every public example
REGION_OF = {"D": DESTINATION, "S": SOURCE, "P1": DESTINATION, "P2": SOURCE, "P3": THIRD}
ROLE_OF = {DESTINATION: PartyRole.DESTINATION, SOURCE: PartyRole.SOURCE, THIRD: PartyRole.OTHER}


def example_cases() -> list[dict]:
    """The machine-readable worked examples (tests/examples/sharing.json)."""
    return json.loads((EXAMPLES / "sharing.json").read_text(encoding="utf-8"))["cases"]


def example_case(name: str) -> dict:
    """One worked example by name."""
    return next(c for c in example_cases() if c["name"] == name)


def example_rule(case: dict) -> agreements.RuleData:
    """The example's rule as a bureau enters it, party names mapped to region codes."""
    assert Decimal(case["quantum"]) == Decimal("0.01"), "the examples use TAX_LOCAL's quantum"
    return agreements.RuleData(
        indicator=INDICATOR, mode=SharingMode(case["mode"]),
        tiers=[agreements.TierData(Quarter.parse(t["first"]),
                                   Quarter.parse(t["last"]) if t["last"] else None,
                                   {REGION_OF[p]: Decimal(w) for p, w in t["weights"].items()})
               for t in case["tiers"]],
        baseline=Decimal(case["baseline"]) if case["baseline"] is not None else None,
        baseline_owner=REGION_OF[case["baseline_owner"]] if case["baseline_owner"] else "",
        caps=[agreements.CapData(REGION_OF[c["party"]], Decimal(c["amount"]), CapScope(c["scope"]))
              for c in case["caps"]])


def example_agreement(db, case: dict, code: str, project_codes: list[str]):
    """A signed agreement reproducing ``case``: its parties in the example's priority order and
    default party, its rule, and ``project_codes`` covered, each observed as in the example."""
    regions = [REGION_OF[p] for p in case["parties"]]
    agreement = agreements.create_agreement(db, SYSTEM, agreements.AgreementData(
        code=code, title=f"示例 {case['name']}",
        parties=[agreements.PartyData(r, ROLE_OF[r], priority=rank)
                 for rank, r in enumerate(regions, start=1)],
        default_party=REGION_OF[case["default_party"]]))
    for project_code in project_codes:
        make_project(db, project_code)
    agreements.set_covered_projects(db, SYSTEM, agreement.id, project_codes)
    agreements.set_rule(db, SYSTEM, agreement.id, example_rule(case))
    agreements.activate(db, SYSTEM, agreement.id, agreement.version)
    for quarter, value in case["observations"].items():
        observe(db, quarter, {(p, INDICATOR): value for p in project_codes})
    return agreement


def statement_of(db, agreement_id: int, quarter: str) -> Statement:
    """The statement of ``quarter`` recomputed from today's observations."""
    agreement = agreements.get_agreement(db, SYSTEM, agreement_id)
    return compute_statement(db, agreement, Quarter.parse(quarter))


def row_of(statement: Statement, project_code: str, indicator: str = INDICATOR):
    """The statement row of one covered project and indicator."""
    return next(r for r in statement.rows
                if r.project_code == project_code and r.indicator == indicator)


def total_of(statement: Statement, indicator: str = INDICATOR):
    """The statement's total row of one indicator."""
    return next(t for t in statement.totals if t.indicator == indicator)


def bureau(db, region: str):
    """A finance bureau user of ``region`` and their actor."""
    user = make_user(db, Role.FINANCE_BUREAU, region)
    return user, actor_of(db, user)


def user_and_actor(db, role: Role, scope: str | None = None):
    """A user with one role and their actor."""
    user = make_user(db, role, scope)
    return user, actor_of(db, user)


def close_quarter(db, agreement_id: int, quarter: str, submitter, source_confirmer=None,
                  destination_confirmer=None):
    """Submit ``quarter`` and have both parties confirm it (the source first); return the
    workflow record, CLOSED."""
    q = Quarter.parse(quarter)
    aq = workflow.submit(db, submitter, agreement_id, q)
    fingerprint = aq.fingerprint
    workflow.confirm(db, source_confirmer or submitter, agreement_id, q, SOURCE, fingerprint)
    return workflow.confirm(db, destination_confirmer or submitter, agreement_id, q, DESTINATION,
                            fingerprint)


class Setting:
    """An agreement WF 1:1 from 2026Q1 over WF-1 and WF-2 with 2026Q1 observed (100.01 and
    7.00), and finance bureau users: destination, source and the province above both."""

    def __init__(self, db):
        make_project(db, "WF-1")
        make_project(db, "WF-2")
        self.agreement = make_agreement(db, "WF", ["WF-1", "WF-2"],
                                        [half_and_half(first="2026Q1")])
        self.id = self.agreement.id
        self.dest_user, self.dest = bureau(db, DESTINATION)
        self.src_user, self.src = bureau(db, SOURCE)
        self.province_user, self.province = bureau(db, "440000")  # 广东省: covers both
        observe(db, "2026Q1", {("WF-1", INDICATOR): "100.01", ("WF-2", INDICATOR): "7.00"})

    def state(self, db, quarter: Quarter | None = None):
        """The quarter's workflow record as stored now (None before its first use); 2026Q1
        unless another quarter is named."""
        quarter = quarter or Quarter(2026, 1)
        db.expire_all()
        return db.scalar(select(AgreementQuarter).where(
            AgreementQuarter.agreement_id == self.id, AgreementQuarter.quarter == quarter))

    def close(self, db, quarter: str):
        """The destination submits ``quarter``; the source, then the destination confirm."""
        return close_quarter(db, self.id, quarter, self.dest, self.src, self.dest)
