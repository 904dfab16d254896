"""Alembic environment: Store.open hands over an open connection, so no alembic.ini and no
URL in here; the migration runs inside the caller's transaction."""

from alembic import context

from reports.storage.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
)
with context.begin_transaction():
    context.run_migrations()
