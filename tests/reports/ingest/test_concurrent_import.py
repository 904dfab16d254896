"""Imports of overlapping files at the same time, on both back ends: they queue for the write
lock (reporting the wait), both finish, and the later one counts the earlier one's rows as
duplicates (on PostgreSQL it used to end with "UniqueViolation")."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

import reports.storage.store as store_module
from reports.ingest.pipeline import import_file
from reports.storage.store import REPORTS_LOCK, Store
from tests.helpers import shipped_geocoder

HEADER = "Vorgangsnummer;Tatzeit;Delikt;Tatort;Sachverhalt;Rechtswert;Hochwert"
ROWS = 400
HOLD_S = 1.5


def partner_file(path: Path, first: int, last: int) -> Path:
    rows = [f"P-{i};{1 + i % 28:02d}.10.2025 18:30;BtM-Handel;Eisenbahnstraße {1 + i % 90};;;"
            for i in range(first, last)]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def hold_write_lock(store: Store, seconds: float, held: threading.Event,
                    waits: list[list[float]] | None = None) -> None:
    """Another writer (a long import) holding the lock the imports need: until every one of
    ``waits`` has waited ``seconds`` (at most a minute), else for ``seconds``."""
    with store.transaction(lock=REPORTS_LOCK):
        held.set()
        deadline = time.monotonic() + 60
        while waits and not all(w and w[-1] >= seconds for w in waits) and (
                time.monotonic() < deadline):
            time.sleep(0.1)
        if not waits:
            time.sleep(seconds)


def run_imports(url: str, files: list[Path], waits: list[list[float]] | None = None
                ) -> tuple[list, list, list[list[float]]]:
    results: list = [None] * len(files)
    errors: list = []
    waits = waits if waits is not None else [[] for _ in files]
    start = threading.Barrier(len(files))

    def one(i: int) -> None:
        store = Store.open(url)
        try:
            start.wait(10)
            results[i] = import_file(store, files[i], "polizei", waiting=waits[i].append,
                                     geocoder=shipped_geocoder())
        except Exception as exc:  # collected: the test shows what went wrong
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(files))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results, errors, waits


@pytest.fixture
def short_busy_timeout(monkeypatch):
    """SQLite's own busy timeout far shorter than the other writer's hold: only the queue
    (retrying in slices) lets the waiting import finish."""
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 200)


def test_the_same_file_imported_twice_at_once_gives_duplicates(store, tmp_path,
                                                               short_busy_timeout):
    path = partner_file(tmp_path / "polizei.csv", 0, ROWS)
    held, waits = threading.Event(), [[], []]
    blocker = threading.Thread(target=hold_write_lock, args=(store, HOLD_S, held, waits))
    blocker.start()
    held.wait(10)
    results, errors, waits = run_imports(store.url, [path, path], waits)
    blocker.join()
    assert not errors, errors
    assert sorted((r.imported, r.duplicate) for r in results) == [(0, ROWS), (ROWS, 0)]
    assert all(r.rejected == 0 and r.updated == 0 for r in results)
    assert all(w and max(w) >= HOLD_S for w in waits)  # both queued behind the long writer
    assert store.count_reports() == ROWS
    assert len(store.list_batches()) == 2
    later = next(r for r in results if r.duplicate)
    assert "schon einmal importiert" in " ".join(later.notes)


def test_overlapping_files_at_once_each_row_stored_once(store, tmp_path, short_busy_timeout):
    files = [partner_file(tmp_path / "a.csv", 0, ROWS),
             partner_file(tmp_path / "b.csv", ROWS // 2, ROWS + ROWS // 2)]
    results, errors, _ = run_imports(store.url, files)
    assert not errors, errors
    assert sum(r.imported for r in results) == ROWS + ROWS // 2
    assert sum(r.duplicate for r in results) == ROWS // 2
    assert store.count_reports() == ROWS + ROWS // 2


def test_a_writer_gives_up_in_german_after_the_longest_wait(store, tmp_path, monkeypatch,
                                                           short_busy_timeout):
    from reports.storage.faults import StoreBusy

    monkeypatch.setattr(store_module, "WRITE_WAIT_S", 0.5)
    held = threading.Event()
    blocker = threading.Thread(target=hold_write_lock, args=(store, HOLD_S, held))
    blocker.start()
    held.wait(10)
    other = Store.open(store.url)
    try:
        with pytest.raises(StoreBusy, match=r"schreibt seit .* nichts halb gespeichert"):
            import_file(other, partner_file(tmp_path / "p.csv", 0, 10), "polizei",
                        geocoder=shipped_geocoder())
    finally:
        other.close()
        blocker.join()
    assert store.count_reports() == 0
