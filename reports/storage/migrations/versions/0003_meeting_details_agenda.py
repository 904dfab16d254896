"""Meetings get a time, a place, a moderator note and a status (planned / cancelled); the
agenda gets its own table for free items and the order Redaktion gives the items.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"  # after the import profiles (issue 14)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("meetings", sa.Column("starts_at", sa.String(5)))
    op.add_column("meetings", sa.Column("place", sa.Text))
    op.add_column("meetings", sa.Column("note", sa.Text))
    op.add_column("meetings", sa.Column("status", sa.String(12), nullable=False,
                                        server_default="planned"))
    op.create_table(
        "agenda_items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("meeting_id", sa.Integer, nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("note", sa.Text),
        sa.Column("position", sa.Integer, nullable=False),
        sa.UniqueConstraint("meeting_id", "key", name="uq_agenda_items_meeting_key"),
    )


def downgrade() -> None:
    op.drop_table("agenda_items")
    with op.batch_alter_table("meetings") as batch:
        for column in ("status", "note", "place", "starts_at"):
            batch.drop_column(column)
