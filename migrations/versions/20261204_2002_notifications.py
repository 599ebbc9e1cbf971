"""notifications: the outbox of events told to users, and each user's e-mail choice

Revision ID: d17a0c5e9b31
Revises: f17a0c4d9e21
Create Date: 2026-12-04 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'd17a0c5e9b31'
down_revision = 'f17a0c4d9e21'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('email_mode', sa.String(length=8), nullable=False,
                                   server_default='EACH'))
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('event_key', sa.String(length=200), nullable=False),
        sa.Column('params', sa.Text(), nullable=False),
        sa.Column('link', sa.String(length=500), nullable=False),
        sa.Column('object_kind', sa.String(length=40), nullable=True),
        sa.Column('object_id', sa.Integer(), nullable=True),
        sa.Column('report_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('email_state', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=1000), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("email_state IN ('PENDING', 'SENT', 'FAILED', 'SKIPPED', 'DIGESTED')",
                           name=op.f('ck_notifications_email_state_known')),
        sa.CheckConstraint('attempts >= 0', name=op.f('ck_notifications_attempts_not_negative')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE',
                                name=op.f('fk_notifications_user_id_users')),
        sa.ForeignKeyConstraint(['report_id'], ['issued_reports.id'],
                                name=op.f('fk_notifications_report_id_issued_reports')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
        sa.UniqueConstraint('event_key', 'user_id',
                            name=op.f('uq_notifications_event_key_user_id')),
    )
    op.create_index('ix_notifications_inbox', 'notifications', ['user_id', 'id'])
    op.create_index('ix_notifications_due', 'notifications', ['email_state', 'next_attempt_at'])


def downgrade() -> None:
    op.drop_index('ix_notifications_due', table_name='notifications')
    op.drop_index('ix_notifications_inbox', table_name='notifications')
    op.drop_table('notifications')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('email_mode')
