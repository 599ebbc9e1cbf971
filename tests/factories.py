"""Test data built through the services, as users would build it."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from pathlib import Path

from app.domain.codes import (
    CooperationMode,
    FundClass,
    Instrument,
    Intensity,
    InvestorType,
    MovementType,
    ProjectStatus,
    Role,
)
from app.domain.uscc import make_uscc
from app.services.access import users
from app.services.access.scopes import SYSTEM, actor_for
from app.services.funds import investments, projects
from app.services.funds import register as funds

EXAMPLES = Path(__file__).resolve().parent / "examples"
"""The worked examples of the manual (docs/sharing.md, docs/funds.md), carried in the test tree:
sharing.json and funds.json. tests/unit/test_examples_copy.py checks they still equal the
specification's originals wherever those sit beside the repository."""

_numbers = itertools.count(1)
PASSWORD = "correct horse battery"


def make_fund(db, code: str | None = None, sponsor: str = "440300", **overrides):
    """A fund registered by the system (no manager assigned)."""
    code = code or f"F-{next(_numbers):04d}"
    data = dict(code=code, name=f"基金 {code}", sponsor_region=sponsor, manager="某某资本",
                fund_class=FundClass.INDUSTRIAL, vintage=2023,
                target_size=Decimal("1000000000.00"))
    data.update(overrides)
    return funds.create_fund(db, SYSTEM, funds.FundData(**data))


def make_project(db, code: str | None = None, source: str = "440306",
                 destination: str = "441602", **overrides):
    """A project registered by the system."""
    code = code or f"P-{next(_numbers):04d}"
    data = dict(code=code, name=f"项目 {code}", enterprise="深圳某某科技有限公司",
                industry="38", intensity=Intensity.TECHNOLOGY, source_region=source,
                destination_region=destination, cooperation_mode=CooperationMode.JOINT_PARK,
                status=ProjectStatus.IMPLEMENTATION,
                uscc=make_uscc("91440300MA5F00000"))
    data.update(overrides)
    return projects.create_project(db, SYSTEM, projects.ProjectData(**data))


def make_user(db, role: Role, scope: str | None = None, email: str | None = None,
              locale: str = "en"):
    """A user with one role; ``scope`` is a fund code, a region code or None."""
    email = email or f"{role.value.lower()}{next(_numbers)}@example.cn"
    spec = (users.GrantSpec(role, fund_code=scope) if role is Role.FUND_MANAGER
            else users.GrantSpec(role, region_code=scope))
    # English, unlike a real new user (zh): the suite's assertions read the English msgids.
    user = users.create_user(db, email, email.split("@")[0], PASSWORD, [spec], locale=locale)
    return user


def actor_of(db, user):
    """The actor of a user, as the web builds it."""
    return actor_for(users.get_user(db, user.id))


def add_lp(db, fund, amount="100000000.00", kind=InvestorType.GOVERNMENT, on=dt.date(2023, 1, 1),
           investor=None):
    """An LP commitment."""
    return funds.add_commitment(db, SYSTEM, fund.id, funds.CommitmentData(
        investor or f"LP {next(_numbers)}", kind, on, Decimal(amount)))


def call(db, fund, amount, on, type_=MovementType.CAPITAL_CALL):
    """A capital call (or another movement type)."""
    return funds.record_movement(db, SYSTEM, fund.id, funds.MovementData(type_, on,
                                                                         Decimal(amount)))


def invest(db, fund, project, instrument=Instrument.EQUITY):
    """A position of ``fund`` in ``project``."""
    return investments.open_investment(db, SYSTEM, fund.id, project.code, instrument)


def sign_in(client, user_or_email, password: str = PASSWORD):
    """Sign a test client in and return the response."""
    email = getattr(user_or_email, "email", user_or_email)
    return client.post("/sign-in", data={"email": email, "password": password})
