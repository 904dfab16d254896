"""Where the project's files are, in a source checkout and in an installed package alike.

In a checkout ``data/`` and ``static/`` sit beside the packages; an installed wheel carries
``data/`` inside this package (see setup.py). Runtime state (the SQLite store, caches, demo
exports) goes to ``var/`` of the checkout, or of the working directory for an installed
package.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent
PROJECT_DIR = _HERE.parent


_IN_CHECKOUT = (PROJECT_DIR / "pyproject.toml").is_file()

DATA_DIR = PROJECT_DIR / "data" if _IN_CHECKOUT else _HERE / "data"
STATIC_DIR = PROJECT_DIR / "static"  # served by Streamlit from a checkout
VAR_DIR = PROJECT_DIR / "var" if _IN_CHECKOUT else Path.cwd() / "var"
