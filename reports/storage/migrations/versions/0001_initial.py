"""Initial schema: reports, import batches, quarantine, meetings, annotations, users,
login attempts, audit log, concerns, measures, meta.

Written out table by table (not metadata.create_all) so that later migrations start from a
fixed, reviewable state.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("source_ref", sa.String(200), nullable=False),
        sa.Column("topic", sa.String(20), nullable=False),
        sa.Column("category", sa.String(60), nullable=False),
        sa.Column("occurred_at", sa.BigInteger, nullable=False),
        sa.Column("reported_at", sa.BigInteger),
        sa.Column("address", sa.Text),
        sa.Column("lon", sa.Float),
        sa.Column("lat", sa.Float),
        sa.Column("x", sa.Float),
        sa.Column("y", sa.Float),
        sa.Column("ortsteil", sa.String(60)),
        sa.Column("geocode_status", sa.String(20), nullable=False),
        sa.Column("precision_m", sa.Float),
        sa.Column("count", sa.Integer, nullable=False, server_default="1"),
        sa.Column("description", sa.Text),
        sa.Column("sensitivity", sa.String(12), nullable=False),
        sa.Column("batch_id", sa.String(32), nullable=False),
        sa.Column("content_hash", sa.String(32), nullable=False),
    )
    op.create_index("ix_reports_occurred", "reports", ["occurred_at"])
    op.create_index("ix_reports_topic_occurred", "reports", ["topic", "occurred_at"])
    op.create_index("ix_reports_ortsteil_occurred", "reports", ["ortsteil", "occurred_at"])
    op.create_index("ix_reports_category_occurred", "reports", ["category", "occurred_at"])
    op.create_index("ix_reports_status", "reports", ["geocode_status"])
    op.create_index("ix_reports_batch", "reports", ["batch_id"])

    op.create_table(
        "batches",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.BigInteger, nullable=False),
        sa.Column("actor", sa.String(80)),
        sa.Column("rows_total", sa.Integer, nullable=False),
        sa.Column("imported", sa.Integer, nullable=False),
        sa.Column("updated", sa.Integer, nullable=False),
        sa.Column("duplicate", sa.Integer, nullable=False),
        sa.Column("rejected", sa.Integer, nullable=False),
    )

    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("batch_id", sa.String(32), nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("row_number", sa.Integer, nullable=False),
        sa.Column("field", sa.String(80)),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("resolved_at", sa.BigInteger),
    )
    op.create_index("ix_quarantine_open", "quarantine", ["resolved_at", "batch_id"])

    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("held_on", sa.Date, nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False),
    )

    op.create_table(
        "annotations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("label", sa.Text, nullable=False),
    )

    op.create_table(
        "users",
        sa.Column("username", sa.String(80), primary_key=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default="1"),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )

    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("success", sa.Boolean, nullable=False),
    )
    op.create_index("ix_login_attempts_user_at", "login_attempts", ["username", "at"])

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_audit_at", "audit_log", ["at"])

    op.create_table(
        "concerns",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("topic", sa.String(20), nullable=False),
        sa.Column("category", sa.String(60)),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("address", sa.Text),
        sa.Column("lon", sa.Float),
        sa.Column("lat", sa.Float),
        sa.Column("x", sa.Float),
        sa.Column("y", sa.Float),
        sa.Column("ortsteil", sa.String(60)),
        sa.Column("geocode_status", sa.String(20), nullable=False),
        sa.Column("contact", sa.Text),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("report_id", sa.String(16)),
        sa.Column("meeting_id", sa.Integer),
        sa.Column("session_key", sa.String(64), nullable=False),
    )
    op.create_index("ix_concerns_status", "concerns", ["status"])

    op.create_table(
        "measures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("partners", sa.Text, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("area_wkt", sa.Text, nullable=False),
        sa.Column("area_label", sa.Text, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date),
        sa.Column("categories", sa.Text, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("notes", sa.Text),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("created_by", sa.String(80)),
    )

    meta = op.create_table(
        "meta",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    # "instance" tells two databases apart whose version counters happen to be equal (a
    # recreated file must not hit the dashboard cache of the old one).
    op.bulk_insert(meta, [
        {"key": "version", "value": "0"},
        {"key": "instance", "value": uuid.uuid4().hex[:12]},
        {"key": "demo", "value": "0"},
    ])


def downgrade() -> None:
    for table in ("meta", "measures", "concerns", "audit_log", "login_attempts", "users",
                  "annotations", "meetings", "quarantine", "batches", "reports"):
        op.drop_table(table)
