"""attachments: documents attached to agreements, quarters, queries, answers and investments

The file's record (``attachments``, audited) and its bytes, stored once per SHA-256
(``attachment_contents``).

Revision ID: f17a0c4d9e21
Revises: c4d7e9a2b1f0
Create Date: 2026-12-04 20:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = 'f17a0c4d9e21'
down_revision = 'c4d7e9a2b1f0'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attachment_contents',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_attachment_contents'))
    )
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('object_kind', sa.String(length=16), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.String(length=6), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('file_type', sa.String(length=8), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("object_kind IN ('agreement', 'quarter', 'query', 'answer', 'investment')", name=op.f('ck_attachments_object_kind_known')),
    sa.CheckConstraint("(object_kind = 'quarter') = (quarter IS NOT NULL)", name=op.f('ck_attachments_quarter_only_for_quarters')),
    sa.CheckConstraint('size > 0', name=op.f('ck_attachments_size_positive')),
    sa.ForeignKeyConstraint(['sha256'], ['attachment_contents.sha256'], name=op.f('fk_attachments_sha256_attachment_contents')),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['attachments.id'], name=op.f('fk_attachments_superseded_by_id_attachments')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_attachments_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index('ix_attachments_object', ['object_kind', 'object_id', 'quarter'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_sha256'), ['sha256'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_sha256'))
        batch_op.drop_index('ix_attachments_object')
    op.drop_table('attachments')
    op.drop_table('attachment_contents')
