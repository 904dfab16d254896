"""Import benchmark (run by hand): ``python bench/bench_import.py [--sizes 10000 100000 1000000]``.

Generates Polizei-style CSV exports (Windows-1252, ``;``, German dates, decimal-comma
EPSG:25833 coordinates for a third of the rows, addresses from a street list) and measures,
each size in its own process so peak memory (ru_maxrss) is per size:

* parse+validate: ``read_file`` + ``validate.to_reports``
* full import: ``pipeline.import_file`` into a fresh SQLite file (read, validate, geocode if
  ``geo.geocode`` is importable, store in one transaction), split at the first progress call
  into "prepare" (read+validate+geocode) and "store".
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

STREETS = ["Eisenbahnstraße", "Hermann-Liebmann-Straße", "Torgauer Straße", "Wurzner Straße",
           "Konradstraße", "Ludwigstraße", "Mariannenstraße", "Rosa-Luxemburg-Straße",
           "Dresdner Straße", "Kohlgartenstraße", "Elisabethstraße", "Hildegardstraße",
           "Schulze-Delitzsch-Straße", "Idastraße", "Bergstraße", "Neustädter Straße"]
PLACES = ["Rabet", "Otto-Runki-Platz", "Neustädter Markt", "Volkmarsdorfer Markt",
          "Mariannenpark"]
CATEGORIES = ["BtM-Handel", "Konsum BtM öffentl.", "Ruhestörung", "Sachbeschädigung",
              "Körperverletzung", "Raub", "Verstoß Alkoholverbotszone"]


def generate(path: Path, rows: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-01-01").value // 10**9
    seconds = rng.integers(0, 3 * 365 * 86400, rows) + start
    times = pd.to_datetime(seconds, unit="s").strftime("%d.%m.%Y %H:%M")
    streets = np.array(STREETS, dtype=object)[rng.integers(0, len(STREETS), rows)]
    numbers = rng.integers(1, 120, rows).astype(str)
    address = pd.Series(streets + " " + numbers.astype(object))
    on_place = rng.random(rows) < 0.1
    address[on_place] = np.array(PLACES, dtype=object)[rng.integers(0, len(PLACES),
                                                                    on_place.sum())]
    has_xy = rng.random(rows) < 0.33
    x = np.where(has_xy, rng.uniform(317500, 321500, rows), np.nan)
    y = np.where(has_xy, rng.uniform(5689500, 5692500, rows), np.nan)

    def comma(v: np.ndarray) -> pd.Series:
        return pd.Series(v).map("{:.2f}".format).str.replace(".", ",").where(~np.isnan(v), "")

    frame = pd.DataFrame({
        "Vorgangsnummer": pd.Series(np.arange(rows)).map("LPZ-{:08d}".format),
        "Tatzeit": times,
        "Delikt": np.array(CATEGORIES, dtype=object)[rng.integers(0, len(CATEGORIES), rows)],
        "Tatort": address,
        "Sachverhalt": np.where(rng.random(rows) < 0.5, "Meldung über Notruf", ""),
        "Rechtswert": comma(x),
        "Hochwert": comma(y),
    })
    frame.to_csv(path, sep=";", index=False, encoding="cp1252")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """CPU seconds of this process: on a shared machine less noisy than wall time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_parse(path: Path) -> dict:
    from reports.ingest.importers import read_file
    from reports.ingest.profiles import load_profile
    from reports.ingest.validate import to_reports

    t0, c0 = time.perf_counter(), cpu_s()
    raw = read_file(path)
    t1 = time.perf_counter()
    frame, rejects = to_reports(raw, load_profile("polizei"), path.name, "bench")
    t2 = time.perf_counter()
    assert len(frame) + len(rejects) == raw.total
    return {"read": t1 - t0, "validate": t2 - t1, "total": t2 - t0, "cpu": cpu_s() - c0,
            "peak_mb": peak_mb()}


def run_import(path: Path) -> dict:
    from geo.geography import load_geography
    from reports.ingest.pipeline import import_file
    from reports.storage.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{tmp}/bench.sqlite")
        marks: list[float] = []
        t0, c0 = time.perf_counter(), cpu_s()
        # the geocoder is built inside the timing, as a fresh process's first import does
        result = import_file(store, path, "polizei", geocoder=load_geography().geocoder,
                             progress=lambda done, total: marks.append(
                                 (time.perf_counter(), cpu_s())))
        t1 = time.perf_counter()
        assert result.imported == result.total, result
        store.close()
        c1 = cpu_s()
    (m_wall, m_cpu) = marks[0]
    return {"prepare": m_wall - t0, "store": t1 - m_wall, "total": t1 - t0, "cpu": c1 - c0,
            "prepare_cpu": m_cpu - c0, "store_cpu": c1 - m_cpu, "peak_mb": peak_mb(),
            "notes": result.notes}


def child(mode: str, path: Path) -> dict:
    env = {**os.environ, "LAGEBILD_MAX_UPLOAD_MB": "2000"}
    out = subprocess.run([sys.executable, __file__, "--child", mode, str(path)], env=env,
                         capture_output=True, text=True, check=True, cwd=PROJECT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--child", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, path = args.child
        print(json.dumps((run_parse if mode == "parse" else run_import)(Path(path))))
        return
    header = (f"{'rows':>9} {'MB file':>7} | {'parse+val s':>11} {'cpu s':>6} {'rows/s':>8} "
              f"{'peak MB':>7} | {'prep s':>6} {'store s':>7} {'import s':>8} {'cpu s':>6} "
              f"{'rows/s':>8} {'peak MB':>7}")
    print(header)
    print("-" * len(header))
    notes, cpu_split = set(), []
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.sizes:
            path = Path(tmp) / f"polizei_{rows}.csv"
            generate(path, rows)
            p = child("parse", path)
            i = child("import", path)
            notes.update(i["notes"])
            cpu_split.append(f"{rows:,}: {i['prepare_cpu']:.1f} / {i['store_cpu']:.1f}")
            print(f"{rows:>9,} {path.stat().st_size / 1e6:>7.1f} | {p['total']:>11.2f} "
                  f"{p['cpu']:>6.1f} {rows / p['total']:>8,.0f} {p['peak_mb']:>7.0f} | "
                  f"{i['prepare']:>6.2f} {i['store']:>7.2f} {i['total']:>8.2f} {i['cpu']:>6.1f} "
                  f"{rows / i['total']:>8,.0f} {i['peak_mb']:>7.0f}", flush=True)
    print("CPU seconds of the full import, prepare (read+validate+geocode) / store: "
          + ", ".join(cpu_split))
    for note in sorted(notes):
        print("note:", note)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
