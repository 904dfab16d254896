"""Log-in attempts remember the client address they came from, so the per-address limit is
counted in the same write transaction that reserves an attempt (atomic under concurrency),
not from the audit log afterwards.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("login_attempts") as batch:
        batch.add_column(sa.Column("source", sa.String(64)))
    op.create_index("ix_login_attempts_source_at", "login_attempts", ["source", "at"])


def downgrade() -> None:
    op.drop_index("ix_login_attempts_source_at", "login_attempts")
    with op.batch_alter_table("login_attempts") as batch:
        batch.drop_column("source")
