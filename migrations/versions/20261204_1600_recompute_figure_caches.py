"""recompute figure caches: statements' cap used/left, XIRR and project status changed meaning

The cached statements, region lines and fund metrics were computed by the previous rules (cap
used floored from the exact share, XIRR's coarse grid). They are read-through caches, not
business data: emptying them makes every page recompute with the current rules. Statements of
closed quarters are not caches (agreement_quarters.statement_json) and are left as signed.

Revision ID: c4d7e9a2b1f0
Revises: c5d2e0f4a8b1
Create Date: 2026-12-04 16:00:00
"""

from alembic import op


revision = 'c4d7e9a2b1f0'
down_revision = 'c5d2e0f4a8b1'
branch_labels = None
depends_on = None

_CACHES = ('statement_snapshots', 'region_line_snapshots', 'fund_metric_snapshots')


def upgrade() -> None:
    for table in _CACHES:
        op.execute(f'DELETE FROM {table}')


def downgrade() -> None:
    for table in _CACHES:  # the older code recomputes its own figures as well
        op.execute(f'DELETE FROM {table}')
