"""Two saves of the same observation grid racing on PostgreSQL: real threads, each with its own
session and real commits. Of two saves of one cell read at the same value, exactly one wins and
the other is refused as a conflict naming both values (never a lost update, never a database
error); saves of different cells both win."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.domain.codes import Role
from app.domain.quarter import Quarter
from app.models import Observation, Project, set_actor
from app.services.sharing.observations import (
    ObservationConflict,
    ObservationEntry,
    enter_observations,
)
from tests.factories import actor_of, make_project, make_user
from tests.integration.sharing_factories import DESTINATION, half_and_half, make_agreement, observe

pytestmark = pytest.mark.postgres_only

Q3 = Quarter(2026, 3)
ROUNDS = 3


@pytest.fixture
def engine(committing_engine):
    """These tests commit for real: they run on a database of their own."""
    return committing_engine


def _session(engine, user=None) -> Session:
    session = Session(engine, expire_on_commit=False)
    set_actor(session, user.id if user else None, user.email if user else "tests")
    return session


def _world(engine, value: str | None = "100.00"):
    """A committed agreement over one project (2026Q3 TAX_LOCAL = ``value``) and two users of
    its destination bureau."""
    tag = uuid.uuid4().hex[:10]
    code = f"OR-{tag}"
    with _session(engine) as s:
        make_project(s, code)
        make_agreement(s, code, [code], [half_and_half(first="2026Q1"),
                                         half_and_half(indicator="OUTPUT_VALUE", first="2026Q1")])
        users = [make_user(s, Role.FINANCE_BUREAU, DESTINATION, email=f"{n}-{tag}@example.cn")
                 for n in ("a", "b")]
        if value is not None:
            observe(s, "2026Q3", {(code, "TAX_LOCAL"): value})
        s.commit()
    return code, users


def _save(code, indicator, value, expected, barrier=None, hold=None):
    """A grid save of one cell; waits at ``barrier`` first, or after flushing until ``hold``
    (a pair of events: flushed, release) lets it commit."""
    def step(session, actor):
        if barrier is not None:
            barrier.wait()
        enter_observations(session, actor, Q3, [ObservationEntry(
            code, indicator, Decimal(value), expected=None if expected is None
            else Decimal(expected))])
        if hold is not None:
            flushed, release = hold
            flushed.set()
            assert release.wait(60)
    return step


def _attempt(engine, user, step):
    with _session(engine, user) as session:
        actor = actor_of(session, user)
        session.commit()
        try:
            step(session, actor)
            session.commit()
            return "done"
        except ObservationConflict as exc:  # anything else (a database error) fails the test
            session.rollback()
            return exc


def _stored(engine, code) -> dict[str, Decimal]:
    with _session(engine) as s:
        return {o.indicator_code: o.value for o in s.scalars(
            select(Observation).join(Project).where(Project.code == code,
                                                    Observation.quarter == Q3))}


def _wait_until_blocked(engine, future, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    with engine.connect() as connection:
        while time.monotonic() < deadline and not future.done():
            if connection.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'")).scalar():
                return
            time.sleep(0.02)


@pytest.mark.parametrize("before", ["100.00", None], ids=["update", "insert"])
def test_two_saves_of_one_cell_at_the_same_moment_one_wins_the_other_sees_a_conflict(
        engine, before):
    for _ in range(ROUNDS):
        code, (a, b) = _world(engine, before)
        barrier = threading.Barrier(2, timeout=30)
        with ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(_attempt, engine, user, _save(
                code, "TAX_LOCAL", value, before, barrier)) for user, value in
                ((a, "111.00"), (b, "222.00"))]
            outcomes = [f.result(timeout=120) for f in futures]
        assert sorted(o == "done" for o in outcomes) == [False, True], outcomes
        winner = "111.00" if outcomes[0] == "done" else "222.00"
        [refused] = [o for o in outcomes if o != "done"]
        [conflict] = refused.cells.values()
        assert (conflict.current, conflict.expected) == (
            Decimal(winner), None if before is None else Decimal(before))
        assert _stored(engine, code) == {"TAX_LOCAL": Decimal(winner)}


def test_a_save_waiting_on_an_uncommitted_one_reads_its_value_after_it_commits(engine):
    code, (a, b) = _world(engine)
    flushed, release = threading.Event(), threading.Event()
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(_attempt, engine, a, _save(code, "TAX_LOCAL", "111.00", "100.00",
                                                       hold=(flushed, release)))
        assert flushed.wait(30)
        second = pool.submit(_attempt, engine, b, _save(code, "TAX_LOCAL", "222.00", "100.00"))
        _wait_until_blocked(engine, second)
        release.set()
        assert first.result(timeout=60) == "done"
        refused = second.result(timeout=60)
    assert isinstance(refused, ObservationConflict)
    assert refused.cells[f"{code}.TAX_LOCAL"].current == Decimal("111.00")
    assert _stored(engine, code) == {"TAX_LOCAL": Decimal("111.00")}


def test_two_saves_of_different_cells_of_one_project_both_win(engine):
    code, (a, b) = _world(engine)
    flushed, release = threading.Event(), threading.Event()
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(_attempt, engine, a, _save(code, "TAX_LOCAL", "111.00", "100.00",
                                                       hold=(flushed, release)))
        assert flushed.wait(30)
        second = pool.submit(_attempt, engine, b, _save(code, "OUTPUT_VALUE", "5.00", None))
        _wait_until_blocked(engine, second)
        release.set()
        assert (first.result(timeout=60), second.result(timeout=60)) == ("done", "done")
    assert _stored(engine, code) == {"TAX_LOCAL": Decimal("111.00"),
                                     "OUTPUT_VALUE": Decimal("5.00")}
