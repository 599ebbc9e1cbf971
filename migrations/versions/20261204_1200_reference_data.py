"""reference data: region editions and retired codes, industries of every GB/T 4754 level, and the
shipped GB/T 2260 (2022) regions, GB/T 4754-2017 classification and indicators

Revision ID: c5d2e0f4a8b1
Revises: d4e1b8f6a2c3
Create Date: 2026-12-04 12:00:00

The data step inserts what is missing (idempotent; see app/services/reference/builtin.py, which
reads only the shipped files in app/data/). Downgrade drops the new columns; industries below
division level are removed and projects on them fall back to their division.
"""

from alembic import op
import sqlalchemy as sa

from app.services.reference import builtin as reference_data

revision = 'c5d2e0f4a8b1'
down_revision = 'd4e1b8f6a2c3'
branch_labels = None
depends_on = None


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _redeclare(table: str, *changes: tuple[str, str]) -> None:
    """SQLite: change declarations that do not touch the stored rows (a VARCHAR's length, a NOT
    NULL dropped or restored, a column's REFERENCES clause) in the table's CREATE statement, as
    the SQLite manual describes (writable_schema, then a new schema_version). Rebuilding the
    table instead would drop a table that other rows refer to, which a transaction with foreign
    keys on cannot do."""
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).scalar_one()
    for old, new in changes:
        if old not in sql:
            raise RuntimeError(f"{table}: expected {old!r} in its declaration")
        sql = sql.replace(old, new, 1)
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                         (sql, table))
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    op.create_table('region_editions',
    sa.Column('edition', sa.String(length=20), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('codes', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('edition', name=op.f('pk_region_editions'))
    )
    if _is_sqlite():
        op.execute("ALTER TABLE regions ADD COLUMN edition VARCHAR(20)")
        op.execute("ALTER TABLE regions ADD COLUMN valid_until DATE")
        op.execute("ALTER TABLE regions ADD COLUMN successor_id INTEGER CONSTRAINT "
                   "fk_regions_successor_id_regions REFERENCES regions (id)")
        op.execute("ALTER TABLE industry_divisions ADD COLUMN level VARCHAR(10) "
                   "DEFAULT 'DIVISION' NOT NULL")
        op.execute("ALTER TABLE industry_divisions ADD COLUMN parent_code VARCHAR(4)")
        _redeclare('industry_divisions', ("code VARCHAR(2) NOT NULL", "code VARCHAR(4) NOT NULL"),
                   ("name_en VARCHAR(200) NOT NULL", "name_en VARCHAR(200)"))
        _redeclare('projects', ("industry_code VARCHAR(2) NOT NULL",
                                "industry_code VARCHAR(4) NOT NULL"))
    else:
        op.add_column('regions', sa.Column('edition', sa.String(length=20), nullable=True))
        op.add_column('regions', sa.Column('valid_until', sa.Date(), nullable=True))
        op.add_column('regions', sa.Column('successor_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_regions_successor_id_regions'), 'regions', 'regions', ['successor_id'], ['id'])
        op.alter_column('industry_divisions', 'code', existing_type=sa.String(length=2), type_=sa.String(length=4), existing_nullable=False)
        op.add_column('industry_divisions', sa.Column('level', sa.String(length=10), server_default='DIVISION', nullable=False))
        op.add_column('industry_divisions', sa.Column('parent_code', sa.String(length=4), nullable=True))
        op.alter_column('industry_divisions', 'name_en', existing_type=sa.String(length=200), nullable=True)
        op.alter_column('projects', 'industry_code', existing_type=sa.String(length=2), type_=sa.String(length=4), existing_nullable=False)
    reference_data.load_shipped(op.get_bind())


def downgrade() -> None:
    industries = sa.table('industry_divisions', sa.column('code', sa.String), sa.column('level', sa.String), sa.column('name_en', sa.String), sa.column('name', sa.String))
    projects = sa.table('projects', sa.column('industry_code', sa.String))
    op.execute(projects.update().where(sa.func.length(projects.c.industry_code) > 2)
               .values(industry_code=sa.func.substr(projects.c.industry_code, 1, 2)))
    op.execute(industries.delete().where(industries.c.level != 'DIVISION'))
    op.execute(industries.update().where(industries.c.name_en.is_(None)).values(name_en=industries.c.name))
    op.drop_table('region_editions')
    if _is_sqlite():
        _redeclare('regions', (", successor_id INTEGER CONSTRAINT fk_regions_successor_id_regions "
                               "REFERENCES regions (id)", ", successor_id INTEGER"))
        for column in ('successor_id', 'valid_until', 'edition'):
            op.execute(f"ALTER TABLE regions DROP COLUMN {column}")
        op.execute("ALTER TABLE industry_divisions DROP COLUMN parent_code")
        op.execute("ALTER TABLE industry_divisions DROP COLUMN level")
        _redeclare('industry_divisions', ("code VARCHAR(4) NOT NULL", "code VARCHAR(2) NOT NULL"),
                   ("name_en VARCHAR(200)", "name_en VARCHAR(200) NOT NULL"))
        _redeclare('projects', ("industry_code VARCHAR(4) NOT NULL",
                                "industry_code VARCHAR(2) NOT NULL"))
        return
    op.alter_column('projects', 'industry_code', existing_type=sa.String(length=4), type_=sa.String(length=2), existing_nullable=False)
    op.alter_column('industry_divisions', 'name_en', existing_type=sa.String(length=200), nullable=False)
    op.drop_column('industry_divisions', 'parent_code')
    op.drop_column('industry_divisions', 'level')
    op.alter_column('industry_divisions', 'code', existing_type=sa.String(length=4), type_=sa.String(length=2), existing_nullable=False)
    op.drop_constraint(op.f('fk_regions_successor_id_regions'), 'regions', type_='foreignkey')
    op.drop_column('regions', 'successor_id')
    op.drop_column('regions', 'valid_until')
    op.drop_column('regions', 'edition')
