"""Every report gets a random record key for the cell key method of public counts
(``reports.privacy.policy``); existing reports draw theirs here, from the database's own
random generator (SQLite: ``random()``, seeded from the operating system; PostgreSQL:
``random()``, seeded per connection from ``pg_strong_random``).

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RANGE = 2**31  # reports.model.RECORD_KEY_RANGE at the time of this migration


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("record_key", sa.Integer))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"UPDATE reports SET record_key = floor(random() * {RANGE})::integer")
    else:
        op.execute(f"UPDATE reports SET record_key = abs(random() % {RANGE})")
    with op.batch_alter_table("reports") as batch:
        batch.alter_column("record_key", existing_type=sa.Integer, nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("record_key")
