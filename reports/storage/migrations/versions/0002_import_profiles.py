"""Import profiles saved on the Daten page (versioned), and the profile each batch was read
with (so corrected quarantine rows are re-validated the same way).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_profiles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("profile", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("created_by", sa.String(80)),
        sa.UniqueConstraint("source", "version", name="uq_import_profiles_source_version"),
    )
    with op.batch_alter_table("batches") as batch:
        batch.add_column(sa.Column("profile", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.drop_column("profile")
    op.drop_table("import_profiles")
