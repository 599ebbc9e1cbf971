"""The database caches of fund metrics and statements: after every kind of write the cached
figures equal a fresh computation, cache rows never reach the audit trail, a snapshot stored
under an outdated generation is ignored, and a read-only page commits the rows it filled."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select, update

from app.domain import fund_metrics as fm
from app.domain.codes import (
    CooperationMode,
    FundClass,
    Instrument,
    InvestorType,
    MovementType,
    ProjectStatus,
    Role,
    TransactionType,
)
from app.domain.quarter import Quarter
from app.models import (
    AuditEntry,
    Fund,
    FundMetricSnapshot,
    Project,
    RegionLineSnapshot,
    ScopedSnapshot,
    StatementSnapshot,
    Valuation,
)
from app.models.caches import FUND, LEDGER, invalidate
from app.services import snapshots
from app.services.access import audit
from app.services.access.scopes import SYSTEM
from app.services.funds import flows, investments, metrics, projects
from app.services.funds import register as funds
from app.services.reporting import region_figures as regions
from app.services.sharing import agreements, deadlines, timeliness, workflow
from app.services.sharing.statements import cached_statement, compute_statement
from tests.factories import (
    actor_of,
    add_lp,
    call,
    invest,
    make_fund,
    make_project,
    make_user,
    sign_in,
)
from tests.integration.sharing_factories import observe
from tests.integration.sharing_helpers import INDICATOR, Setting
from tests.integration.test_import_support import OBS_HEADER, TX_HEADER, csv_bytes, run

AS_OF = dt.date(2024, 12, 31)
QUARTERS = [Quarter(2024, q) for q in range(1, 5)]


def fresh_metrics(db, fund, as_of=AS_OF) -> fm.FundMetrics:
    """The fund's metrics computed from its ledgers, bypassing every cache."""
    db.expire_all()
    fund = db.get(Fund, fund.id)
    return fm.compute_fund_metrics(metrics.load_portfolios(db, [fund])[fund.id].inputs, as_of)


def cached_metrics(db, fund, as_of=AS_OF) -> fm.FundMetrics:
    """The fund's metrics through the cache."""
    db.expire_all()
    return metrics.metrics_as_of(db, [db.get(Fund, fund.id)], as_of)[fund.id]


def snapshot_count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def current_generation(db, fund_id: int) -> int:
    return snapshots.generations(db, FUND, [fund_id])[fund_id]


def current_fund_snapshots(db) -> int:
    """Fund metric snapshots at their fund's current generation (the ones readers use)."""
    s = FundMetricSnapshot
    return sum(1 for fund_id, generation in db.execute(select(s.fund_id, s.generation))
               if generation == current_generation(db, fund_id))


@pytest.fixture
def portfolio(db):
    """A fund with an LP, a call, an equity position disbursed and valued, and a loan."""
    fund = make_fund(db, "CF")
    project, other = make_project(db, "CP1"), make_project(db, "CP2", destination="440304")
    add_lp(db, fund, "50000000.00", on=dt.date(2024, 1, 10))
    add_lp(db, fund, "50000000.00", kind=InvestorType.PRIVATE, on=dt.date(2024, 1, 10))
    call(db, fund, "30000000.00", dt.date(2024, 2, 1))
    equity = invest(db, fund, project)
    investments.record_transaction(db, SYSTEM, equity.id, investments.TransactionData(
        TransactionType.DISBURSEMENT, dt.date(2024, 3, 1), Decimal("10000000.00")))
    investments.record_valuation(db, SYSTEM, equity.id, dt.date(2024, 9, 30),
                                 Decimal("12500000.00"))
    loan = invest(db, fund, other, Instrument.LOAN)
    investments.record_transaction(db, SYSTEM, loan.id, investments.TransactionData(
        TransactionType.DISBURSEMENT, dt.date(2024, 5, 1), Decimal("3000000.00")))
    db.commit()
    return fund, equity, loan, project


def test_a_snapshot_round_trips_to_metrics_equal_to_the_computed_ones(db, portfolio):
    fund = portfolio[0]
    first = cached_metrics(db, fund)
    assert snapshot_count(db, FundMetricSnapshot) == 1
    again = cached_metrics(db, fund)
    assert first == again == fresh_metrics(db, fund)
    assert again.tvpi is not None and again.investments["CP1"].irr is not None
    assert fm.to_json_dict(again) == fm.to_json_dict(fresh_metrics(db, fund))


