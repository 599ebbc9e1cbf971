"""parks: the transfer parks register, park membership of projects, agreements covering parks

Revision ID: 7a19c0de2000
Revises: a19c7e1d2b30
Create Date: 2026-12-04 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '7a19c0de2000'
down_revision = 'a19c7e1d2b30'
branch_labels = None
depends_on = None

_PARK_TYPE = sa.Enum('NATIONAL_ZONE', 'PROVINCIAL_PARK', 'CO_BUILT', 'ENCLAVE', name='parktype',
                     native_enum=False, create_constraint=True, length=24)
_PARTNER_ROLE = sa.Enum('SOURCE', 'HOST', 'CO_INVESTOR', 'OPERATOR', name='partnerrole',
                        native_enum=False, create_constraint=True, length=24)


def upgrade() -> None:
    op.create_table('parks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('park_type', _PARK_TYPE, nullable=False),
    sa.Column('host_region_id', sa.Integer(), nullable=False),
    sa.Column('approving_document', sa.String(length=200), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('cycle_start', sa.Date(), nullable=False),
    sa.Column('cycle_end', sa.Date(), nullable=True),
    sa.Column('planned_area', sa.BigInteger(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('cycle_end IS NULL OR cycle_end > cycle_start',
                       name=op.f('ck_parks_cycle_ordered')),
    sa.CheckConstraint('planned_area >= 0', name=op.f('ck_parks_planned_area_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                            name=op.f('fk_parks_created_by_id_users')),
    sa.ForeignKeyConstraint(['host_region_id'], ['regions.id'],
                            name=op.f('fk_parks_host_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parks')),
    sa.UniqueConstraint('code', name=op.f('uq_parks_code'))
    )
    with op.batch_alter_table('parks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parks_host_region_id'), ['host_region_id'],
                              unique=False)

    op.create_table('park_partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('role', _PARTNER_ROLE, nullable=False),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_park_partners_park_id_parks'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'],
                            name=op.f('fk_park_partners_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_park_partners')),
    sa.UniqueConstraint('park_id', 'region_id', name=op.f('uq_park_partners_park_id_region_id'))
    )
    with op.batch_alter_table('park_partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_park_partners_region_id'), ['region_id'],
                              unique=False)

    op.create_table('park_industries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('industry_code', sa.String(length=4), nullable=False),
    sa.ForeignKeyConstraint(['industry_code'], ['industry_divisions.code'],
                            name=op.f('fk_park_industries_industry_code_industry_divisions')),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'],
                            name=op.f('fk_park_industries_park_id_parks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_park_industries')),
    sa.UniqueConstraint('park_id', 'industry_code',
                        name=op.f('uq_park_industries_park_id_industry_code'))
    )

    op.create_table('park_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('left_on IS NULL OR left_on >= joined_on',
                       name=op.f('ck_park_memberships_left_after_joined')),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'],
                            name=op.f('fk_park_memberships_park_id_parks')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'],
                            name=op.f('fk_park_memberships_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_park_memberships')),
    sa.UniqueConstraint('project_id', name=op.f('uq_park_memberships_project_id'))
    )
    with op.batch_alter_table('park_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_park_memberships_park_id'), ['park_id'],
                              unique=False)

    op.create_table('covered_parks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'],
                            name=op.f('fk_covered_parks_agreement_id_agreements'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'],
                            name=op.f('fk_covered_parks_park_id_parks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_covered_parks')),
    sa.UniqueConstraint('agreement_id', 'park_id',
                        name=op.f('uq_covered_parks_agreement_id_park_id'))
    )
    with op.batch_alter_table('covered_parks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_covered_parks_park_id'), ['park_id'], unique=False)

    with op.batch_alter_table('covered_projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('via_park_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('first_quarter', sa.String(length=6), nullable=True))
        batch_op.add_column(sa.Column('last_quarter', sa.String(length=6), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_covered_projects_via_park_id_parks'), 'parks',
                                    ['via_park_id'], ['id'])


    with op.batch_alter_table('issued_reports', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_issued_reports_kind_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_issued_reports_kind_known'),
                                         "kind IN ('fund', 'statement', 'region', 'settlement', 'zone')")


def downgrade() -> None:
    # The older code knows no zone summaries: they go with the parks they were about.
    op.execute("DELETE FROM issued_report_contents WHERE report_id IN "
               "(SELECT id FROM issued_reports WHERE kind = 'zone')")
    op.execute("DELETE FROM issued_reports WHERE kind = 'zone'")
    with op.batch_alter_table('issued_reports', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_issued_reports_kind_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_issued_reports_kind_known'),
                                         "kind IN ('fund', 'statement', 'region', 'settlement')")
    op.execute('DELETE FROM covered_projects WHERE via_park_id IS NOT NULL')
    with op.batch_alter_table('covered_projects', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_covered_projects_via_park_id_parks'),
                                 type_='foreignkey')
        batch_op.drop_column('last_quarter')
        batch_op.drop_column('first_quarter')
        batch_op.drop_column('via_park_id')
    for table in ('covered_parks', 'park_memberships', 'park_industries', 'park_partners',
                  'parks'):
        op.drop_table(table)
