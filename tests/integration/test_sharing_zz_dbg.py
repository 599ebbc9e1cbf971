from tests.integration.test_sharing_workflow import s, Q1, CELL, SOURCE, workflow, select, AuditEntry, observe
def test_dbg(db, s):
    aq = workflow.submit(db, s.dest, s.id, Q1)
    workflow.confirm(db, s.src, s.id, Q1, SOURCE, aq.fingerprint)
    print([ (e.entity, e.action, e.changes) for e in db.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(3))])
    last_seq = db.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1))
    observe(db, "2026Q1", {CELL: "100.02"}, actor=s.dest)
    for e in db.scalars(select(AuditEntry).where(AuditEntry.seq > last_seq)):
        print(e.entity, e.entity_id, e.action, e.changes)
    from app.models import Confirmation
    print(db.scalars(select(Confirmation)).all())
