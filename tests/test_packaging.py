"""The project is one installable distribution: the wheel carries the library, the data it
reads at run time and the ``lagebild`` command, and works away from the checkout."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from config.paths import DATA_DIR, PROJECT_DIR


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the source (a build leaves build/ behind)."""
    source = tmp_path_factory.mktemp("source") / "project"
    shutil.copytree(PROJECT_DIR, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "var", "build", "test-artifacts", "node_modules", "__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(source)],
        check=True, capture_output=True, cwd=out)
    (built,) = out.glob("*.whl")
    return built


def test_wheel_holds_the_library_and_every_shipped_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in ("config", "geo", "reports", "reports/storage", "demo", "maps", "lagebild"):
        assert f"{package}/__init__.py" in names
    shipped = {f"config/data/{p.relative_to(DATA_DIR).as_posix()}"
               for p in DATA_DIR.rglob("*") if p.is_file()}
    assert shipped and shipped <= names
    assert "reports/storage/migrations/versions/0001_initial.py" in names
    assert not any(n.startswith(("app_pages/", "tests/", "bench/")) for n in names)


def test_the_installed_command_runs_away_from_the_checkout(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    (info,) = site.glob("*.dist-info")
    entry = configparser.ConfigParser()
    entry.read(info / "entry_points.txt")
    module, _, function = entry["console_scripts"]["lagebild"].partition(":")
    code = (f"import sys; sys.path[:0] = [{str(site)!r}]; from {module} import {function} as m; "
            "import config.paths as p; print('DATA', p.DATA_DIR); sys.exit(m(sys.argv[1:]))")
    run = subprocess.run([sys.executable, "-I", "-c", code, "--help"], cwd=tmp_path,
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert f"DATA {site / 'config' / 'data'}" in run.stdout
    for verb in ("import", "quarantine", "demo", "geocode", "user", "retention"):
        assert verb in run.stdout


def test_the_installed_geocoder_reads_the_packaged_data(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (f"import sys; sys.path[:0] = [{str(site)!r}]; from lagebild.cli import main; "
            "sys.exit(main(['geocode']))")
    run = subprocess.run([sys.executable, "-I", "-c", code], cwd=tmp_path,
                         input="Eisenbahnstraße 10\n", capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0, run.stderr
    header, row = run.stdout.splitlines()[:2]
    assert header.startswith("input,status,lon,lat")
    assert row.split(",")[1] in {"exact", "interpolated"}
