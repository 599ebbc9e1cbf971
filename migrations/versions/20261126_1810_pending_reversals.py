"""pending reversals: reversal requests awaiting a second person's approval (four eyes)

Revision ID: b7e2d4c1a9f3
Revises: a1f6c3d2b4e5
Create Date: 2026-11-26 18:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'b7e2d4c1a9f3'
down_revision = 'a1f6c3d2b4e5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reversal_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('movement_id', sa.Integer(), nullable=True),
    sa.Column('transaction_id', sa.Integer(), nullable=True),
    sa.Column('reversed_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('restated_quarter', sa.String(length=6), nullable=False),
    sa.Column('issued_report_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('PENDING', 'APPROVED', 'REJECTED', name='reversalstatus', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.String(length=500), nullable=True),
    sa.Column('reversal_movement_id', sa.Integer(), nullable=True),
    sa.Column('reversal_transaction_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status <> 'APPROVED' OR reversal_movement_id IS NOT NULL OR reversal_transaction_id IS NOT NULL", name=op.f('ck_reversal_requests_approved_has_entry')),
    sa.CheckConstraint('(movement_id IS NULL) <> (transaction_id IS NULL)', name=op.f('ck_reversal_requests_one_entry')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_reversal_requests_decided_by_id_users')),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_reversal_requests_fund_id_funds')),
    sa.ForeignKeyConstraint(['issued_report_id'], ['issued_reports.id'], name=op.f('fk_reversal_requests_issued_report_id_issued_reports')),
    sa.ForeignKeyConstraint(['movement_id'], ['movements.id'], name=op.f('fk_reversal_requests_movement_id_movements')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_reversal_requests_requested_by_id_users')),
    sa.ForeignKeyConstraint(['reversal_movement_id'], ['movements.id'], name=op.f('fk_reversal_requests_reversal_movement_id_movements')),
    sa.ForeignKeyConstraint(['reversal_transaction_id'], ['investment_transactions.id'], name=op.f('fk_reversal_requests_reversal_transaction_id_investment_transactions')),
    sa.ForeignKeyConstraint(['transaction_id'], ['investment_transactions.id'], name=op.f('fk_reversal_requests_transaction_id_investment_transactions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reversal_requests')),
    sa.UniqueConstraint('reversal_movement_id', name=op.f('uq_reversal_requests_reversal_movement_id')),
    sa.UniqueConstraint('reversal_transaction_id', name=op.f('uq_reversal_requests_reversal_transaction_id'))
    )
    op.create_index(op.f('ix_reversal_requests_fund_id'), 'reversal_requests', ['fund_id'], unique=False)
    op.create_index(op.f('ix_reversal_requests_movement_id'), 'reversal_requests', ['movement_id'], unique=False)
    op.create_index(op.f('ix_reversal_requests_requested_by_id'), 'reversal_requests', ['requested_by_id'], unique=False)
    op.create_index(op.f('ix_reversal_requests_transaction_id'), 'reversal_requests', ['transaction_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_reversal_requests_transaction_id'), table_name='reversal_requests')
    op.drop_index(op.f('ix_reversal_requests_requested_by_id'), table_name='reversal_requests')
    op.drop_index(op.f('ix_reversal_requests_movement_id'), table_name='reversal_requests')
    op.drop_index(op.f('ix_reversal_requests_fund_id'), table_name='reversal_requests')
    op.drop_table('reversal_requests')
