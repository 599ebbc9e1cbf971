"""Races of the settlement on PostgreSQL: real threads, each with its own session and real
commits. Two bureaus confirming at once; a confirmation racing the reopening of a quarter; two
notices recorded at once (the same number: one wins; the same pair: both count)."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.domain.codes import QuarterState, SettlementState
from app.domain.quarter import Quarter
from app.models import (
    AgreementQuarter,
    SettlementDifference,
    SettlementNotice,
    SettlementRun,
    set_actor,
)
from app.services.access.scopes import SYSTEM
from app.services.errors import Conflict, ValidationFailed
from app.services.settlement import notices, runs
from app.services.sharing import workflow
from tests.factories import actor_of
from tests.integration.settlement_helpers import Example
from tests.integration.sharing_factories import DESTINATION, SOURCE

pytestmark = pytest.mark.postgres_only

REFUSED = (Conflict, ValidationFailed, StaleDataError, DBAPIError)
ROUNDS = 3


@pytest.fixture
def engine(committing_engine):
    return committing_engine


def _session(engine, user=None) -> Session:
    session = Session(engine, expire_on_commit=False)
    set_actor(session, user.id if user else None, user.email if user else "tests")
    return session


def _world(engine):
    """A committed agreement with its first year closed and the run of that year computed."""
    with _session(engine) as s:
        world = Example(s, code=f"SC-{uuid.uuid4().hex[:10]}", years=1)
        run, _ = world.compute(s, world.first)
        s.commit()
        world.run_id, world.fingerprint = run.id, run.fingerprint
        return world


def _attempt(engine, user, step):
    with _session(engine, user) as session:
        actor = actor_of(session, user) if user is not None else SYSTEM
        session.commit()
        try:
            step(session, actor)
            session.commit()
            return "done"
        except REFUSED as exc:
            session.rollback()
            return exc


def _confirm(world, party, barrier=None):
    def step(session, actor):
        if barrier is not None:
            barrier.wait()
        runs.confirm(session, actor, world.run_id, party, world.fingerprint)
    return step


def _reopen(world, barrier=None):
    def step(session, actor):
        if barrier is not None:
            barrier.wait()
        workflow.reopen(session, SYSTEM, world.id, Quarter(world.first, 4), "更正申报")
    return step


def _state(engine, world):
    with _session(engine) as s:
        run = s.get(SettlementRun, world.run_id)
        parties = sorted(c.party.region.code for c in run.confirmations)
        q4 = s.scalar(select(AgreementQuarter).where(
            AgreementQuarter.agreement_id == world.id,
            AgreementQuarter.quarter == Quarter(world.first, 4)))
        return run.state, parties, q4.state


def test_two_bureaus_confirming_at_once_confirm_the_run_exactly_once(engine):
    for _ in range(ROUNDS):
        world = _world(engine)
        barrier = threading.Barrier(2, timeout=30)
        with ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(_attempt, engine, world.src_user,
                                   _confirm(world, SOURCE, barrier)),
                       pool.submit(_attempt, engine, world.dest_user,
                                   _confirm(world, DESTINATION, barrier))]
            outcomes = [f.result(timeout=120) for f in futures]
        state, parties, _ = _state(engine, world)
        done = [o == "done" for o in outcomes]
        if not all(done):  # the one refused saw a conflict; it reloads and confirms again
            assert state is SettlementState.COMPUTED and len(parties) == 1
            party, user = (SOURCE, world.src_user) if not done[0] else (
                DESTINATION, world.dest_user)
            assert _attempt(engine, user, _confirm(world, party)) == "done"
            state, parties, _ = _state(engine, world)
        assert state is SettlementState.CONFIRMED
        assert parties == sorted([DESTINATION, SOURCE])


def test_a_confirmation_racing_a_reopened_quarter_one_wins_the_other_conflicts(engine):
    for _ in range(ROUNDS):
        world = _world(engine)
        barrier = threading.Barrier(2, timeout=30)
        with ThreadPoolExecutor(2) as pool:
            confirm = pool.submit(_attempt, engine, world.src_user,
                                  _confirm(world, SOURCE, barrier))
            reopen = pool.submit(_attempt, engine, None, _reopen(world, barrier))
            confirmed, reopened = confirm.result(timeout=120), reopen.result(timeout=120)
        _, parties, q4 = _state(engine, world)
        assert reopened == "done" and q4 is QuarterState.OPEN  # reopening is never refused
        if confirmed == "done":  # it committed first: the confirmation stands for version 1
            assert parties == [SOURCE]
        else:
            assert isinstance(confirmed, Conflict) and parties == []


def test_a_confirmation_waiting_on_a_reopening_in_flight_sees_the_conflict(engine):
    world = _world(engine)
    flushed, release = threading.Barrier(2, timeout=30), threading.Event()

    def held(session, actor):
        _reopen(world)(session, actor)
        flushed.wait()
        assert release.wait(60)

    def later(session, actor):
        with contextlib.suppress(threading.BrokenBarrierError):
            flushed.wait()
        _confirm(world, SOURCE)(session, actor)

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(_attempt, engine, None, held)
        second = pool.submit(_attempt, engine, world.src_user, later)
        deadline = time.monotonic() + 10
        with engine.connect() as connection:
            while time.monotonic() < deadline and not second.done():
                if connection.execute(text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock'")).scalar():
                    break
                time.sleep(0.02)
        release.set()
        outcomes = [first.result(timeout=120), second.result(timeout=120)]
    assert outcomes[0] == "done" and isinstance(outcomes[1], Conflict)
    assert _state(engine, world)[1] == []


def _confirmed_world(engine):
    """As :func:`_world`, the run confirmed by both bureaus and committed."""
    world = _world(engine)
    with _session(engine) as s:
        for party, user in ((SOURCE, world.src_user), (DESTINATION, world.dest_user)):
            runs.confirm(s, actor_of(s, user), world.run_id, party, world.fingerprint)
        s.commit()
    return world


def _notice(world, number, amount, barrier):
    def step(session, actor):
        barrier.wait()
        notices.record_notice(session, actor, world.id, world.first, notices.NoticeData(
            "CENTRAL", f"{world.agreement.code} {number}", f"{world.first + 1}-05-20",
            DESTINATION, SOURCE, amount, "REFUND_AFTER_CUTOFF"))
    return step


def test_two_bureaus_recording_the_same_notice_number_at_once_one_wins(engine):
    for _ in range(ROUNDS):
        world = _confirmed_world(engine)
        barrier = threading.Barrier(2, timeout=30)
        with ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(_attempt, engine, user, _notice(world, "N-1", amount, barrier))
                       for user, amount in ((world.src_user, "15000000.00"),
                                            (world.dest_user, "14000000.00"))]
            outcomes = [f.result(timeout=120) for f in futures]
        assert sorted(o == "done" for o in outcomes) == [False, True]
        [refused] = [o for o in outcomes if o != "done"]
        assert isinstance(refused, ValidationFailed) and "number" in refused.errors
        with _session(engine) as s:
            assert s.scalar(select(func.count()).select_from(SettlementNotice).where(
                SettlementNotice.agreement_id == world.id)) == 1


def test_two_notices_of_a_pair_recorded_at_once_both_count_in_the_difference(engine):
    for _ in range(ROUNDS):
        world = _confirmed_world(engine)
        barrier = threading.Barrier(2, timeout=30)
        with ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(_attempt, engine, user, _notice(world, number, amount,
                                                                   barrier))
                       for user, number, amount in ((world.src_user, "N-1", "10000000.00"),
                                                    (world.dest_user, "N-2", "4900000.00"))]
            assert [f.result(timeout=120) for f in futures] == ["done", "done"]
        with _session(engine) as s:
            difference = s.scalar(select(SettlementDifference).where(
                SettlementDifference.agreement_id == world.id))
            assert (str(difference.booked), str(difference.amount)) == (
                "14900000.00", "-100000.00")
