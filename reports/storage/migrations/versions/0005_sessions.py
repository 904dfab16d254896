"""Server-side log-in sessions, so a log-in survives a reload and new tabs and every
dashboard process on the store accepts it: the browser keeps a random token in an HttpOnly
cookie, the table only its hash.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("token_hash", sa.String(64), unique=True),
        sa.Column("grant_hash", sa.String(64), unique=True),
        sa.Column("grant_expires_at", sa.BigInteger),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("last_seen", sa.BigInteger, nullable=False),
        sa.Column("revoked_at", sa.BigInteger),
    )
    op.create_index("ix_sessions_username", "sessions", ["username"])


def downgrade() -> None:
    op.drop_index("ix_sessions_username", "sessions")
    op.drop_table("sessions")