def _project_data(project: Project, **changes) -> projects.ProjectData:
    data = dict(code=project.code, name=project.name, enterprise=project.enterprise,
                industry=project.industry_code, intensity=project.intensity,
                source_region=project.source_region.code,
                destination_region=project.destination_region.code,
                cooperation_mode=project.cooperation_mode, status=project.status,
                uscc=project.uscc or "")
    data.update(changes)
    return projects.ProjectData(**data)


FUND_WRITES = {
    "commitment": lambda db, f, e, lo, p: add_lp(db, f, "7000000.00", on=dt.date(2024, 6, 1)),
    "movement": lambda db, f, e, lo, p: call(db, f, "1000000.00", dt.date(2024, 11, 1),
                                             MovementType.DISTRIBUTION),
    "transaction": lambda db, f, e, lo, p: investments.record_transaction(
        db, SYSTEM, lo.id, investments.TransactionData(
            TransactionType.REPAYMENT, dt.date(2024, 12, 1), Decimal("500000.00"))),
    "valuation": lambda db, f, e, lo, p: investments.record_valuation(
        db, SYSTEM, e.id, dt.date(2024, 12, 31), Decimal("9000000.00")),
    "new investment": lambda db, f, e, lo, p: invest(db, f, p, Instrument.GRANT),
    "sponsor region": lambda db, f, e, lo, p: funds.update_fund(
        db, SYSTEM, f.id, f.version, funds.FundData(
            code=f.code, name=f.name, sponsor_region="441600", manager=f.manager,
            fund_class=FundClass.INDUSTRIAL, vintage=f.vintage, target_size=f.target_size)),
    "project destination": lambda db, f, e, lo, p: projects.update_project(
        db, SYSTEM, p.id, p.version, _project_data(p, destination_region="440307")),
    "imported transactions": lambda db, f, e, lo, p: run(db, SYSTEM, "transactions", csv_bytes(
        TX_HEADER, [["IMP1", "CF", "CP1", "EQUITY", "PROCEEDS", "2024-10-15", "2000000.00",
                     "", ""]])),
}


@pytest.mark.parametrize("write", list(FUND_WRITES))
def test_after_each_kind_of_fund_write_the_cached_metrics_equal_a_fresh_computation(
        db, portfolio, write):
    fund, equity, loan, project = portfolio
    before = cached_metrics(db, fund)
    assert snapshot_count(db, FundMetricSnapshot) == 1
    FUND_WRITES[write](db, db.get(Fund, fund.id), equity, loan, db.get(Project, project.id))
    db.commit()
    assert current_fund_snapshots(db) == 0  # outdated in the writer's transaction
    after = cached_metrics(db, fund)
    assert after == fresh_metrics(db, fund)
    assert after != before


def deployment_of(m: fm.FundMetrics) -> fm.Deployment:
    """The deployment figures of full metrics (what the dashboard series shows)."""
    return fm.Deployment(m.committed, m.paid_in, m.disbursed, m.deployment_rate)


def test_the_dashboard_caches_the_selected_quarter_and_sums_the_series(db, portfolio):
    """Only the selected quarter's metrics (with the investments' IRRs) are computed and
    cached; the series is summed in SQL, equal to the full metrics at each quarter end."""
    fund = portfolio[0]
    board = metrics.fund_dashboard(db, SYSTEM, fund.id, Quarter(2024, 4))
    assert [q for q, _m in board.series] == QUARTERS
    assert snapshot_count(db, FundMetricSnapshot) == 1
    again = metrics.fund_dashboard(db, SYSTEM, fund.id, Quarter(2024, 4))
    for quarter, figures in again.series:
        assert figures == deployment_of(fresh_metrics(db, fund, quarter.last_day))
    assert again.metrics == fresh_metrics(db, fund)  # the schedule has its investments
    assert set(again.investments) == set(again.metrics.investments) == {"CP1", "CP2"}


def test_the_dashboard_series_follows_a_write(db, portfolio):
    fund = portfolio[0]
    before = metrics.fund_dashboard(db, SYSTEM, fund.id, Quarter(2024, 4))
    add_lp(db, db.get(Fund, fund.id), "1000000.00", on=dt.date(2024, 6, 1))
    db.commit()
    after = metrics.fund_dashboard(db, SYSTEM, fund.id, Quarter(2024, 4))
    assert after.series[-1][1].committed == before.series[-1][1].committed + Decimal("1000000")
    assert after.series[-1][1] == deployment_of(after.metrics)
    for quarter, figures in after.series:
        assert figures == deployment_of(fresh_metrics(db, fund, quarter.last_day))


