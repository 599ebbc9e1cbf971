"""The fund register's business rules: every refusal names the field, scope hides other funds,
optimistic locking refuses a stale edit, and the movement ledger is append-only."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.domain.codes import FundClass, InvestorType, MovementType, Role
from app.domain.quarter import Quarter
from app.models import AuditEntry, Fund, Movement, RoleGrant
from app.services.access.scopes import SYSTEM, get_fund
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.funds import metrics
from app.services.funds import register as funds
from tests.factories import actor_of, add_lp, call, make_fund, make_user

ON = dt.date(2024, 3, 31)


def _data(code: str = "FS-1", **changes) -> funds.FundData:
    data = funds.FundData(code=code, name="服务测试基金", sponsor_region="440300", manager="某资本",
                          fund_class=FundClass.VENTURE, vintage=2024,
                          target_size=Decimal("500000000.00"))
    return replace(data, **changes)


def _fields(excinfo) -> set[str]:
    return set(excinfo.value.errors)


@pytest.mark.parametrize(("changes", "field"), [
    ({"target_size": Decimal("-0.01")}, "target_size"),
    ({"term_start_on": dt.date(2024, 1, 1), "term_end_on": dt.date(2023, 12, 31)}, "term_end_on"),
    ({"vintage": 1989}, "vintage"),
    ({"code": "  "}, "code"),
    ({"name": ""}, "name"),
    ({"sponsor_region": "449999"}, "sponsor_region"),
])
def test_a_fund_breaking_a_rule_is_refused_naming_the_field(db, changes, field):
    with pytest.raises(ValidationFailed) as excinfo:
        funds.create_fund(db, SYSTEM, _data(**changes))
    assert field in _fields(excinfo)
    assert db.scalar(select(Fund.id).where(Fund.code == "FS-1")) is None


def test_a_term_ending_the_day_it_starts_is_accepted(db):
    fund = funds.create_fund(db, SYSTEM, _data(term_start_on=ON, term_end_on=ON))
    assert fund.term_end_on == ON


def test_a_second_fund_with_the_same_code_is_refused(db):
    funds.create_fund(db, SYSTEM, _data("FS-DUP"))
    with pytest.raises(ValidationFailed) as excinfo:
        funds.create_fund(db, SYSTEM, _data(" FS-DUP "))
    assert _fields(excinfo) == {"code"}


def test_the_code_of_a_fund_cannot_change(db):
    fund = funds.create_fund(db, SYSTEM, _data("FS-KEEP"))
    with pytest.raises(ValidationFailed) as excinfo:
        funds.update_fund(db, SYSTEM, fund.id, fund.version, _data("FS-OTHER"))
    assert _fields(excinfo) == {"code"}
    db.expire_all()
    assert db.get(Fund, fund.id).code == "FS-KEEP"


def test_an_update_with_a_stale_version_raises_conflict_and_changes_nothing(db):
    fund = funds.create_fund(db, SYSTEM, _data("FS-LOCK"))
    read_version = fund.version
    funds.update_fund(db, SYSTEM, fund.id, read_version, _data("FS-LOCK", name="先保存的名称"))
    db.commit()
    entries_before = db.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(Conflict):
        funds.update_fund(db, SYSTEM, fund.id, read_version, _data("FS-LOCK", name="后保存的名称",
                                                                   target_size=Decimal("1.00")))
    db.expire_all()
    saved = db.get(Fund, fund.id)
    assert (saved.name, saved.target_size, saved.version) == (
        "先保存的名称", Decimal("500000000.00"), read_version + 1)
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == entries_before


@pytest.mark.parametrize("amount", ["0.00", "-100.00"])
def test_an_lp_commitment_must_be_positive(db, amount):
    fund = make_fund(db)
    with pytest.raises(ValidationFailed) as excinfo:
        add_lp(db, fund, amount)
    assert _fields(excinfo) == {"amount"}


def test_the_same_lp_cannot_commit_twice_on_the_same_date(db):
    fund = make_fund(db)
    add_lp(db, fund, investor="同一出资人", on=ON)
    with pytest.raises(ValidationFailed) as excinfo:
        add_lp(db, fund, investor=" 同一出资人 ", on=ON)
    assert _fields(excinfo) == {"investor"}
    add_lp(db, fund, investor="同一出资人", on=ON + dt.timedelta(days=1))  # another date is fine
    add_lp(db, make_fund(db), investor="同一出资人", on=ON)  # and so is another fund


def test_a_commitment_corrected_with_a_stale_version_raises_conflict(db):
    commitment = add_lp(db, make_fund(db), "100.00")
    read = commitment.version
    data = funds.CommitmentData(commitment.investor, InvestorType.SOE, ON, Decimal("200.00"))
    funds.update_commitment(db, SYSTEM, commitment.id, read, data)
    with pytest.raises(Conflict):
        funds.update_commitment(db, SYSTEM, commitment.id, read,
                                replace(data, amount=Decimal("300.00")))
    db.expire_all()
    assert commitment.amount == Decimal("200.00")


@pytest.mark.parametrize("amount", ["0.00", "-5.00"])
def test_a_movement_must_be_positive(db, amount):
    with pytest.raises(ValidationFailed) as excinfo:
        call(db, make_fund(db), amount, ON)
    assert _fields(excinfo) == {"amount"}


def test_a_movement_reference_is_unique_within_its_fund(db):
    fund = make_fund(db)
    entry = funds.MovementData(MovementType.CAPITAL_CALL, ON, Decimal("10.00"), reference="CALL-1")
    funds.record_movement(db, SYSTEM, fund.id, entry)
    with pytest.raises(ValidationFailed) as excinfo:
        funds.record_movement(db, SYSTEM, fund.id, replace(entry, amount=Decimal("20.00")))
    assert _fields(excinfo) == {"reference"}
    funds.record_movement(db, SYSTEM, make_fund(db).id, entry)  # another fund may use it


def test_a_generated_reference_never_collides_with_one_a_user_typed(db):
    fund = make_fund(db, "FS-GEN")
    first = call(db, fund, "1.00", ON)
    typed = funds.MovementData(MovementType.FEE, ON, Decimal("2.00"),
                               reference=first.reference[:-1] + "3")  # what comes two later
    funds.record_movement(db, SYSTEM, fund.id, typed)
    call(db, fund, "3.00", ON)  # left blank: its generated reference must not be the typed one
    call(db, fund, "4.00", ON)
    references = db.scalars(select(Movement.reference).where(Movement.fund_id == fund.id)).all()
    assert len(set(references)) == 4


def test_a_reversal_undoes_a_movement_in_the_metrics(db):
    fund = make_fund(db, "FS-REV")
    add_lp(db, fund, "1000.00")
    wrong = call(db, fund, "400.00", ON)
    reversal = funds.reverse_movement(db, SYSTEM, wrong.id, ON, "typed twice")
    assert (reversal.reverses_id, reversal.amount, reversal.type) == (
        wrong.id, Decimal("400.00"), MovementType.CAPITAL_CALL)
    assert metrics.fund_metrics(db, SYSTEM, "FS-REV", ON).paid_in == Decimal("0.00")


def test_a_movement_is_reversed_at_most_once(db):
    wrong = call(db, make_fund(db), "400.00", ON)
    funds.reverse_movement(db, SYSTEM, wrong.id, ON, "typed twice")
    with pytest.raises(ValidationFailed) as excinfo:
        funds.reverse_movement(db, SYSTEM, wrong.id, ON, "again")
    assert _fields(excinfo) == {"reverses"}


def test_a_reversal_cannot_itself_be_reversed(db):
    wrong = call(db, make_fund(db), "400.00", ON)
    reversal = funds.reverse_movement(db, SYSTEM, wrong.id, ON, "typed twice")
    with pytest.raises(ValidationFailed) as excinfo:
        funds.reverse_movement(db, SYSTEM, reversal.id, ON, "undo the undo")
    assert _fields(excinfo) == {"reverses"}


def test_a_reversal_is_not_dated_before_the_movement_and_says_why(db):
    wrong = call(db, make_fund(db), "400.00", ON)
    with pytest.raises(ValidationFailed) as excinfo:
        funds.reverse_movement(db, SYSTEM, wrong.id, ON - dt.timedelta(days=1), "too early")
    assert _fields(excinfo) == {"date"}
    with pytest.raises(ValidationFailed) as excinfo:
        funds.reverse_movement(db, SYSTEM, wrong.id, ON, "   ")
    assert _fields(excinfo) == {"note"}
    assert db.scalar(select(Movement.id).where(Movement.reverses_id == wrong.id)) is None


@pytest.fixture
def manager_of_a(db):
    """A fund manager assigned to fund A, and a fund B they have nothing to do with."""
    fund_a, fund_b = make_fund(db, "SCOPE-A"), make_fund(db, "SCOPE-B")
    user = make_user(db, Role.FUND_MANAGER, "SCOPE-A")
    other_lp = add_lp(db, fund_b, "100.00")
    other_call = call(db, fund_b, "50.00", ON)
    return actor_of(db, user), fund_a, fund_b, other_lp, other_call


def test_a_fund_manager_edits_their_own_fund(db, manager_of_a):
    actor, fund_a, *_ = manager_of_a
    funds.update_fund(db, actor, fund_a.id, fund_a.version, _data("SCOPE-A", name="新名称"))
    add_lp(db, fund_a)
    assert get_fund(db, actor, fund_a.id, for_edit=True).name == "新名称"


@pytest.mark.parametrize("use", [
    "get_fund", "update_fund", "add_commitment", "update_commitment", "record_movement",
    "reverse_movement", "fund_metrics", "fund_dashboard",
])
def test_another_funds_records_are_not_found_for_a_fund_manager(db, manager_of_a, use):
    actor, _, fund_b, other_lp, other_call = manager_of_a
    lp = funds.CommitmentData("某出资人", InvestorType.PRIVATE, ON, Decimal("1.00"))
    calls = {
        "get_fund": lambda: get_fund(db, actor, fund_b.id),
        "update_fund": lambda: funds.update_fund(db, actor, fund_b.id, fund_b.version,
                                                 _data("SCOPE-B")),
        "add_commitment": lambda: funds.add_commitment(db, actor, fund_b.id, lp),
        "update_commitment": lambda: funds.update_commitment(db, actor, other_lp.id,
                                                             other_lp.version, lp),
        "record_movement": lambda: funds.record_movement(
            db, actor, fund_b.id, funds.MovementData(MovementType.FEE, ON, Decimal("1.00"))),
        "reverse_movement": lambda: funds.reverse_movement(db, actor, other_call.id, ON, "x"),
        "fund_metrics": lambda: metrics.fund_metrics(db, actor, "SCOPE-B", ON),
        "fund_dashboard": lambda: metrics.fund_dashboard(db, actor, fund_b.id, Quarter(2024, 1)),
    }
    with pytest.raises(NotFound):
        calls[use]()


def test_a_fund_manager_who_registers_a_fund_is_assigned_to_it(db):
    user = make_user(db, Role.FUND_MANAGER, make_fund(db, "SCOPE-HOME").code)
    fund = funds.create_fund(db, actor_of(db, user), _data("SCOPE-NEW"))
    assert db.scalar(select(RoleGrant.id).where(
        RoleGrant.user_id == user.id, RoleGrant.fund_id == fund.id,
        RoleGrant.role == Role.FUND_MANAGER.value)) is not None
    db.expire_all()  # a new request builds the actor afresh
    actor = actor_of(db, user)
    assert fund.id in actor.fund_ids
    funds.update_fund(db, actor, fund.id, fund.version, _data("SCOPE-NEW", name="改名"))


def test_a_finance_bureau_may_read_but_not_register_or_edit_a_fund(db):
    fund = make_fund(db, "SCOPE-BUREAU", sponsor="440300")
    bureau = actor_of(db, make_user(db, Role.FINANCE_BUREAU, "440300"))
    assert get_fund(db, bureau, fund.id).code == "SCOPE-BUREAU"
    with pytest.raises(NotFound):
        funds.create_fund(db, bureau, _data("SCOPE-BUREAU-2"))
    with pytest.raises(NotFound):
        funds.update_fund(db, bureau, fund.id, fund.version, _data("SCOPE-BUREAU", name="x"))
