"""reference counters: generated ledger references numbered from a locked per-fund counter row

Revision ID: c3d9a7e5f1b2
Revises: c3d8e1f5a2b7
Create Date: 2026-11-27 09:00:00

The counters start from the references already in each fund's ledger: the highest number of a
reference ``<fund code>-M<digits>`` (movements) or ``<fund code>-T<digits>`` (transactions).
"""

import re

from alembic import op
import sqlalchemy as sa


revision = 'c3d9a7e5f1b2'
down_revision = 'c3d8e1f5a2b7'
branch_labels = None
depends_on = None

_DIGITS = re.compile(r"[0-9]+")


def upgrade() -> None:
    counters = op.create_table('reference_counters',
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('ledger', sa.String(length=1), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_reference_counters_fund_id_funds')),
    sa.PrimaryKeyConstraint('fund_id', 'ledger', name=op.f('pk_reference_counters'))
    )
    bind = op.get_bind()
    codes = dict(bind.execute(sa.text("SELECT id, code FROM funds")).all())
    highest: dict[tuple[int, str], int] = {}
    for ledger, table in (("M", "movements"), ("T", "investment_transactions")):
        for fund_id, reference in bind.execute(sa.text(f"SELECT fund_id, reference FROM {table}")):
            stem = f"{codes[fund_id]}-{ledger}"
            tail = reference[len(stem):] if reference.startswith(stem) else ""
            if _DIGITS.fullmatch(tail):
                key = (fund_id, ledger)
                highest[key] = max(highest.get(key, 0), int(tail))
    if highest:
        op.bulk_insert(counters, [{"fund_id": f, "ledger": ledger, "last_number": n}
                                  for (f, ledger), n in sorted(highest.items())])


def downgrade() -> None:
    op.drop_table('reference_counters')
