"""Storage: the report store on SQLite or PostgreSQL (``store``), its schema and migrations,
filters (``query``) and the audit log. Knows nothing of roles or pages."""