def test_a_list_reads_the_fund_figures_without_the_investments(db, portfolio):
    fund = portfolio[0]
    cached_metrics(db, fund)
    figures = metrics.metrics_as_of(db, [db.get(Fund, fund.id)], AS_OF, detail=False)[fund.id]
    assert figures.investments == {}
    assert figures == replace(fresh_metrics(db, fund), investments={})


def test_a_snapshot_stored_under_an_outdated_generation_is_ignored(db, portfolio):
    """A reader that read the inputs before a writer committed must not serve its result."""
    fund = portfolio[0]
    generation = snapshots.generations(db, FUND, [fund.id])
    stale = fresh_metrics(db, fund)
    add_lp(db, db.get(Fund, fund.id), "1000000.00", on=dt.date(2024, 6, 1))
    db.commit()
    snapshots.store_fund_snapshots(db, generation, {(fund.id, AS_OF): stale})
    assert snapshot_count(db, FundMetricSnapshot) == 1
    assert cached_metrics(db, fund) == fresh_metrics(db, fund) != stale


def test_two_fills_of_the_same_snapshot_do_not_fail(db, portfolio):
    fund = portfolio[0]
    generation = snapshots.generations(db, FUND, [fund.id])
    value = fresh_metrics(db, fund)
    snapshots.store_fund_snapshots(db, generation, {(fund.id, AS_OF): value})
    snapshots.store_fund_snapshots(db, generation, {(fund.id, AS_OF): value})
    assert snapshot_count(db, FundMetricSnapshot) == 1


def fresh_statement(db, agreement_id, quarter):
    db.expire_all()
    agreement = agreements.get_agreement(db, SYSTEM, agreement_id)
    return compute_statement(db, agreement, quarter)


def through_cache(db, agreement_id, quarter):
    db.expire_all()
    agreement = agreements.get_agreement(db, SYSTEM, agreement_id)
    return cached_statement(db, agreement, quarter)


def _rename(db, setting):
    project = db.scalar(select(Project).where(Project.code == "WF-1"))
    projects.update_project(db, SYSTEM, project.id, project.version,
                            _project_data(project, name="改名的项目"))


STATEMENT_WRITES = {
    "observation": lambda db, s: observe(db, "2026Q2", {("WF-1", INDICATOR): "55.00"}),
    "observation removed": lambda db, s: observe(db, "2026Q2", {("WF-1", INDICATOR): None}),
    "correction of a closed quarter": lambda db, s: observe(
        db, "2026Q1", {("WF-2", INDICATOR): "9.00"}, reason="税务局更正"),
    "reopened quarter": lambda db, s: importlib.import_module("app.services.sharing.workflow")
    .reopen(db, SYSTEM, s.id, Quarter(2026, 1), "复核"),
    "project renamed": _rename,
    "imported observations": lambda db, s: run(db, s.dest, "observations", csv_bytes(
        OBS_HEADER, [["WF-2", INDICATOR, "2026Q2", "3.00", ""]])),
}


@pytest.mark.parametrize("write", list(STATEMENT_WRITES))
def test_after_each_kind_of_sharing_write_the_cached_statement_equals_a_fresh_one(db, write):
    setting = Setting(db)
    setting.close(db, "2026Q1")
    observe(db, "2026Q2", {("WF-1", INDICATOR): "50.00", ("WF-2", INDICATOR): "1.00"})
    db.commit()
    quarter = Quarter(2026, 2)
    before = through_cache(db, setting.id, quarter)
    region_before = regions.region_figures(db, SYSTEM, "441600", quarter)
    assert snapshot_count(db, StatementSnapshot) == snapshot_count(db, RegionLineSnapshot) == 1
    assert through_cache(db, setting.id, quarter).data() == before.data()
    STATEMENT_WRITES[write](db, setting)
    db.commit()
    after, fresh = through_cache(db, setting.id, quarter), fresh_statement(db, setting.id, quarter)
    assert (after.data(), after.fingerprint) == (fresh.data(), fresh.fingerprint)
    assert after.fingerprint != before.fingerprint
    region_after = regions.region_figures(db, SYSTEM, "441600", quarter)
    assert region_after == fresh_region(db, "441600", quarter)
    if "observation" in write or "correction" in write:  # new values: new figures
        assert region_after != region_before


