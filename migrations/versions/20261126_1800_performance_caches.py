"""performance caches: fund metric and statement snapshots, their generations, list indexes

Revision ID: a1f6c3d2b4e5
Revises: fd95536f28ad
Create Date: 2026-11-26 18:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'a1f6c3d2b4e5'
down_revision = 'fd95536f28ad'
branch_labels = None
depends_on = None

INDEXES = [
    ('funds', 'ix_funds_name_id', ['name', 'id']),
    ('projects', 'ix_projects_name_id', ['name', 'id']),
    ('agreements', 'ix_agreements_title_id', ['title', 'id']),
    ('observations', 'ix_observations_quarter_project_id_indicator_code',
     ['quarter', 'project_id', 'indicator_code']),
    ('observations', 'ix_observations_indicator_code_quarter', ['indicator_code', 'quarter']),
    ('audit_entries', 'ix_audit_entries_entity_seq', ['entity', 'seq']),
    ('investment_transactions', 'ix_investment_transactions_fund_id_occurred_on',
     ['fund_id', 'occurred_on']),
    ('movements', 'ix_movements_fund_id_moved_on', ['fund_id', 'moved_on']),
]


def upgrade() -> None:
    op.create_table('cache_generations',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('owner_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'owner_id', name=op.f('pk_cache_generations'))
    )
    op.create_table('fund_metric_snapshots',
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_fund_metric_snapshots_fund_id_funds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('fund_id', 'as_of', name=op.f('pk_fund_metric_snapshots'))
    )
    op.create_table('statement_snapshots',
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.String(length=6), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_statement_snapshots_agreement_id_agreements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agreement_id', 'quarter', name=op.f('pk_statement_snapshots'))
    )
    op.create_table('region_line_snapshots',
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.String(length=6), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_region_line_snapshots_agreement_id_agreements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agreement_id', 'quarter', 'region_code', name=op.f('pk_region_line_snapshots'))
    )
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
    op.drop_table('region_line_snapshots')
    op.drop_table('statement_snapshots')
    op.drop_table('fund_metric_snapshots')
    op.drop_table('cache_generations')
