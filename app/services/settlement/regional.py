"""What a region's settlements stand at, per fiscal year (the regional report's section
"settled and outstanding"). Amounts in 元, exact to the fen, signed from the region's side:
positive what is owed to the region, negative what the region owes.

For each agreement with a party in the region and each fiscal year up to ``through_year`` with a
confirmed run, every pair of the newest **confirmed** version's net with exactly one side in the
region (a pair with both sides in it, say two cities of a province, owes the region nothing):

* **due**: the pair's net (carried differences of earlier years included, as booked);
* **booked**: the sum of the year's notices of the pair;
* **outstanding**: what the open difference leaves (due − booked), zero once booked in full or
  once an auditor resolved the difference.

So per pair, due − booked − outstanding is what an auditor resolved without a booking of that
year; the year's totals are the sums of its pairs."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.codes import SettlementState
from app.domain.regions import is_within, subtree_prefix
from app.models import Agreement, AgreementParty, Region, SettlementRun
from app.services.settlement.notices import differences_of, notices_of
from app.services.settlement.runs import content_of

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PairStanding:
    """One pair of one agreement's fiscal year, signed from the region's side (元)."""

    fiscal_year: int
    agreement: str
    title: str
    version: int
    payer: str
    payee: str
    receives: bool
    due: Decimal
    booked: Decimal
    outstanding: Decimal


def _agreements(session: Session, region_code: str) -> list[Agreement]:
    """The agreements with a party in the region (or the region itself), by code; in one
    query (a region's codes share its subtree prefix)."""
    parties = select(AgreementParty.agreement_id).join(
        Region, Region.id == AgreementParty.region_id).where(
        Region.code.like(subtree_prefix(region_code) + "%"))
    found = session.scalars(select(Agreement).where(Agreement.id.in_(parties))).all()
    return sorted(found, key=lambda a: a.code)


def _confirmed(session: Session, agreement_ids: list[int], through_year: int
               ) -> dict[int, dict[int, SettlementRun]]:
    """Per agreement, the newest confirmed version of each fiscal year up to
    ``through_year``, in one query."""
    newest: dict[int, dict[int, SettlementRun]] = defaultdict(dict)
    if not agreement_ids:
        return newest
    for run in session.scalars(select(SettlementRun).where(
            SettlementRun.agreement_id.in_(agreement_ids),
            SettlementRun.state == SettlementState.CONFIRMED,
            SettlementRun.fiscal_year <= through_year)
            .order_by(SettlementRun.agreement_id, SettlementRun.number)):
        newest[run.agreement_id][run.fiscal_year] = run
    return newest


def standings(session: Session, region_code: str, through_year: int) -> list[PairStanding]:
    """Every pair's standing, by year, agreement, payer and payee."""
    out = []
    agreements = _agreements(session, region_code)
    runs = _confirmed(session, [a.id for a in agreements], through_year)
    for agreement in agreements:
        confirmed = runs.get(agreement.id)
        if not confirmed:
            continue
        booked: dict[tuple[int, str, str], Decimal] = {}
        for notice in notices_of(session, agreement.id):
            key = (notice.fiscal_year, notice.payer.code, notice.payee.code)
            booked[key] = booked.get(key, ZERO) + notice.amount
        resolved = {(d.fiscal_year, d.payer.code, d.payee.code)
                    for d in differences_of(session, agreement.id) if not d.is_open}
        for year, run in sorted(confirmed.items()):
            for pair in content_of(run)["net"]:
                payer, payee = pair["payer"], pair["payee"]
                pays, receives = is_within(payer, region_code), is_within(payee, region_code)
                if pays == receives:
                    continue
                key = (year, payer, payee)
                due, paid = Decimal(pair["amount"]), booked.get(key, ZERO)
                left = ZERO if key in resolved else due - paid
                sign = 1 if receives else -1
                out.append(PairStanding(year, agreement.code, agreement.title, run.number, payer,
                                        payee, receives, sign * due, sign * paid, sign * left))
    return out
