"""resumable (tus) uploads and idempotency leases

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 02:02:38.346725
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('tus_uploads',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('length', sa.BigInteger(), nullable=False),
    sa.Column('offset_bytes', sa.BigInteger(), nullable=False),
    sa.Column('upload_metadata', sa.Text(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=255), nullable=True),
    sa.Column('job_id', sa.String(length=36), nullable=True),
    sa.Column('response_status', sa.Integer(), nullable=True),
    sa.Column('response_body', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tus_uploads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tus_uploads')),
    sa.UniqueConstraint('user_id', 'idempotency_key', name='uq_tus_uploads_user_key')
    )
    with op.batch_alter_table('tus_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tus_uploads_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tus_uploads_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holder', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('lease_expires_at', sa.DateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_column('lease_expires_at')
        batch_op.drop_column('holder')

    with op.batch_alter_table('tus_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tus_uploads_user_id'))
        batch_op.drop_index(batch_op.f('ix_tus_uploads_expires_at'))

    op.drop_table('tus_uploads')