def fresh_region(db, code, quarter):
    """The region's figures computed with every cache emptied."""
    for model in (StatementSnapshot, RegionLineSnapshot):
        db.execute(delete(model))
    return regions.region_figures(db, SYSTEM, code, quarter)


def test_a_cached_statement_equals_a_fresh_one_field_for_field(db):
    setting = Setting(db)
    db.commit()
    first = through_cache(db, setting.id, Quarter(2026, 1))
    cached = through_cache(db, setting.id, Quarter(2026, 1))
    fresh = fresh_statement(db, setting.id, Quarter(2026, 1))
    assert cached == fresh and cached.fingerprint == fresh.fingerprint == first.fingerprint


def test_cache_rows_never_reach_the_audit_trail_and_the_chain_stays_intact(db, portfolio):
    fund = portfolio[0]
    setting = Setting(db)
    db.commit()
    seq = db.scalar(select(func.max(AuditEntry.seq)))
    metrics.fund_dashboard(db, SYSTEM, fund.id, Quarter(2024, 4))
    through_cache(db, setting.id, Quarter(2026, 1))
    db.commit()
    assert snapshot_count(db, FundMetricSnapshot) and snapshot_count(db, StatementSnapshot)
    assert db.scalar(select(func.max(AuditEntry.seq))) == seq
    add_lp(db, db.get(Fund, fund.id), "1000000.00", on=dt.date(2024, 6, 1))
    db.commit()
    tables = set(db.scalars(select(AuditEntry.entity).where(AuditEntry.seq > seq)))
    assert tables == {"commitments"}
    assert audit.verify_chain(db).is_intact


def test_a_read_only_page_commits_the_snapshots_it_filled(app, db, portfolio):
    fund = portfolio[0]
    manager = make_user(db, Role.ADMIN)
    db.commit()
    client = app.test_client()
    sign_in(client, manager)
    response = client.get(f"/funds/{fund.id}?quarter=2024Q4")
    assert response.status_code == 200
    db.expire_all()
    assert snapshot_count(db, FundMetricSnapshot) == 1  # committed, visible to the next request


def test_an_unknown_enum_value_is_never_needed_to_read_a_snapshot(db, portfolio):
    """Snapshots keep only plain values: instruments and flags come back as text and bools."""
    item = cached_metrics(db, portfolio[0]).investments["CP2"]
    assert (item.instrument, item.is_not_marked, item.valuation_on) == ("LOAN", False, None)
    assert CooperationMode and ProjectStatus  # imported for _project_data's callers


def test_a_miss_computes_from_the_rows_as_they_are_now_not_older_copies_in_the_session(
        db, portfolio):
    """Another server's write lands between this request's first reads and its cache miss:
    the figures stored must come from the rows as they are now."""
    fund, equity = portfolio[0], portfolio[1]
    valuation = db.scalar(select(Valuation).where(Valuation.investment_id == equity.id))
    assert valuation.value == Decimal("12500000.00")  # the session now holds this copy
    table = Valuation.__table__  # the other writer, with Core: the session's copy stays old
    db.connection().execute(update(table).where(table.c.id == valuation.id)
                            .values(value=Decimal("20000000.00")))
    invalidate(db.connection(), [fund.id], [])  # …and its invalidation, as its flush does
    figures = metrics.metrics_as_of(db, [db.get(Fund, fund.id)], AS_OF)[fund.id]
    assert figures.investments["CP1"].value == Decimal("20000000.00")
    assert figures == fresh_metrics(db, fund)


def test_a_statement_miss_reads_the_agreement_as_it_is_now(db):
    setting = Setting(db)
    db.commit()
    agreement = agreements.get_agreement(db, SYSTEM, setting.id)
    project = next(c.project for c in agreement.covered if c.project.code == "WF-1")
    table = Project.__table__
    db.connection().execute(update(table).where(table.c.id == project.id).values(name="另一个名字"))
    invalidate(db.connection(), [], [setting.id])
    statement = cached_statement(db, agreement, Quarter(2026, 1))
    assert {r.project_name for r in statement.rows if r.project_code == "WF-1"} == {"另一个名字"}


