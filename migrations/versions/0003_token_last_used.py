"""api tokens remember when they were last used (idle tokens expire)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 02:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(), nullable=True))
    # Existing tokens count as used when the column appears: nobody is signed out by the upgrade.
    # Naive UTC from Python, as every stored time (CURRENT_TIMESTAMP would follow the server's
    # time zone on PostgreSQL).
    now = datetime.now(UTC).replace(tzinfo=None)
    op.get_bind().execute(sa.text("UPDATE api_tokens SET last_used_at = :now"), {"now": now})
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column("last_used_at", existing_type=sa.DateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")
