"""batches: several videos in one request, one aggregate status and one push

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 02:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_batches_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
    )
    op.create_index("ix_batches_user_created", "batches", ["user_id", "created_at", "id"])
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch_id", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_jobs_batch_id_batches"),
            "batches",
            ["batch_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index("ix_jobs_batch_id", ["batch_id"])


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_batch_id")
        batch_op.drop_constraint(batch_op.f("fk_jobs_batch_id_batches"), type_="foreignkey")
        batch_op.drop_column("batch_id")
    op.drop_index("ix_batches_user_created", table_name="batches")
    op.drop_table("batches")
