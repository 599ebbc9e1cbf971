"""deadlines: the cycle's default days, per-agreement overrides, activation dates, the first
submission of a quarter, and lock exceptions

Agreements active before this revision get today's date (UTC) as their activation date: the
quarters they have not closed yet get a fresh window counted from the upgrade, rather than
locking at once. A quarter's first submission is taken to be its latest one.

Revision ID: e7c1a9d3f5b2
Revises: 7a19c0de2000
Create Date: 2026-12-04 20:00:00
"""

import datetime as dt

from alembic import op
import sqlalchemy as sa


revision = 'e7c1a9d3f5b2'
down_revision = '7a19c0de2000'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cycle_settings',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('timely_days', sa.Integer(), nullable=False),
    sa.Column('lock_days', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('timely_days BETWEEN 1 AND 365', name=op.f('ck_cycle_settings_timely_days_range')),
    sa.CheckConstraint('lock_days BETWEEN timely_days AND 365', name=op.f('ck_cycle_settings_lock_days_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycle_settings'))
    )
    op.execute("INSERT INTO cycle_settings (id, timely_days, lock_days, version) "
               "VALUES (1, 15, 20, 1)")
    op.create_table('lock_exceptions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.String(length=6), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('until', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_lock_exceptions_agreement_id_agreements')),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_lock_exceptions_granted_by_id_users')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_lock_exceptions_region_id_regions')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_lock_exceptions_revoked_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lock_exceptions'))
    )
    op.create_index(op.f('ix_lock_exceptions_agreement_id'), 'lock_exceptions', ['agreement_id'], unique=False)
    with op.batch_alter_table('agreements') as batch:
        batch.add_column(sa.Column('activated_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('timely_days', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('lock_days', sa.Integer(), nullable=True))
    with op.batch_alter_table('agreement_quarters') as batch:
        batch.add_column(sa.Column('first_submitted_at', sa.DateTime(timezone=True), nullable=True))
    agreements = sa.table('agreements', sa.column('status', sa.String),
                          sa.column('activated_on', sa.Date))
    op.execute(agreements.update().where(agreements.c.status == 'ACTIVE')
               .values(activated_on=dt.datetime.now(dt.UTC).date()))
    op.execute("UPDATE agreement_quarters SET first_submitted_at = submitted_at")


def downgrade() -> None:
    with op.batch_alter_table('agreement_quarters') as batch:
        batch.drop_column('first_submitted_at')
    with op.batch_alter_table('agreements') as batch:
        batch.drop_column('lock_days')
        batch.drop_column('timely_days')
        batch.drop_column('activated_on')
    op.drop_index(op.f('ix_lock_exceptions_agreement_id'), table_name='lock_exceptions')
    op.drop_table('lock_exceptions')
    op.drop_table('cycle_settings')
