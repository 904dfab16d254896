"""``python -m reports`` as a user runs it (subprocess, real SQLite file)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from config.paths import PROJECT_DIR
from lagebild.cli import parse_mapping

PROJECT = PROJECT_DIR
CSV = ("Vorgangsnummer;Tatzeit;Delikt;Tatort\n"
       "P-1;24.11.2025 18:30;BtM-Handel;Eisenbahnstraße 40\n"
       "P-2;32.13.2025;Raub;Rabet\n")


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}",
           "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "reports", *args], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_import_summary_quarantine_export_and_reimport(tmp_path):
    path = tmp_path / "polizei.csv"
    path.write_bytes(CSV.encode("cp1252"))
    run = cli(tmp_path, "import", str(path), "--source", "polizei")
    assert run.returncode == 0, run.stderr
    assert "neu" in run.stdout and "abgelehnt" in run.stdout
    assert "polizei.csv, Zeile 3, Feld „Tatzeit“: „32.13.2025“ ist kein gültiges Datum." in \
        run.stdout

    listing = cli(tmp_path, "quarantine")
    assert "1 offen" in listing.stdout and "32.13.2025" in listing.stdout
    out = tmp_path / "q.csv"
    assert cli(tmp_path, "quarantine", "--export", str(out)).returncode == 0
    table = pd.read_csv(out, sep=";", dtype=str, encoding="utf-8-sig")
    table["Tatzeit"] = "23.11.2025"
    table.to_csv(out, sep=";", index=False, encoding="utf-8-sig")
    again = cli(tmp_path, "quarantine", "--reimport", str(out), "--source", "polizei")
    assert again.returncode == 0, again.stderr
    assert "1 Quarantäne-Einträge erledigt." in again.stdout
    assert "0 offen" in cli(tmp_path, "quarantine").stdout


def test_bad_input_gives_a_german_message_not_a_traceback(tmp_path):
    good = tmp_path / "polizei.csv"
    good.write_bytes(CSV.encode("cp1252"))
    run = cli(tmp_path, "import", str(tmp_path / "fehlt.csv"), str(good), "--source", "polizei")
    assert run.returncode == 2
    assert "Fehler:" in run.stderr and "fehlt.csv" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert "│ polizei.csv │ polizei │      2 │   1 │" in run.stdout  # the other file imported
    path = tmp_path / "x.csv"
    path.write_text("A;B\n1;2\n", encoding="utf-8")
    run = cli(tmp_path, "import", str(path), "--source", "polizei", "--mapping", "A=wann")
    assert run.returncode == 2 and "Unbekannte Felder in der Zuordnung: wann" in run.stderr


def test_mapping_option_and_registered_subcommands(tmp_path):
    path = tmp_path / "liste.csv"
    path.write_text("Wann;Was\n24.11.2025;Graffiti\n", encoding="utf-8")
    # the fachamt profile's columns are missing: recognised from the content instead
    run = cli(tmp_path, "import", str(path), "--source", "fachamt")
    assert run.returncode == 0, run.stderr
    assert "│      1 │   1 │" in run.stdout
    assert "„Wann“ → Datum/Zeitpunkt" in run.stdout.replace("\n", " ")
    mapping = ["--mapping", "Wann=occurred_at", "--mapping", "Was=category", "--mapping", "=id"]
    run = cli(tmp_path, "import", str(path), "--source", "fachamt", *mapping)
    assert run.returncode == 0, run.stderr
    assert "│      1 │   0 │" in run.stdout  # same content, same identity: a duplicate
    helptext = cli(tmp_path, "--help").stdout
    for command in ("import", "quarantine", "demo", "user", "retention"):
        assert command in helptext


def test_parse_mapping():
    assert parse_mapping(["Tat=zeit=occurred_at", "Ort=address", "=id"]) == {
        "occurred_at": "Tat=zeit", "address": "Ort", "id": ""}
    with pytest.raises(ValueError, match="SPALTE=FELD"):
        parse_mapping(["ohnegleich"])


def test_demo_builds_and_keep_leaves_it(tmp_path):
    run = cli(tmp_path, "demo", "--rows", "1500")
    assert run.returncode == 0, run.stderr
    assert "synthetische" in run.stdout
    kept = cli(tmp_path, "demo", "--keep", "--rows", "1500")
    assert kept.returncode == 0, kept.stderr
    assert "vorhandene Demo-Datenbank behalten" in kept.stdout
    assert "neu aufgebaut" in run.stdout
