"""The store's tables, as SQLAlchemy Core metadata shared by the store and the migrations.

Times are stored as integer seconds since the epoch (UTC) and days as ISO dates: both back
ends then sort, index and compare them the same way, and a million-row read needs no
per-row datetime parsing.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

reports = Table(
    "reports",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("source", String(40), nullable=False),
    Column("source_ref", String(200), nullable=False),
    Column("topic", String(20), nullable=False),
    Column("category", String(60), nullable=False),
    Column("occurred_at", BigInteger, nullable=False),  # epoch seconds, UTC
    Column("reported_at", BigInteger),
    Column("address", Text),
    Column("lon", Float),
    Column("lat", Float),
    Column("x", Float),  # EPSG:25833
    Column("y", Float),
    Column("ortsteil", String(60)),
    Column("geocode_status", String(20), nullable=False),
    Column("precision_m", Float),
    Column("count", Integer, nullable=False, server_default="1"),
    Column("description", Text),
    Column("sensitivity", String(12), nullable=False),
    Column("batch_id", String(32), nullable=False),
    Column("content_hash", String(32), nullable=False),
    # random key of the cell key method, drawn once per id (reports.model.RECORD_KEY)
    Column("record_key", Integer, nullable=False),
    # The dashboard filters by time range, then topic / Ortsteil / category.
    Index("ix_reports_occurred", "occurred_at"),
    Index("ix_reports_topic_occurred", "topic", "occurred_at"),
    Index("ix_reports_ortsteil_occurred", "ortsteil", "occurred_at"),
    Index("ix_reports_category_occurred", "category", "occurred_at"),
    Index("ix_reports_status", "geocode_status"),
    Index("ix_reports_batch", "batch_id"),
)

batches = Table(
    "batches",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("file_name", Text, nullable=False),
    Column("source", String(40), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("imported_at", BigInteger, nullable=False),
    Column("actor", String(80)),
    Column("rows_total", Integer, nullable=False),
    Column("imported", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("duplicate", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    # JSON profile the file was read with (columns, categories): the quarantine re-validates
    # corrected rows of this batch with exactly it (migration 0002)
    Column("profile", Text),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", String(32), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("source", String(40), nullable=False),
    Column("row_number", Integer, nullable=False),  # 1-based data row as a user counts it
    Column("field", String(80)),
    Column("message", Text, nullable=False),  # German, names file, row and field
    Column("raw", Text, nullable=False),  # the input row as JSON {column: value}
    Column("created_at", BigInteger, nullable=False),
    Column("resolved_at", BigInteger),
    Index("ix_quarantine_open", "resolved_at", "batch_id"),
)

meetings = Table(
    "meetings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("held_on", Date, nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("starts_at", String(5)),  # "18:30", local time
    Column("place", Text),
    Column("note", Text),  # the moderator's note
    Column("status", String(12), nullable=False, server_default="planned"),  # or cancelled
)

agenda_items = Table(
    "agenda_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("meeting_id", Integer, nullable=False),
    # "free:<n>" for an item Redaktion wrote; otherwise the key of a computed item
    # ("concern:12", "hotspot:<section>", "measure:3") whose position was set by hand
    Column("key", String(200), nullable=False),
    Column("title", Text),
    Column("note", Text),
    Column("position", Integer, nullable=False),
    UniqueConstraint("meeting_id", "key", name="uq_agenda_items_meeting_key"),
)

annotations = Table(
    "annotations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date),
    Column("kind", String(20), nullable=False),  # meeting, measure, event, construction
    Column("label", Text, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("username", String(80), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(20), nullable=False),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("created_at", BigInteger, nullable=False),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(80), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("success", Boolean, nullable=False),
    Column("source", String(64)),  # client address (per-address limit), None if unknown
    Index("ix_login_attempts_user_at", "username", "at"),
    Index("ix_login_attempts_source_at", "source", "at"),
)

sessions = Table(
    # Log-in sessions shared by every dashboard process on the store: the browser holds a
    # random token in an HttpOnly cookie, the store only its SHA-256 (and, until the browser
    # exchanged it, the hash of a single-use grant).
    "sessions",
    metadata,
    Column("id", String(32), primary_key=True),  # random, names the session in the UI
    Column("username", String(80), nullable=False),
    Column("token_hash", String(64), unique=True),
    Column("grant_hash", String(64), unique=True),
    Column("grant_expires_at", BigInteger),
    Column("created_at", BigInteger, nullable=False),
    Column("last_seen", BigInteger, nullable=False),
    Column("revoked_at", BigInteger),
    Index("ix_sessions_username", "username"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", BigInteger, nullable=False),
    Column("actor", String(80), nullable=False),
    Column("action", String(40), nullable=False),
    Column("detail", Text, nullable=False),  # JSON
    Index("ix_audit_at", "at"),
)

concerns = Table(
    "concerns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", BigInteger, nullable=False),
    Column("topic", String(20), nullable=False),
    Column("category", String(60)),
    Column("description", Text, nullable=False),
    Column("address", Text),
    Column("lon", Float),
    Column("lat", Float),
    Column("x", Float),
    Column("y", Float),
    Column("ortsteil", String(60)),
    Column("geocode_status", String(20), nullable=False),
    Column("contact", Text),  # only Redaktion sees it
    Column("status", String(12), nullable=False),  # new, accepted, merged, rejected
    Column("reason", Text),
    Column("report_id", String(16)),
    Column("meeting_id", Integer),  # on the agenda of this meeting
    Column("session_key", String(64), nullable=False),
    Column("status_token", String(64)),  # SHA-256 of the resident's private status token
    Column("sender", String(64)),  # keyed hash of the sender's address (quota per address)
    Column("answer", Text),  # the alliance's answer, shown on the status page
    Column("discussed_at", BigInteger),
    Index("ix_concerns_status", "status"),
    Index("ix_concerns_status_token", "status_token", unique=True),
    Index("ix_concerns_sender_created", "sender", "created_at"),
)

measures = Table(
    "measures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", Text, nullable=False),
    Column("partners", Text, nullable=False),  # JSON list of source keys
    Column("kind", String(20), nullable=False),  # see reports.coordination.measures.KINDS
    Column("area_wkt", Text, nullable=False),  # EPSG:25833
    Column("area_label", Text, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date),
    Column("categories", Text, nullable=False),  # JSON list of category keys
    Column("status", String(12), nullable=False),  # planned, active, done, stopped
    Column("notes", Text),
    Column("created_at", BigInteger, nullable=False),
    Column("created_by", String(80)),
)

import_profiles = Table(
    # Column mappings saved on the Daten page, one row per version; the newest version of a
    # source is its active profile and takes precedence over data/profiles/<source>.toml.
    "import_profiles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("profile", Text, nullable=False),  # JSON in the shape of data/profiles/*.toml
    Column("created_at", BigInteger, nullable=False),
    Column("created_by", String(80)),
    UniqueConstraint("source", "version", name="uq_import_profiles_source_version"),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)
