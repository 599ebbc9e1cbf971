"""settlement: which indicators settle, settlement runs and their confirmations, the superior
department's notices and the differences carried until an auditor resolves them

Local retained tax (TAX_LOCAL) is money that changes hands and settles; the other shipped
indicators are statistics or quotas and do not.

Revision ID: e18a5e771e00
Revises: d17a0c5e9b31
Create Date: 2026-12-04 18:47:23.010932
"""

from alembic import op
import sqlalchemy as sa


revision = 'e18a5e771e00'
down_revision = 'd17a0c5e9b31'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('settlement_differences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('payer_region_id', sa.Integer(), nullable=False),
    sa.Column('payee_region_id', sa.Integer(), nullable=False),
    sa.Column('due', sa.BigInteger(), nullable=False),
    sa.Column('booked', sa.BigInteger(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Enum('TIMING', 'REFUND_AFTER_CUTOFF', 'DISPUTE', 'ROUNDING', name='differencereason', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution_note', sa.String(length=2000), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_settlement_differences_agreement_id_agreements')),
    sa.ForeignKeyConstraint(['payee_region_id'], ['regions.id'], name=op.f('fk_settlement_differences_payee_region_id_regions')),
    sa.ForeignKeyConstraint(['payer_region_id'], ['regions.id'], name=op.f('fk_settlement_differences_payer_region_id_regions')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_settlement_differences_resolved_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_differences')),
    sa.UniqueConstraint('agreement_id', 'fiscal_year', 'payer_region_id', 'payee_region_id', name='uq_settlement_differences_pair')
    )
    op.create_index(op.f('ix_settlement_differences_agreement_id'), 'settlement_differences', ['agreement_id'], unique=False)
    op.create_table('settlement_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('CENTRAL', 'PROVINCIAL', 'MUNICIPAL', name='noticelevel', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('number', sa.String(length=100), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('payer_region_id', sa.Integer(), nullable=False),
    sa.Column('payee_region_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_settlement_notices_agreement_id_agreements')),
    sa.ForeignKeyConstraint(['payee_region_id'], ['regions.id'], name=op.f('fk_settlement_notices_payee_region_id_regions')),
    sa.ForeignKeyConstraint(['payer_region_id'], ['regions.id'], name=op.f('fk_settlement_notices_payer_region_id_regions')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_settlement_notices_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_notices')),
    sa.UniqueConstraint('level', 'number', name=op.f('uq_settlement_notices_level_number'))
    )
    op.create_index(op.f('ix_settlement_notices_agreement_id'), 'settlement_notices', ['agreement_id'], unique=False)
    op.create_table('settlement_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('COMPUTED', 'CONFIRMED', name='settlementstate', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('data_json', sa.Text(), nullable=False),
    sa.Column('changes_json', sa.Text(), nullable=False),
    sa.Column('foots', sa.Boolean(), nullable=False),
    sa.Column('computed_by_id', sa.Integer(), nullable=True),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_settlement_runs_agreement_id_agreements')),
    sa.ForeignKeyConstraint(['computed_by_id'], ['users.id'], name=op.f('fk_settlement_runs_computed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_runs')),
    sa.UniqueConstraint('agreement_id', 'fiscal_year', 'number', name=op.f('uq_settlement_runs_agreement_id_fiscal_year_number'))
    )
    op.create_index(op.f('ix_settlement_runs_agreement_id'), 'settlement_runs', ['agreement_id'], unique=False)
    op.create_table('settlement_confirmations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['party_id'], ['agreement_parties.id'], name=op.f('fk_settlement_confirmations_party_id_agreement_parties')),
    sa.ForeignKeyConstraint(['run_id'], ['settlement_runs.id'], name=op.f('fk_settlement_confirmations_run_id_settlement_runs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_settlement_confirmations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settlement_confirmations')),
    sa.UniqueConstraint('run_id', 'party_id', name=op.f('uq_settlement_confirmations_run_id_party_id'))
    )
    with op.batch_alter_table('indicator_definitions') as batch:
        batch.add_column(sa.Column('settles', sa.Boolean(), server_default=sa.false(),
                                   nullable=False))
    with op.batch_alter_table('issued_reports') as batch:
        batch.drop_constraint(op.f('ck_issued_reports_kind_known'), type_='check')
        batch.create_check_constraint(
            op.f('ck_issued_reports_kind_known'),
            "kind IN ('fund', 'statement', 'region', 'settlement')")
    indicators = sa.table('indicator_definitions', sa.column('code', sa.String),
                          sa.column('settles', sa.Boolean))
    op.execute(indicators.update().where(indicators.c.code == 'TAX_LOCAL').values(settles=True))


def downgrade() -> None:
    op.execute("DELETE FROM issued_report_contents WHERE report_id IN "
               "(SELECT id FROM issued_reports WHERE kind = 'settlement')")
    op.execute("DELETE FROM issued_reports WHERE kind = 'settlement'")
    with op.batch_alter_table('issued_reports') as batch:
        batch.drop_constraint(op.f('ck_issued_reports_kind_known'), type_='check')
        batch.create_check_constraint(op.f('ck_issued_reports_kind_known'),
                                      "kind IN ('fund', 'statement', 'region')")
    with op.batch_alter_table('indicator_definitions') as batch:
        batch.drop_column('settles')
    op.drop_table('settlement_confirmations')
    op.drop_index(op.f('ix_settlement_runs_agreement_id'), table_name='settlement_runs')
    op.drop_table('settlement_runs')
    op.drop_index(op.f('ix_settlement_notices_agreement_id'), table_name='settlement_notices')
    op.drop_table('settlement_notices')
    op.drop_index(op.f('ix_settlement_differences_agreement_id'), table_name='settlement_differences')
    op.drop_table('settlement_differences')