def test_a_dated_entry_keeps_the_snapshots_of_earlier_quarters_and_recomputes_the_rest(
        db, portfolio):
    fund, loan = portfolio[0], portfolio[2]
    ends = [q.last_day for q in QUARTERS]
    metrics.metrics_at_dates(db, [db.get(Fund, fund.id)], ends)
    assert snapshot_count(db, FundMetricSnapshot) == 4
    investments.record_transaction(db, SYSTEM, loan.id, investments.TransactionData(
        TransactionType.REPAYMENT, dt.date(2024, 8, 15), Decimal("250000.00")))
    db.commit()
    kept = set(db.scalars(select(FundMetricSnapshot.as_of).where(
        FundMetricSnapshot.generation == current_generation(db, fund.id))))
    assert kept == {dt.date(2024, 3, 31), dt.date(2024, 6, 30)}  # before 15 August: still valid
    found = metrics.metrics_at_dates(db, [db.get(Fund, fund.id)], ends)
    for end in ends:
        assert found[fund.id, end] == replace(fresh_metrics(db, fund, end), investments={})
    board = metrics.fund_dashboard(db, SYSTEM, fund.id, Quarter(2024, 4))
    for quarter, figures in board.series:
        assert figures == deployment_of(fresh_metrics(db, fund, quarter.last_day))


def test_a_later_dated_write_never_revives_a_snapshot_of_an_outdated_generation(db, portfolio):
    fund = portfolio[0]
    june = dt.date(2024, 6, 30)
    outdated = snapshots.generations(db, FUND, [fund.id])
    wrong = fresh_metrics(db, fund, AS_OF)  # December's figures, stored as June's below
    add_lp(db, db.get(Fund, fund.id), "1000000.00", on=dt.date(2024, 1, 20))
    db.commit()
    snapshots.store_fund_snapshots(db, outdated, {(fund.id, june): wrong})
    call(db, db.get(Fund, fund.id), "1000000.00", dt.date(2024, 12, 1))  # after June
    db.commit()
    assert cached_metrics(db, fund, june) == fresh_metrics(db, fund, june) != wrong


# --- whole-database figures: the transfer flows and the timeliness figures --------------------


def fresh_flows(db, actor=SYSTEM):
    """The flows computed with their snapshots emptied."""
    db.execute(delete(ScopedSnapshot).where(ScopedSnapshot.name == "flows"))
    return flows.flows_in_scope(db, actor)


def cached_flows(db, actor=SYSTEM):
    db.expire_all()
    return flows.flows_in_scope(db, actor)


def _disburse(db, fund, equity, loan, project):
    investments.record_transaction(db, SYSTEM, loan.id, investments.TransactionData(
        TransactionType.DISBURSEMENT, dt.date(2024, 12, 1), Decimal("1234567.89")))


FLOW_WRITES = {
    "disbursement": _disburse,
    "imported disbursement": lambda db, f, e, lo, p: run(db, SYSTEM, "transactions", csv_bytes(
        TX_HEADER, [["IMP2", "CF", "CP1", "EQUITY", "DISBURSEMENT", "2024-10-15", "0.01",
                     "", ""]])),
    "new project": lambda db, f, e, lo, p: make_project(db, "CP3", destination="510104"),
}


@pytest.mark.parametrize("write", list(FLOW_WRITES))
def test_a_ledger_write_invalidates_the_cached_flows(db, portfolio, write):
    fund, equity, loan, project = portfolio
    before = cached_flows(db)
    assert scoped_count(db, "flows") == 1
    assert cached_flows(db) == before == fresh_flows(db)  # warm: read back exactly equal
    assert sum(f.disbursed for f in before) == Decimal("13000000.00")
    FLOW_WRITES[write](db, db.get(Fund, fund.id), equity, loan, db.get(Project, project.id))
    db.commit()
    assert scoped_count(db, "flows") == 0  # dropped in the writer's transaction
    after = cached_flows(db)
    assert after == fresh_flows(db)
    assert after != before


def fund_flows(db, fund_id, *, fresh=False):
    """One fund's flows, from its snapshot (or computed with the flows' snapshots emptied)."""
    if fresh:
        db.execute(delete(ScopedSnapshot).where(ScopedSnapshot.name == "flows"))
    db.expire_all()
    return flows.fund_flows(db, db.get(Fund, fund_id))


