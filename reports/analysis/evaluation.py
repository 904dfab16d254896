"""Did a measure work? A difference-in-differences estimate on report counts.

Counts inside the measure's area after its start are compared with an equal-length window
before it, and that change is set against the change in a comparison area over the same
windows, so that a district-wide trend or season is not credited to the measure. By default
the "before" window is the same calendar window one year earlier (seasonally matched):
litter and park use peak in summer, so comparing June with April would overstate any
summer measure.

With Poisson counts a (area) and c (comparison), the estimate is the ratio of ratios
``(a_after / a_before) / (c_after / c_before)``; its log has the approximate variance
``1/a_before + 1/a_after + 1/c_before + 1/c_after`` (delta method), which gives the
confidence interval. Changes are reported as percentages of that ratio minus one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from reports.model import RECORD_KEY, TIMEZONE

Z95 = 1.959963984540054
RING_M = 300.0  # displacement is looked for in this ring around the area
MIN_REPORTS = 10  # fewer reports in a window: no verdict
MIN_DAYS = 28  # shorter windows (a measure that just started): no verdict


@dataclass(frozen=True)
class Windows:
    before: tuple[date, date]  # inclusive start, exclusive end
    after: tuple[date, date]

    @classmethod
    def around(cls, start: date, days: int, seasonal: bool = True) -> Windows:
        after = (start, start + timedelta(days=days))
        if seasonal:
            shift = _one_year_earlier(start)
            before = (shift, shift + timedelta(days=days))
        else:
            before = (start - timedelta(days=days), start)
        return cls(before, after)


@dataclass(frozen=True)
class Change:
    """A relative change with its 95 % confidence interval (as fractions, -0.31 = -31 %)."""

    before: int
    after: int
    estimate: float
    low: float
    high: float

    @property
    def clear(self) -> bool:
        return self.low > 0 or self.high < 0


@dataclass(frozen=True)
class Evaluation:
    windows: Windows
    area: Change  # inside the measure's area
    comparison: Change  # in the comparison area
    effect: Change  # area relative to comparison (difference in differences)
    displacement: Change | None  # ring around the area relative to comparison
    enough_data: bool
    sentence: str
    note: str = ""  # how the windows were adapted to the data (German), shown with the result
    # record key sums of the six window counts (area, comparison, ring; before, after), from
    # which the public's figures are published; () where the frame has no record keys
    key_sums: tuple[int, ...] = ()

    @property
    def displacement_sentence(self) -> str:
        if self.displacement is None:
            return (f"Verdrängung ins Umfeld ({RING_M:.0f} m um das Gebiet): zu wenige "
                    "Meldungen für eine Aussage.")
        d = self.displacement
        verdict = ("kein klarer Hinweis auf Verdrängung" if not d.clear or d.estimate < 0
                   else "Hinweis auf Verdrängung ins Umfeld")
        return (f"Umfeld ({RING_M:.0f} m um das Gebiet), bereinigt: {effect_words(d)} – "
                f"{verdict}.")


def _one_year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def choose_windows(start: date, days: int, seasonal: bool, first: date | None,
                   last: date | None) -> tuple[Windows | None, str]:
    """Windows that lie inside the data (``first``..``last`` inclusive), and a German note.

    A window reaching past the last report would count missing days as a decline, so the
    after window is shortened to the data; without data a year back the seasonal window
    falls back to the window just before the start. ``None``: no usable windows.
    """
    if first is None or last is None or start > last:
        return None, "Für die Zeit seit Beginn der Maßnahme liegen noch keine Meldungen vor."
    available = (last - start).days + 1
    note = ""
    if available < days:
        days = available
        note = f"Zeitfenster auf {days} Tage gekürzt (so weit reichen die Daten)."
    if days < MIN_DAYS:
        return None, (f"Die Maßnahme läuft erst seit {days} Tagen mit Daten; für eine "
                      f"Auswertung sind mindestens {MIN_DAYS} Tage nötig.")
    windows = Windows.around(start, days, seasonal)
    if windows.before[0] < first and seasonal:
        windows = Windows.around(start, days, seasonal=False)
        note = " ".join(filter(None, [note, "Vergleich mit dem Zeitraum direkt davor, weil "
                                      "Daten aus dem Vorjahr fehlen."]))
    if windows.before[0] < first:
        return None, (f"Vor Beginn der Maßnahme fehlen Daten für ein Vergleichsfenster von "
                      f"{days} Tagen.")
    return windows, note


def _rate_change(before: int, after: int) -> Change:
    """Change of a Poisson count between two equal windows (0.5 added to empty counts)."""
    b, a = max(before, 0.5), max(after, 0.5)
    log_ratio = math.log(a / b)
    se = math.sqrt(1 / b + 1 / a)
    return Change(before, after, math.exp(log_ratio) - 1,
                  math.exp(log_ratio - Z95 * se) - 1, math.exp(log_ratio + Z95 * se) - 1)


def _did(area: Change, comparison: Change) -> Change:
    counts = [max(v, 0.5) for v in (area.before, area.after, comparison.before, comparison.after)]
    ab, aa, cb, ca = counts
    log_ratio = math.log((aa / ab) / (ca / cb))
    se = math.sqrt(sum(1 / v for v in counts))
    return Change(area.before, area.after, math.exp(log_ratio) - 1,
                  math.exp(log_ratio - Z95 * se) - 1, math.exp(log_ratio + Z95 * se) - 1)


def _window_counts(frame: pd.DataFrame, inside: np.ndarray, windows: Windows,
                   weights: np.ndarray | None = None) -> tuple[int, int]:
    """Reports (rows, not their ``count`` of items) per window: the Poisson variance behind the
    interval holds for reports; items per report (syringes per find) would overdisperse it.
    With ``weights``: their sums per window instead (the record keys)."""
    times = frame["occurred_at"]
    out = []
    for start, end in (windows.before, windows.after):
        in_window = ((times >= pd.Timestamp(start, tz=TIMEZONE))
                     & (times < pd.Timestamp(end, tz=TIMEZONE))).to_numpy()
        mask = in_window & inside
        out.append(int(np.count_nonzero(mask)) if weights is None
                   else int(weights[mask].sum()))
    return out[0], out[1]


def signed(fraction: float) -> str:
    """-0.02 -> "−2 %", 0.031 -> "+3 %", 0 -> "± 0 %"."""
    percent = round(fraction * 100)
    return f"{'−' if percent < 0 else '+' if percent > 0 else '± '}{abs(percent)} %"


def effect_words(change: Change) -> str:
    """A change with how sure it is, in the words the room reads the same way as the
    numbers: "deutlich weniger" only where the 95 % interval excludes no change."""
    interval = f"95 %-Intervall {signed(change.low)} bis {signed(change.high)}"
    if change.clear:
        word = "deutlich weniger" if change.estimate < 0 else "deutlich mehr"
        return f"{word} ({signed(change.estimate)}, {interval})"
    return f"{signed(change.estimate)}, im Rahmen der üblichen Schwankung ({interval})"


def sentence(area: Change, comparison: Change, effect: Change, enough: bool) -> str:
    """The one wording of a measure's effect (headline and details alike): the area's own
    numbers, the comparison area's change, then the adjusted effect with its certainty."""
    if not enough:
        return ("Zu wenige Meldungen in den Vergleichszeiträumen für eine Aussage "
                f"(mindestens {MIN_REPORTS} je Zeitraum und Gebiet nötig).")
    return (f"Im Gebiet vorher {area.before}, nachher {area.after} Meldungen "
            f"({signed(area.estimate)}); im Vergleichsgebiet {signed(comparison.estimate)}. "
            f"Bereinigt um die Entwicklung im Vergleichsgebiet: {effect_words(effect)}.")


