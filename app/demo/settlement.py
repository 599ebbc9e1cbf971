"""The settlement part of the demo: the Shenzhen–Heyuan agreement's 2024 settled and confirmed by
both bureaus, the Ministry of Finance's notice booking 2024 with a difference (a refund after the
cut-off), and 2025 computed with that difference carried, waiting for the bureaus."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.quarter import Quarter
from app.models import User
from app.services.access.scopes import SYSTEM, actor_for
from app.services.access.users import get_user
from app.services.settlement import notices, runs

AGREEMENT = "SZHY-2024-01"
HEYUAN, SHENZHEN = "441600", "440300"
REFUND = Decimal("86420.00")
"""What the 2024 notice books less than due: refunds (退库) after the year's cut-off."""


def load_settlement_demo(session: Session, through: dt.date) -> None:
    """Settle every fully closed year of the demo agreement up to ``through``: the first is
    confirmed and booked with a difference, the later ones are computed and await the bureaus."""
    heyuan = _actor(session, "bureau.heyuan@demo.example")
    shenzhen = _actor(session, "bureau.shenzhen@demo.example")
    agreement = runs.agreement_by_code(session, SYSTEM, AGREEMENT)
    last_closed = Quarter.containing(through) - 1
    years = [y for y in (2024, 2025) if Quarter(y, 4) <= last_closed]
    for n, year in enumerate(years):
        run, _made = runs.compute(session, heyuan, agreement, year)
        if n:
            continue
        runs.confirm(session, heyuan, run.id, HEYUAN, run.fingerprint)
        runs.confirm(session, shenzhen, run.id, SHENZHEN, run.fingerprint)
        [net] = runs.content_of(run)["net"]
        notices.record_notice(session, heyuan, agreement.id, year, notices.NoticeData(
            "CENTRAL", f"财预结〔{year + 1}〕18号", f"{year + 1}-06-18", net["payer"],
            net["payee"], str(Decimal(net["amount"]) - REFUND), "REFUND_AFTER_CUTOFF"))


def _actor(session: Session, email: str):
    user_id = session.scalar(select(User.id).where(User.email == email))
    return actor_for(get_user(session, user_id))
