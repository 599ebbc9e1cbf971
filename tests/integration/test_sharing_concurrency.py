"""Races of the quarterly sign-off on PostgreSQL: real threads, each with its own session on the
run's engine and real commits (unique codes; the rows stay in the throwaway database)."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.domain.codes import QuarterState, Role
from app.domain.hashchain import canonical_json
from app.domain.quarter import Quarter
from app.models import (
    AgreementParty,
    AgreementQuarter,
    FrozenAllocation,
    Observation,
    Project,
    Region,
    set_actor,
)
from app.services.access.audit import verify_chain
from app.services.access.scopes import SYSTEM
from app.services.errors import Conflict, ValidationFailed
from app.services.sharing import workflow
from app.services.sharing.agreements import get_agreement
from app.services.sharing.statements import compute_statement
from tests.factories import actor_of, make_project, make_user
from tests.integration.sharing_factories import (
    DESTINATION,
    SOURCE,
    half_and_half,
    make_agreement,
    observe,
)

pytestmark = pytest.mark.postgres_only

Q1 = Quarter(2026, 1)
ORIGINAL, EDITED = Decimal("100.01"), Decimal("100.02")
# A refused step: the services' refusals, a lost optimistic lock, and every database error
# (serialisation failures, deadlocks, lock timeouts: OperationalError; IntegrityError).
REFUSED = (Conflict, ValidationFailed, StaleDataError, DBAPIError)
ROUNDS = 3


@dataclass
class World:
    agreement_id: int
    project_code: str
    dest_user: object
    src_user: object



@pytest.fixture
def engine(committing_engine):
    """These tests commit for real: they run on a database of their own."""
    return committing_engine

def _session(engine, user=None) -> Session:
    session = Session(engine, expire_on_commit=False)
    set_actor(session, user.id if user else None, user.email if user else "tests")
    return session


def _world(engine, dest_confirms_first: bool = False) -> World:
    """A committed agreement over one project, 2026Q1 observed and submitted by the destination
    (and confirmed for the destination too, if asked)."""
    tag = uuid.uuid4().hex[:10]
    with _session(engine) as s:
        make_project(s, f"RC-{tag}")
        agreement = make_agreement(s, f"RC-{tag}", [f"RC-{tag}"], [half_and_half(first="2026Q1")])
        dest = make_user(s, Role.FINANCE_BUREAU, DESTINATION, email=f"d-{tag}@example.cn")
        src = make_user(s, Role.FINANCE_BUREAU, SOURCE, email=f"s-{tag}@example.cn")
        observe(s, "2026Q1", {(f"RC-{tag}", "TAX_LOCAL"): str(ORIGINAL)})
        aq = workflow.submit(s, actor_of(s, dest), agreement.id, Q1)
        if dest_confirms_first:
            workflow.confirm(s, actor_of(s, dest), agreement.id, Q1, DESTINATION, aq.fingerprint)
        s.commit()
        return World(agreement.id, f"RC-{tag}", dest, src)


def _attempt(engine, user, step):
    """Run ``step(session, actor)`` in a session of its own and commit: "done" or the refusal."""
    with _session(engine, user) as session:
        actor = actor_of(session, user)
        session.commit()
        try:
            step(session, actor)
            session.commit()
            return "done"
        except REFUSED as exc:
            session.rollback()
            return exc


def _fingerprint(engine, world) -> str:
    with _session(engine) as s:
        return s.scalar(select(AgreementQuarter.fingerprint).where(
            AgreementQuarter.agreement_id == world.agreement_id, AgreementQuarter.quarter == Q1))


def _confirm(world, party: str, barrier=None, fingerprint=None):
    def step(session, actor):
        if barrier is not None:
            barrier.wait()
        workflow.confirm(session, actor, world.agreement_id, Q1, party,
                         fingerprint or session.scalar(select(AgreementQuarter.fingerprint).where(
                             AgreementQuarter.agreement_id == world.agreement_id,
                             AgreementQuarter.quarter == Q1)))
    return step


def _edit(world, barrier=None):
    def step(session, actor):
        if barrier is not None:
            barrier.wait()
        observe(session, "2026Q1", {(world.project_code, "TAX_LOCAL"): str(EDITED)}, actor=actor)
    return step


def _holding(step, flushed: threading.Barrier, release: threading.Event):
    """``step``, then wait (flushed, not committed) until released."""
    def held(session, actor):
        try:
            step(session, actor)
        except BaseException:
            flushed.abort()  # let the other one run anyway
            raise
        flushed.wait()
        assert release.wait(60)
    return held


def _after(step, flushed: threading.Barrier):
    def later(session, actor):
        with contextlib.suppress(threading.BrokenBarrierError):
            flushed.wait()
        step(session, actor)
    return later


def _blocked_or_done(engine, future, seconds: float = 10) -> None:
    """Wait until the other transaction waits on a lock (or has finished)."""
    deadline = time.monotonic() + seconds
    with engine.connect() as connection:
        while time.monotonic() < deadline and not future.done():
            if connection.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'")).scalar():
                return
            time.sleep(0.02)


def _race(engine, *attempts):
    with ThreadPoolExecutor(len(attempts)) as pool:
        futures = [pool.submit(_attempt, engine, user, step) for user, step in attempts]
        return [f.result(timeout=120) for f in futures]


def _state(engine, world):
    with _session(engine) as s:
        aq = s.scalar(select(AgreementQuarter).where(
            AgreementQuarter.agreement_id == world.agreement_id, AgreementQuarter.quarter == Q1))
        parties = sorted(c.party.region.code for c in aq.confirmations)
        frozen = s.execute(
            select(Region.code, FrozenAllocation.cumulative_rounded, FrozenAllocation.fingerprint)
            .join(AgreementParty, AgreementParty.id == FrozenAllocation.party_id)
            .join(Region, Region.id == AgreementParty.region_id)
            .where(FrozenAllocation.agreement_id == world.agreement_id,
                   FrozenAllocation.quarter == Q1)).all()
        value = s.scalar(select(Observation.value).join(Project).where(
            Observation.quarter == Q1, Project.code == world.project_code))
        recomputed = compute_statement(s, get_agreement(s, SYSTEM, world.agreement_id), Q1)
        return aq, parties, frozen, value, recomputed


def _assert_closed_once_and_frozen_consistently(engine, world):
    aq, parties, frozen, value, recomputed = _state(engine, world)
    assert aq.state is QuarterState.CLOSED
    assert parties == sorted([DESTINATION, SOURCE])
    assert aq.statement_json == canonical_json(recomputed.data())  # observations at closing
    assert aq.fingerprint == recomputed.fingerprint
    [row] = recomputed.rows
    assert sorted(tuple(f) for f in frozen) == sorted(
        (code, line.since_inception, aq.fingerprint) for code, line in row.lines.items())
    assert value == ORIGINAL


def _check_confirmation_race(engine, world, outcomes):
    aq, parties, frozen, _value, _recomputed = _state(engine, world)
    done = [o == "done" for o in outcomes]
    if all(done):
        _assert_closed_once_and_frozen_consistently(engine, world)
        return
    # One was refused: the other party's confirmation stands, and nothing closed.
    assert aq.state is QuarterState.SUBMITTED and len(parties) == sum(done) and frozen == []
    for party, ok in zip((SOURCE, DESTINATION), done, strict=True):
        if not ok:  # the refused bureau reloads and confirms again
            user = world.src_user if party == SOURCE else world.dest_user
            assert _attempt(engine, user, _confirm(world, party)) == "done"
    _assert_closed_once_and_frozen_consistently(engine, world)


def _check_edit_race(engine, world, confirmed, edited):
    aq, parties, frozen, value, _recomputed = _state(engine, world)
    assert not (confirmed == "done" and edited == "done"), "both the closing and the edit won"
    if confirmed == "done":
        _assert_closed_once_and_frozen_consistently(engine, world)
    elif edited == "done":
        assert (aq.state, parties, frozen, value) == (QuarterState.OPEN, [], [], EDITED)
    else:
        assert (aq.state, parties, frozen, value) == (
            QuarterState.SUBMITTED, [DESTINATION], [], ORIGINAL)


def test_two_bureaus_confirming_at_the_same_moment_close_the_quarter_exactly_once(engine):
    for _ in range(ROUNDS):
        world = _world(engine)
        fingerprint = _fingerprint(engine, world)
        barrier = threading.Barrier(2, timeout=30)
        outcomes = _race(engine,
                         (world.src_user, _confirm(world, SOURCE, barrier, fingerprint)),
                         (world.dest_user, _confirm(world, DESTINATION, barrier, fingerprint)))
        _check_confirmation_race(engine, world, outcomes)
    with _session(engine) as s:
        assert verify_chain(s).is_intact


def test_a_confirmation_committing_while_the_other_is_in_flight_still_closes_once(engine):
    world = _world(engine)
    flushed, release = threading.Barrier(2, timeout=30), threading.Event()
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(_attempt, engine, world.src_user,
                            _holding(_confirm(world, SOURCE, fingerprint=_fingerprint(
                                engine, world)), flushed, release))
        second = pool.submit(_attempt, engine, world.dest_user,
                             _after(_confirm(world, DESTINATION), flushed))
        _blocked_or_done(engine, second)
        release.set()
        outcomes = [first.result(timeout=120), second.result(timeout=120)]
    assert outcomes[0] == "done"
    _check_confirmation_race(engine, world, outcomes)


def test_an_observation_edit_racing_the_closing_confirmation_ends_consistent(engine):
    for _ in range(ROUNDS):
        world = _world(engine, dest_confirms_first=True)
        barrier = threading.Barrier(2, timeout=30)
        seen = _fingerprint(engine, world)  # the statement the source bureau is looking at
        confirmed, edited = _race(engine, (world.src_user, _confirm(world, SOURCE, barrier, seen)),
                                  (world.dest_user, _edit(world, barrier)))
        _check_edit_race(engine, world, confirmed, edited)


@pytest.mark.parametrize("in_flight", ["closing", "edit"])
def test_an_edit_and_a_closing_interleaved_either_way_end_consistent(engine, in_flight):
    world = _world(engine, dest_confirms_first=True)
    flushed, release = threading.Barrier(2, timeout=30), threading.Event()
    confirm = _confirm(world, SOURCE, fingerprint=_fingerprint(engine, world))
    held, later = (confirm, _edit(world)) if in_flight == "closing" else (_edit(world), confirm)
    users = (world.src_user, world.dest_user) if in_flight == "closing" else (
        world.dest_user, world.src_user)
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(_attempt, engine, users[0], _holding(held, flushed, release))
        second = pool.submit(_attempt, engine, users[1], _after(later, flushed))
        _blocked_or_done(engine, second)
        release.set()
        outcomes = [first.result(timeout=120), second.result(timeout=120)]
    assert outcomes[0] == "done"
    confirmed, edited = outcomes if in_flight == "closing" else outcomes[::-1]
    _check_edit_race(engine, world, confirmed, edited)
