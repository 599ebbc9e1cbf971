"""the transfer guidance catalogue: editions, entries, their codes, and screening results

Revision ID: a19c7e1d2b30
Revises: e18a5e771e00
Create Date: 2026-12-04 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'a19c7e1d2b30'
down_revision = 'e18a5e771e00'
branch_labels = None
depends_on = None

_LISTS = ('PRIORITY', 'ADJUST_EXIT', 'NO_LONGER')
_FLAGS = (*_LISTS, 'REVIEW', 'NONE')


def _coded(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=24)


def upgrade() -> None:
    op.create_table(
        'catalogue_editions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(100), nullable=False),
        sa.Column('published_on', sa.Date(), nullable=True),
        sa.Column('source_note', sa.String(500), nullable=False),
        sa.Column('is_sample', sa.Boolean(), nullable=False),
        sa.Column('is_current', sa.Boolean(), nullable=False),
        sa.Column('replaced_id', sa.Integer(), nullable=True),
        sa.Column('made_current_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['replaced_id'], ['catalogue_editions.id'],
                                name='fk_catalogue_editions_replaced_id_catalogue_editions'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name='fk_catalogue_editions_created_by_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_catalogue_editions'),
        sa.UniqueConstraint('name', name='uq_catalogue_editions_name'),
    )
    op.create_index('uq_catalogue_editions_current', 'catalogue_editions', ['is_current'],
                    unique=True, sqlite_where=sa.text('is_current'),
                    postgresql_where=sa.text('is_current'))
    op.create_table(
        'catalogue_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('edition_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('list_code', _coded(_LISTS, 'cataloguelist'), nullable=False),
        sa.Column('heading', sa.String(100), nullable=False),
        sa.Column('text', sa.String(1000), nullable=False),
        sa.Column('exceptions', sa.String(1000), nullable=True),
        sa.Column('needs_review', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['edition_id'], ['catalogue_editions.id'],
                                name='fk_catalogue_entries_edition_id_catalogue_editions'),
        sa.ForeignKeyConstraint(['region_id'], ['regions.id'],
                                name='fk_catalogue_entries_region_id_regions'),
        sa.PrimaryKeyConstraint('id', name='pk_catalogue_entries'),
    )
    op.create_index('ix_catalogue_entries_edition_id', 'catalogue_entries', ['edition_id'])
    op.create_index('ix_catalogue_entries_region_id', 'catalogue_entries', ['region_id'])
    op.create_table(
        'catalogue_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('edition_id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('list_code', _coded(_LISTS, 'cataloguelist'), nullable=False),
        sa.Column('industry_code', sa.String(4), nullable=False),
        sa.ForeignKeyConstraint(['entry_id'], ['catalogue_entries.id'],
                                name='fk_catalogue_codes_entry_id_catalogue_entries'),
        sa.ForeignKeyConstraint(['edition_id'], ['catalogue_editions.id'],
                                name='fk_catalogue_codes_edition_id_catalogue_editions'),
        sa.ForeignKeyConstraint(['region_id'], ['regions.id'],
                                name='fk_catalogue_codes_region_id_regions'),
        sa.ForeignKeyConstraint(['industry_code'], ['industry_divisions.code'],
                                name='fk_catalogue_codes_industry_code_industry_divisions'),
        sa.PrimaryKeyConstraint('id', name='pk_catalogue_codes'),
        sa.UniqueConstraint('edition_id', 'region_id', 'list_code', 'industry_code',
                            name='uq_catalogue_codes_edition_id_region_id_list_code_industry_code'),
    )
    op.create_index('ix_catalogue_codes_entry_id', 'catalogue_codes', ['entry_id'])
    op.create_table(
        'screening_results',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('edition_id', sa.Integer(), nullable=False),
        sa.Column('screened', _coded(_FLAGS, 'screeningflag'), nullable=False),
        sa.Column('flag', _coded(_FLAGS, 'shownflag'), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=True),
        sa.Column('entry_ids', sa.String(200), nullable=False),
        sa.Column('decided_list', _coded(_LISTS, 'cataloguelist'), nullable=True),
        sa.Column('decision_reason', sa.String(500), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('screened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'],
                                name='fk_screening_results_project_id_projects'),
        sa.ForeignKeyConstraint(['edition_id'], ['catalogue_editions.id'],
                                name='fk_screening_results_edition_id_catalogue_editions'),
        sa.ForeignKeyConstraint(['entry_id'], ['catalogue_entries.id'],
                                name='fk_screening_results_entry_id_catalogue_entries'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'],
                                name='fk_screening_results_decided_by_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_screening_results'),
        sa.UniqueConstraint('project_id', 'edition_id',
                            name='uq_screening_results_project_id_edition_id'),
    )
    op.create_index('ix_screening_results_project_id', 'screening_results', ['project_id'])
    op.create_index('ix_screening_results_edition_id_flag', 'screening_results',
                    ['edition_id', 'flag'])


def downgrade() -> None:
    op.drop_table('screening_results')
    op.drop_table('catalogue_codes')
    op.drop_table('catalogue_entries')
    op.drop_index('uq_catalogue_editions_current', table_name='catalogue_editions')
    op.drop_table('catalogue_editions')
