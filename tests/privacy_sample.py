"""Known reports for the access, privacy and browser tests: every sensitivity, restricted
and open categories, distinctive descriptions and addresses, and raw coordinates that are
not on the public 50 m snapping grid, so a leak of any of them can be searched for."""

from __future__ import annotations

import math
import re
import struct

import numpy as np
import pandas as pd

from geo.boundary import load_boundary
from geo.crs import to_metric
from reports.model import RECORD_KEY, RECORD_KEY_RANGE, REPORT_COLUMNS, TIMEZONE, stable_id

# (category, sensitivity, n reports) -- restricted categories: konsumort, kontakt_...
SPEC = [
    ("illegale_muellablagerung", "public", 12),
    ("drogenhandel", "members", 8),
    ("graffiti", "public", 3),  # fewer than k = 5: suppressed for the public
    ("ruhestoerung", "restricted", 4),  # sensitivity restricted, open category
    ("konsumort", "members", 6),  # restricted category
    ("kontakt_strassensozialarbeit", "public", 2),  # restricted category
]
SECRET = "GEHEIMTEXT"  # every description contains it
STREET = "Geheimgasse"  # every address contains it


def sample_reports(descriptions: list[str] | None = None,
                   addresses: list[str] | None = None, unresolved: int = 0) -> pd.DataFrame:
    """REPORT_COLUMNS frame; optional texts replace descriptions/addresses (cycled); the
    first ``unresolved`` reports have no place (they show up in the list to place by hand)."""
    rows = []
    rng = np.random.default_rng(7)
    for category, sensitivity, n in SPEC:
        for i in range(n):
            rows.append((category, sensitivity, i))
    n = len(rows)
    # around Eisenbahnstraße, Volkmarsdorf; 6 decimals never on a 50 m cell centre
    lon = 12.4035 + rng.uniform(-0.004, 0.004, n).round(6)
    lat = 51.3455 + rng.uniform(-0.0015, 0.0015, n).round(6)
    x, y = to_metric(lon, lat)
    topics = {"illegale_muellablagerung": "umwelt", "graffiti": "umwelt",
              "drogenhandel": "ordnung", "ruhestoerung": "ordnung",
              "konsumort": "soziales", "kontakt_strassensozialarbeit": "soziales"}
    refs = [f"{c}-{i}" for c, _, i in rows]
    # within the dashboard's default filter (last 90 days), whenever the tests run
    start = pd.Timestamp.now(tz=TIMEZONE).normalize() - pd.Timedelta(days=58) + pd.Timedelta(
        hours=10)
    frame = pd.DataFrame({
        "id": [stable_id("polizei", r) for r in refs],
        "source": "polizei",
        "source_ref": refs,
        "topic": [topics[c] for c, _, _ in rows],
        "category": [c for c, _, _ in rows],
        "occurred_at": start + pd.to_timedelta(np.arange(n) * 37, unit="h"),
        "reported_at": start + pd.to_timedelta(np.arange(n) * 37 + 2, unit="h"),
        "address": [f"{STREET} {k + 1}" for k in range(n)],
        "lon": lon, "lat": lat, "x": x, "y": y,
        "ortsteil": load_boundary().assign_ortsteil(x, y),
        "geocode_status": "coordinates",
        "precision_m": 5.0,
        "count": 1,
        "description": [f"{SECRET} {c} Nr. {k} über Person {k}" for k, (c, _, _) in
                        enumerate(rows)],
        "sensitivity": [s for _, s, _ in rows],
        "batch_id": "testbatch",
        "content_hash": [f"h{k}" for k in range(n)],
    })
    if descriptions:
        frame["description"] = [descriptions[k % len(descriptions)] for k in range(n)]
    if addresses:
        frame["address"] = [addresses[k % len(addresses)] for k in range(n)]
    if unresolved:
        frame.loc[: unresolved - 1, ["lon", "lat", "x", "y", "ortsteil"]] = None
        frame.loc[: unresolved - 1, "geocode_status"] = "unresolved"
    return frame.astype(REPORT_COLUMNS).assign(
        **{RECORD_KEY: rng.integers(0, RECORD_KEY_RANGE, n, dtype=np.int64)})


def xss_payloads() -> list[str]:
    """The payload corpus of tests/xss_payloads.txt."""
    from pathlib import Path

    text = (Path(__file__).parent / "xss_payloads.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("# ")]


def _trunc(value: float, places: int) -> str:
    return f"{math.floor(value * 10**places) / 10**places:.{places}f}"


def leaks(payload: bytes, frame: pd.DataFrame) -> list[str]:
    """What of ``frame``'s single reports appears in ``payload`` (page HTML, websocket
    frames, serialised elements): description or address text, or a raw coordinate pair --
    as text to 5 decimals (lat and lon close together, either order, rounded or truncated),
    as text to 6 decimals anywhere, or as binary float64 (Arrow tables)."""
    text = payload.decode("latin-1")
    found = [f"Beschreibung/Adresse „{needle}“" for needle in (SECRET, STREET)
             if needle.encode() in payload]
    placed = frame.dropna(subset=["lon", "lat"])
    for lon, lat in zip(placed["lon"], placed["lat"], strict=True):
        forms = {(f(lat), f(lon)) for f in (lambda v: f"{v:.5f}", lambda v: _trunc(v, 5))}
        for la, lo in forms:
            pattern = (rf"{re.escape(la)}\d*[^\d]{{1,40}}{re.escape(lo)}|"
                       rf"{re.escape(lo)}\d*[^\d]{{1,40}}{re.escape(la)}")
            if re.search(pattern, text):
                found.append(f"Koordinatenpaar {la}, {lo}")
        six = [(f"{lat:.6f}", f"{lon:.6f}"), (_trunc(lat, 6), _trunc(lon, 6))]
        if any(la in text and lo in text for la, lo in six):
            found.append(f"Koordinaten {lat:.6f}, {lon:.6f} (6 Stellen)")
        if struct.pack("<d", lat) in payload and struct.pack("<d", lon) in payload:
            found.append(f"Koordinaten {lat}, {lon} (binär)")
    return found
