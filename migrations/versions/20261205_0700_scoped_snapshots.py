"""scoped snapshots: the transfer flows and the timeliness figures, cached per scope

A read-through cache (models/caches.py ``ScopedSnapshot``): whole-database figures seen through
an actor's scope, valid while their owner's generation (``cache_generations`` kind "ledger" or
"cycle", owner 0) is current. Starts empty; nothing to migrate.

Revision ID: a8e4c2f6d1b3
Revises: 5d1b7e93c0a4
Create Date: 2026-12-05 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a8e4c2f6d1b3"
down_revision = "5d1b7e93c0a4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scoped_snapshots",
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", "scope", name=op.f("pk_scoped_snapshots")),
    )


def downgrade() -> None:
    op.drop_table("scoped_snapshots")
