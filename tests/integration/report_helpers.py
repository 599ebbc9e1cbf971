"""Data and helpers of the report tests: a fund with Chinese and hostile project names, an
agreement with a split and a dual-count rule closed for 2025Q3, PDF text extraction."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from pypdf import PdfReader

from app.domain.codes import Instrument, InvestorType, MovementType, SharingMode, TransactionType
from app.domain.quarter import Quarter
from app.services.access.scopes import SYSTEM
from app.services.funds import investments
from tests.factories import add_lp, call, invest, make_fund, make_project
from tests.integration.sharing_factories import half_and_half, make_agreement, observe
from tests.integration.sharing_helpers import bureau, close_quarter

Q = Quarter.parse("2025Q3")
CHINESE_PROJECT = "河源电子信息产业园项目"
AMPERSAND = 'A&B <b>Co</b> "x"'
IMAGE = '<img src="/etc/passwd"/>'


@dataclass
class World:
    """What :func:`build_world` made."""

    fund: object
    agreement: object
    investments: dict
    dest: object
    dest_user: object
    src: object
    src_user: object
    rp3_disbursement: object


def entry(db, investment, kind, on, amount, reference="", note=""):
    """A ledger entry of ``investment`` recorded by the system."""
    return investments.record_transaction(db, SYSTEM, investment.id, investments.TransactionData(
        kind, on, Decimal(amount), reference, note))


def build_world(db, close: bool = True) -> World:
    """Fund RF-1 (深圳) in three projects, the Heyuan–Shenzhen agreement RA-1 over two of them
    (TAX_LOCAL 1:1, REVENUE dual count) with 2025Q3 observed and, if ``close``, closed."""
    fund = make_fund(db, "RF-1", name="深圳产业转移引导基金", sponsor="440300")
    add_lp(db, fund, "600000000.00", InvestorType.GOVERNMENT, dt.date(2025, 1, 1), "深圳市财政局")
    add_lp(db, fund, "400000000.00", InvestorType.PRIVATE, dt.date(2025, 1, 1), "某某资本")
    call(db, fund, "300000000.00", dt.date(2025, 1, 15))
    call(db, fund, "200000000.00", dt.date(2025, 8, 10))
    call(db, fund, "4500000.00", dt.date(2025, 9, 30), MovementType.FEE)
    p1 = make_project(db, "RP-1", name=CHINESE_PROJECT, source="440306", destination="441602")
    p2 = make_project(db, "RP-2", name=AMPERSAND, source="440306", destination="510100")
    p3 = make_project(db, "RP-3", name=IMAGE, source="440306", destination="441602")
    held = {"RP-1": invest(db, fund, p1), "RP-2": invest(db, fund, p2, Instrument.LOAN),
            "RP-3": invest(db, fund, p3)}
    entry(db, held["RP-1"], TransactionType.DISBURSEMENT, dt.date(2025, 2, 1), "123456789.01")
    entry(db, held["RP-2"], TransactionType.DISBURSEMENT, dt.date(2025, 7, 3), "50000000.33")
    entry(db, held["RP-2"], TransactionType.REPAYMENT, dt.date(2025, 9, 1), "1000000.00")
    rp3 = entry(db, held["RP-3"], TransactionType.DISBURSEMENT, dt.date(2025, 8, 20), "77777777.77")
    investments.record_valuation(db, SYSTEM, held["RP-1"].id, dt.date(2025, 9, 30),
                                 Decimal("150000000.00"))
    agreement = make_agreement(db, "RA-1", ["RP-1", "RP-2"], [
        half_and_half(first="2025Q3"),
        half_and_half("REVENUE", first="2025Q3", mode=SharingMode.DUAL_COUNT)])
    observe(db, "2025Q3", {("RP-1", "TAX_LOCAL"): "100.01", ("RP-1", "REVENUE"): "5432.10",
                           ("RP-2", "REVENUE"): "77.00", ("RP-3", "TAX_LOCAL"): "9.99"})
    dest_user, dest = bureau(db, "441600")
    src_user, src = bureau(db, "440300")
    if close:
        close_quarter(db, agreement.id, "2025Q3", dest, src, dest)
    return World(fund, agreement, held, dest, dest_user, src, src_user, rp3)


def pdf_text(pdf: bytes) -> str:
    """Every page's extracted text, pages separated by form feeds."""
    return "\f".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def pages_of(pdf: bytes) -> list[str]:
    """The extracted text of each page."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


_NUMBER = re.compile(r"-?\d{1,3}(?:,\d{3})*\.\d{2}(?!\d)")


def numbers(line: str) -> list[Decimal]:
    """The amounts printed on a line ("1,234.50", "-3.00"), in order."""
    return [Decimal(n.replace(",", "")) for n in _NUMBER.findall(line)]
