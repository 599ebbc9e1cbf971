"""refusal counters: refused credentials counted per source and minute, outside the audit chain

Revision ID: d4e1b8f6a2c3
Revises: c3d9a7e5f1b2
Create Date: 2026-11-27 09:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'd4e1b8f6a2c3'
down_revision = 'c3d9a7e5f1b2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('refusal_counters',
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('refused', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('source', 'window_start', name=op.f('pk_refusal_counters'))
    )
    op.create_index(op.f('ix_refusal_counters_window_start'), 'refusal_counters', ['window_start'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_refusal_counters_window_start'), table_name='refusal_counters')
    op.drop_table('refusal_counters')