@pytest.mark.parametrize("write", list(FLOW_WRITES))
def test_a_ledger_write_invalidates_a_funds_cached_flows(db, portfolio, write):
    """The fund dashboard's flows are kept like the scoped ones: read back exactly, dropped
    in the writer's transaction by any project, investment or ledger row written."""
    fund, equity, loan, project = portfolio
    before = fund_flows(db, fund.id)
    assert scoped_count(db, "flows") == 1
    assert fund_flows(db, fund.id) == before == fund_flows(db, fund.id, fresh=True)
    FLOW_WRITES[write](db, db.get(Fund, fund.id), equity, loan, db.get(Project, project.id))
    db.commit()
    assert scoped_count(db, "flows") == 0
    after = fund_flows(db, fund.id)
    assert after == fund_flows(db, fund.id, fresh=True)
    assert (after != before) is (write != "new project")  # another fund's project: same flows


def test_the_flows_of_each_scope_are_cached_apart(db, portfolio):
    user = make_user(db, Role.AUDITOR, "440304")
    db.commit()
    regional, everything = cached_flows(db, actor_of(db, user)), cached_flows(db)
    assert scoped_count(db, "flows") == 2
    assert regional == fresh_flows(db, actor_of(db, user))
    assert everything == fresh_flows(db)


def scoped_count(db, name) -> int:
    return db.scalar(select(func.count()).select_from(ScopedSnapshot)
                     .where(ScopedSnapshot.name == name))


TODAY = dt.date(2026, 12, 31)  # 2026Q1 to Q3 are due


def fresh_timeliness(db, actor=SYSTEM):
    """The timeliness figures computed with their snapshots emptied."""
    db.execute(delete(ScopedSnapshot).where(ScopedSnapshot.name == "timeliness"))
    return timeliness.timeliness_of_years(db, actor, [2026, 2025], TODAY)


def cached_timeliness(db, actor=SYSTEM):
    db.expire_all()
    return timeliness.timeliness_of_years(db, actor, [2026, 2025], TODAY)


def _submit(moment):
    return lambda db, s: workflow.submit(db, s.dest, s.id, Quarter(2026, 1), at=moment)


def _settings(db, s):
    row = deadlines.cycle_settings(db)
    deadlines.update_settings(db, SYSTEM, 25, 30, row.version)


TIMELINESS_WRITES = {
    "submitted on time": _submit(dt.datetime(2026, 4, 10, 4, tzinfo=dt.UTC)),
    "closed": lambda db, s: s.close(db, "2026Q1"),
}


@pytest.mark.parametrize("write", list(TIMELINESS_WRITES))
def test_submitting_or_closing_a_quarter_invalidates_the_cached_timeliness(db, write):
    setting = Setting(db)
    db.commit()
    before = cached_timeliness(db)
    assert scoped_count(db, "timeliness") == 1
    assert cached_timeliness(db) == before == fresh_timeliness(db)
    assert [(r.year, r.rates.due, r.rates.reported) for r in before] == [(2026, 3, 0)]
    TIMELINESS_WRITES[write](db, setting)
    db.commit()
    assert scoped_count(db, "timeliness") == 0
    after = cached_timeliness(db)
    assert after == fresh_timeliness(db)
    assert after[0].rates.reported == 1 and after != before


def test_changing_the_deadline_settings_invalidates_the_cached_timeliness(db):
    setting = Setting(db)
    setting.agreement.activated_on = dt.date(2026, 1, 1)  # 2026Q1's days count from its end
    _submit(dt.datetime(2026, 4, 18, 4, tzinfo=dt.UTC))(db, setting)  # after the 15th: late
    db.commit()
    before = cached_timeliness(db)
    assert before[0].rates.on_time == 0
    _settings(db, setting)  # timely within 25 days: on time now
    db.commit()
    after = cached_timeliness(db)
    assert after == fresh_timeliness(db) and after[0].rates.on_time == 1


def test_a_scoped_snapshot_of_an_outdated_generation_is_ignored(db, portfolio):
    before = cached_flows(db)
    db.execute(update(ScopedSnapshot).values(data="[]"))  # a stored figure now wrong…
    db.commit()
    assert cached_flows(db) == []  # …is read while its generation is current
    invalidate(db.connection(), [], [], [LEDGER])  # the ledger's generation: 1
    db.execute(ScopedSnapshot.__table__.insert().values(
        name="flows", scope=snapshots.scope_digest("flows", "*"), generation=0, data="[]"))
    db.commit()
    assert cached_flows(db) == before  # generation 0 < 1: recomputed
