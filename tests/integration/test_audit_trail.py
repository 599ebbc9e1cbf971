"""The audit trail: written with the change, field by field, hash-chained, tamper-evident."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import select, update

from app.models import AuditEntry
from app.services.access.audit import verify_chain
from app.services.access.scopes import SYSTEM
from app.services.funds import register as funds
from tests.factories import make_fund


def _entries(db, entity, entity_id):
    return db.scalars(select(AuditEntry).where(AuditEntry.entity == entity,
                                               AuditEntry.entity_id == str(entity_id))
                      .order_by(AuditEntry.seq)).all()


def test_an_insert_writes_an_entry_with_every_field_and_the_actor(db):
    fund = make_fund(db, "AUD-1")
    [entry] = _entries(db, "funds", fund.id)
    changes = json.loads(entry.changes)
    assert entry.action == "INSERT"
    assert entry.actor == "tests"
    assert changes["code"] == [None, "AUD-1"]
    assert changes["target_size"] == [None, "1000000000.00"]


def test_an_update_records_only_the_changed_fields_with_old_and_new_values(db):
    fund = make_fund(db, "AUD-2")
    data = funds.FundData(code="AUD-2", name="改名后的基金", sponsor_region="440300",
                          manager=fund.manager, fund_class=fund.fund_class, vintage=2023,
                          target_size=Decimal("1200000000.50"))
    funds.update_fund(db, SYSTEM, fund.id, fund.version, data)
    update_entry = _entries(db, "funds", fund.id)[-1]
    assert update_entry.action == "UPDATE"
    assert json.loads(update_entry.changes) == {
        "name": ["基金 AUD-2", "改名后的基金"],
        "target_size": ["1000000000.00", "1200000000.50"],
    }


def test_a_rolled_back_change_leaves_no_audit_entry(db):
    before = db.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1))
    nested = db.begin_nested()
    make_fund(db, "AUD-3")
    nested.rollback()
    after = db.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1))
    assert after == before


def test_the_chain_verifies_and_detects_an_altered_entry(db):
    make_fund(db, "AUD-4")
    assert verify_chain(db).is_intact
    [entry] = _entries(db, "funds", db.scalar(select(AuditEntry.entity_id).where(
        AuditEntry.entity == "funds").order_by(AuditEntry.seq.desc()).limit(1)))
    db.execute(update(AuditEntry).where(AuditEntry.id == entry.id)
               .values(changes=entry.changes.replace("AUD-4", "AUD-X")))
    db.expire_all()
    report = verify_chain(db)
    assert not report.is_intact
    assert report.broken_at == entry.seq
    assert "altered" in report.problem


def test_the_chain_detects_a_deleted_entry(db):
    make_fund(db, "AUD-5")
    make_fund(db, "AUD-6")
    victim = _entries(db, "funds", db.scalar(select(AuditEntry.entity_id).where(
        AuditEntry.entity == "funds").order_by(AuditEntry.seq.desc()).offset(1).limit(1)))[0]
    db.delete(victim)
    db.flush()
    db.expire_all()
    report = verify_chain(db)
    assert report.broken_at == victim.seq
    assert "missing" in report.problem


def test_password_hashes_never_reach_the_trail(db):
    from app.domain.codes import Role
    from tests.factories import make_user

    user = make_user(db, Role.ADMIN)
    [entry] = _entries(db, "users", user.id)
    assert json.loads(entry.changes)["password_hash"] == [None, "***"]
    assert user.password_hash not in entry.changes
