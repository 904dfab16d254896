"""`python -m geo geocode` as a user runs it: a real subprocess on the shipped gazetteer."""

from __future__ import annotations

import io
import subprocess
import sys

import pandas as pd

from config.paths import PROJECT_DIR

PROJECT = PROJECT_DIR
COLUMNS = ["input", "status", "lon", "lat", "x", "y", "ortsteil", "precision_m", "reason"]


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "geo", "geocode", *args], input=stdin, capture_output=True,
        text=True, cwd=PROJECT, timeout=120, check=False,
    )


def test_stdin_one_address_per_line():
    done = _run(stdin="Eisenbahnstr. 120\nRabet, Spielplatz\n\n<b>x</b>\n")
    assert done.returncode == 0, done.stderr
    frame = pd.read_csv(io.StringIO(done.stdout), keep_default_na=False)
    assert list(frame.columns) == COLUMNS
    assert frame["input"].tolist() == ["Eisenbahnstr. 120", "Rabet, Spielplatz", "", "<b>x</b>"]
    assert frame["status"].tolist() == ["exact", "place", "unresolved", "unresolved"]
    assert frame["ortsteil"].iloc[0] == "Volkmarsdorf"
    assert 12.3 < float(frame["lon"].iloc[0]) < 12.5
    assert "HTML" in frame["reason"].iloc[3]


def test_csv_column(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Nr;Adresse\n1;Torgauer Str. 15\n2;Ecke Hermann-Liebmann-/Eisenbahnstraße\n",
                    encoding="utf-8")
    done = _run("--csv", str(path), "--column", "Adresse")
    assert done.returncode == 0, done.stderr
    frame = pd.read_csv(io.StringIO(done.stdout))
    assert frame["status"].tolist() == ["exact", "intersection"]
    missing = _run("--csv", str(path), "--column", "Ort")
    assert missing.returncode == 2
    assert "export.csv: Spalte „Ort“ fehlt" in missing.stderr
    assert "Traceback" not in missing.stderr
