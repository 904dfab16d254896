"""Anliegen a resident can follow: the hash of a private status token, the alliance's answer,
when it was discussed, and a keyed hash of the sender's address for per-address quotas.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("concerns") as batch:
        batch.add_column(sa.Column("status_token", sa.String(64)))
        batch.add_column(sa.Column("sender", sa.String(64)))
        batch.add_column(sa.Column("answer", sa.Text))
        batch.add_column(sa.Column("discussed_at", sa.BigInteger))
    op.create_index("ix_concerns_status_token", "concerns", ["status_token"], unique=True)
    op.create_index("ix_concerns_sender_created", "concerns", ["sender", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_concerns_sender_created", "concerns")
    op.drop_index("ix_concerns_status_token", "concerns")
    with op.batch_alter_table("concerns") as batch:
        for column in ("discussed_at", "answer", "sender", "status_token"):
            batch.drop_column(column)
