"""The parks part of the demo: a national demonstration zone hosted in Hefei (after the real
皖江城市带 zone; its dates and area here are the demo's own) with four Hefei projects, one of
which joins in the open quarter, a co-built park of Shenzhen and Heyuan with two projects, and a
signed agreement that covers the zone as a whole (output value 70:30 from 2025Q1)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.codes import ParkType, PartnerRole, PartyRole, SharingMode
from app.domain.quarter import Quarter, quarters_between
from app.models import Project
from app.services.access.scopes import SYSTEM
from app.services.parks import membership, register
from app.services.sharing import agreements, coverage, observations

HEFEI, WUHU, SHANGHAI, HEYUAN, SHENZHEN = "340100", "340200", "310000", "441600", "440300"
ZONE, CO_BUILT = "WJ-ZONE", "SZHY-PARK"


def load_parks_demo(session: Session, rng: random.Random, open_quarter: Quarter) -> None:
    """Create the demo parks, their members and the agreement covering the zone."""
    register.create_park(session, SYSTEM, register.ParkData(
        code=ZONE, name="皖江城市带承接产业转移示范区（演示）", park_type=ParkType.NATIONAL_ZONE,
        host_region=HEFEI, cycle_start=dt.date(2024, 1, 1), cycle_end=dt.date(2028, 12, 31),
        partners=[register.PartnerData(WUHU, PartnerRole.HOST),
                  register.PartnerData(SHANGHAI, PartnerRole.SOURCE)],
        approving_document="国函〔2010〕5号", approved_on=dt.date(2010, 1, 12),
        planned_area=Decimal("52000.00"), industries=["39", "36", "38"]))
    register.create_park(session, SYSTEM, register.ParkData(
        code=CO_BUILT, name="深河产业共建园区（演示）", park_type=ParkType.CO_BUILT,
        host_region=HEYUAN, cycle_start=dt.date(2023, 7, 1), cycle_end=None,
        partners=[register.PartnerData(SHENZHEN, PartnerRole.CO_INVESTOR)],
        approving_document="粤府函〔2023〕101号", approved_on=dt.date(2023, 6, 20),
        planned_area=Decimal("18500.50"), industries=["38", "35"]))
    joins = [(ZONE, "HF-001", dt.date(2024, 3, 1)), (ZONE, "HF-002", dt.date(2024, 6, 15)),
             (ZONE, "HF-003", dt.date(2025, 1, 10)),
             (ZONE, "HF-004", open_quarter.first_day + dt.timedelta(days=10)),
             (CO_BUILT, "HY-001", dt.date(2024, 1, 1)), (CO_BUILT, "HY-002", dt.date(2024, 4, 1))]
    ids = dict(session.execute(select(Project.code, Project.id)).all())
    for park, code, joined in joins:
        membership.set_membership(session, SYSTEM, ids[code], park, joined)

    zone_agreement = agreements.create_agreement(session, SYSTEM, agreements.AgreementData(
        code="WJ-PARK-2025", title="皖江示范区产值分享协议（覆盖全园区）",
        basis_document="合政秘〔2025〕12号", signed_on=Quarter(2024, 4).last_day,
        parties=[agreements.PartyData(HEFEI, PartyRole.DESTINATION),
                 agreements.PartyData(SHANGHAI, PartyRole.SOURCE)]))
    coverage.set_covered_parks(session, SYSTEM, zone_agreement.id, [ZONE])
    agreements.set_rule(session, SYSTEM, zone_agreement.id, agreements.RuleData(
        "OUTPUT_VALUE", SharingMode.SPLIT, as_percent=True, tiers=[agreements.TierData(
            Quarter(2025, 1), None, {HEFEI: Decimal("70"), SHANGHAI: Decimal("30")})]))
    agreements.activate(session, SYSTEM, zone_agreement.id, zone_agreement.version)
    for quarter in quarters_between(Quarter(2025, 1), open_quarter):
        members = [c for park, c, joined in joins
                   if park == ZONE and joined <= quarter.last_day]
        observations.enter_observations(session, SYSTEM, quarter, [
            observations.ObservationEntry(code, "OUTPUT_VALUE",
                                          Decimal(rng.randrange(8_000_000, 30_000_000)))
            for code in members])
