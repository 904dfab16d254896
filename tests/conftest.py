"""Shared fixtures: real SQLite files and the real PostgreSQL server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "reference"
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def reference_dir(sub: str) -> Path:
    """A folder of the real public Leipzig data; skips the test where it is absent."""
    path = REFERENCE_DIR / sub
    if not path.exists():
        pytest.skip(f"reference data {path} is absent (it lives in ../shared, not in the project)")
    return path
