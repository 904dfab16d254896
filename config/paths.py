"""Where the project's files are, in a source checkout and in an installed package alike.

In a checkout ``data/`` and ``static/`` sit beside the packages; an installed wheel carries
them inside this package (see ``[tool.setuptools]`` in pyproject.toml). Runtime state
(the SQLite store, caches, demo exports) goes to ``var/`` of the working directory's
project, or ``LAGEBILD_VAR_DIR`` via the settings.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent
PROJECT_DIR = _HERE.parent


def _shipped(name: str) -> Path:
    inside = _HERE / name
    return inside if inside.is_dir() else PROJECT_DIR / name


DATA_DIR = _shipped("data")
STATIC_DIR = _shipped("static")
VAR_DIR = PROJECT_DIR / "var"
