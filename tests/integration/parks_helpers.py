"""Parks built through the services, for the parks tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from app.domain.codes import ParkType, PartnerRole
from app.services.access.scopes import SYSTEM
from app.services.parks import register

HEYUAN, SHENZHEN = "441600", "440300"


def make_park(db, code="HY-ZONE", host=HEYUAN, park_type=ParkType.NATIONAL_ZONE,
              partners=((SHENZHEN, PartnerRole.SOURCE),), start=dt.date(2024, 1, 1),
              end=dt.date(2028, 12, 31), industries=("38", "3670"), **overrides):
    """A park registered by the system, hosted in ``host`` (河源市 by default)."""
    data = dict(code=code, name=f"园区 {code}", park_type=ParkType(park_type), host_region=host,
                cycle_start=start, cycle_end=end,
                partners=[register.PartnerData(r, PartnerRole(role)) for r, role in partners],
                approving_document="发改地区〔2023〕729号", approved_on=dt.date(2023, 11, 1),
                planned_area=Decimal("12000.50"), industries=list(industries))
    data.update(overrides)
    return register.create_park(db, SYSTEM, register.ParkData(**data))