def evaluate(frame: pd.DataFrame, area: BaseGeometry, start: date, *, district: BaseGeometry,
             days: int = 180, seasonal: bool = True, categories: tuple[str, ...] = (),
             comparison: BaseGeometry | None = None) -> Evaluation:
    """Difference-in-differences of report counts inside ``area`` around ``start``.

    ``frame`` is a report frame with x/y in EPSG:25833; ``area`` and ``comparison`` are
    EPSG:25833 geometries. Without a comparison area, the rest of ``district`` (minus the
    area and its displacement ring) is used.
    """
    if area is None or area.is_empty or area.area <= 0:
        raise ValueError("Die Maßnahme hat kein Gebiet; ohne Gebiet ist keine Auswertung möglich.")
    times = frame["occurred_at"]
    first = times.min().date() if len(frame) else None
    last = times.max().date() if len(frame) else None
    windows, note = choose_windows(start, days, seasonal, first, last)
    if windows is None:
        empty = _rate_change(0, 0)
        return Evaluation(Windows.around(start, days, seasonal), empty, empty, empty, None,
                          False, note)  # the note is the whole sentence here
    if categories:
        frame = frame[frame["category"].isin(categories)]
    frame = frame[frame["x"].notna() & frame["y"].notna()]
    x, y = frame["x"].to_numpy(), frame["y"].to_numpy()
    ring = area.buffer(RING_M).difference(area)
    if comparison is None:
        comparison = district.difference(area.buffer(RING_M))
    inside = shapely.contains_xy(area, x, y)
    in_comparison = shapely.contains_xy(comparison, x, y)
    in_ring = shapely.contains_xy(ring, x, y)
    result = evaluation_of_counts(windows, _window_counts(frame, inside, windows),
                                  _window_counts(frame, in_comparison, windows),
                                  _window_counts(frame, in_ring, windows), note)
    if RECORD_KEY not in frame:
        return result
    keys = frame[RECORD_KEY].to_numpy(np.int64)
    sums = [s for part in (inside, in_comparison, in_ring)
            for s in _window_counts(frame, part, windows, keys)]
    return replace(result, key_sums=tuple(sums))


def evaluation_of_counts(windows: Windows, area: tuple[int, int], comparison: tuple[int, int],
                         ring: tuple[int, int], note: str = "") -> Evaluation:
    """The evaluation from the (before, after) report counts of area, comparison area and
    displacement ring; for the public, ``reports.views`` passes the published counts."""
    area_change = _rate_change(*area)
    comparison_change = _rate_change(*comparison)
    ring_change = _rate_change(*ring)
    effect = _did(area_change, comparison_change)
    enough = min(area) >= MIN_REPORTS and min(comparison) >= MIN_REPORTS
    displacement = _did(ring_change, comparison_change) if min(ring) >= MIN_REPORTS else None
    return Evaluation(windows, area_change, comparison_change, effect, displacement, enough,
                      sentence(area_change, comparison_change, effect, enough), note)


def counts_frame(result: Evaluation) -> pd.DataFrame:
    """Reports per area and window with a 95 % Poisson interval, for the evaluation chart."""
    rows = []
    for label, change in (("Maßnahmengebiet", result.area), ("Vergleichsgebiet",
                                                                result.comparison)):
        for window, n, (lo, hi) in (("davor", change.before, result.windows.before),
                                    ("danach", change.after, result.windows.after)):
            half = Z95 * math.sqrt(n)
            rows.append({"Gebiet": label, "Zeitraum": window, "Meldungen": n,
                         "untere Grenze": max(0.0, n - half), "obere Grenze": n + half,
                         "von": lo, "bis": hi - timedelta(days=1)})
    return pd.DataFrame(rows)
