"""indexes for the fair claim: a user's jobs by status, and by when they started

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 21:45:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_jobs_user_status_created", "jobs", ["user_id", "status", "created_at", "id"]
    )
    op.create_index("ix_jobs_user_started", "jobs", ["user_id", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_jobs_user_started", table_name="jobs")
    op.drop_index("ix_jobs_user_status_created", table_name="jobs")
