"""Helpers of the settlement tests: the worked example of settlement.md (tests/examples/
settlement.json) built through the services, quarters closed by both bureaus."""

from __future__ import annotations

import json
from decimal import Decimal

from app.domain.quarter import Quarter
from app.services.access.scopes import SYSTEM
from app.services.settlement import notices, runs
from tests.factories import EXAMPLES, make_project
from tests.integration.sharing_factories import (
    DESTINATION,
    SOURCE,
    half_and_half,
    make_agreement,
    observe,
)
from tests.integration.sharing_helpers import bureau, close_quarter

WAN = Decimal(10000)
TAX = "TAX_LOCAL"


def example() -> dict:
    """The worked example (amounts in 万元)."""
    return json.loads((EXAMPLES / "settlement.json").read_text(encoding="utf-8"))


def yuan(wan: str) -> Decimal:
    """万元 text as yuan, at the fen."""
    return (Decimal(wan) * WAN).quantize(Decimal("0.01"))


class Example:
    """One project, a 1:1 split of local retained tax capped for the source at the example's
    cap, each window year's tax observed in four equal quarters; also 2021's output value
    (which never settles). ``years`` of them are closed by both bureaus."""

    def __init__(self, db, code: str = "SE", years: int = 5):
        self.data = example()
        self.first = self.data["first_year"]
        self.project = f"{code}-1"
        make_project(db, self.project)
        self.agreement = make_agreement(db, code, [self.project], [
            half_and_half(first=f"{self.first}Q1", caps=[(yuan(self.data["cap"]), "AGREEMENT")]),
            half_and_half(indicator="OUTPUT_VALUE", first=f"{self.first}Q1")])
        self.id = self.agreement.id
        self.dest_user, self.dest = bureau(db, DESTINATION)
        self.src_user, self.src = bureau(db, SOURCE)
        for n, year in enumerate(self.data["years"]):
            quarterly = yuan(year["local_tax"]) / 4
            for q in range(1, 5):
                observe(db, f"{self.first + n}Q{q}", {(self.project, TAX): str(quarterly),
                                                      (self.project, "OUTPUT_VALUE"): "1000.00"})
        for n in range(years):
            self.close_year(db, self.first + n)

    def close_year(self, db, year: int, quarters=(1, 2, 3, 4)):
        for q in quarters:
            close_quarter(db, self.id, f"{year}Q{q}", self.dest, self.src, self.dest)

    def compute(self, db, year: int, actor=SYSTEM):
        agreement = runs.agreement_by_code(db, actor, self.agreement.code)
        return runs.compute(db, actor, agreement, year)

    def confirm(self, db, run):
        runs.confirm(db, self.src, run.id, SOURCE, run.fingerprint)
        return runs.confirm(db, self.dest, run.id, DESTINATION, run.fingerprint)

    def notice(self, db, year: int, amount, number="财预结〔2022〕1号", reason="",
               payer=DESTINATION, payee=SOURCE, level="CENTRAL", actor=None):
        return notices.record_notice(db, actor or self.dest, self.id, year, notices.NoticeData(
            level, number, f"{year + 1}-05-20", payer, payee, str(amount), reason))


def quarter(text: str) -> Quarter:
    return Quarter.parse(text)
