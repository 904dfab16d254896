"""The synthetic demo: deterministic partner exports with the structure the dashboard and the
measure evaluation must find, and a demo store built through the real import pipeline."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import shapely

from config.clock import today as real_today
from demo import build_demo
from demo.generate import (
    calendar_notes,
    config,
    generate_exports,
    generate_truth,
    interventions,
    meeting_dates,
)
from geo.boundary import load_boundary
from reports.ingest.importers import read_file
from reports.ingest.profiles import load_profile
from reports.model import vocabulary
from reports.storage.store import Store
from tests.helpers import shipped_geography

BOUNDARY = load_boundary()  # the shipped Ortsteile

KINDS = {"cleaning", "construction", "social", "repressive", "preventive"}


@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    return generate_truth()


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    return generate_exports(tmp_path_factory.mktemp("exports"))


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    """The full-size demo store on SQLite, built once for the module."""
    base = tmp_path_factory.mktemp("demo")
    store = Store.open(f"sqlite:///{base / 'demo.sqlite'}")
    summary = build_demo(store, shipped_geography(), workdir=base / "exports")
    yield store, summary
    store.close()


def _raw_rows(path, source) -> int:
    return read_file(path.read_bytes(), path.name, load_profile(source).format).total


def test_same_seed_gives_identical_files_and_another_seed_different(tmp_path):
    first = generate_exports(tmp_path / "a", rows=2000, seed=7)
    again = generate_exports(tmp_path / "b", rows=2000, seed=7)
    other = generate_exports(tmp_path / "c", rows=2000, seed=8)
    assert [s for _, s in first] == [s for _, s in again]
    for (a, _), (b, _), (c, _) in zip(first, again, other, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
        assert a.read_bytes() != c.read_bytes(), a.name


def test_default_exports_have_every_source_in_its_own_format(exports):
    sources = [s for _, s in exports]
    assert sorted(sources) == sorted(vocabulary().sources)
    formats = {s: p.suffix for p, s in exports}
    assert formats["stadtreinigung"] == ".xlsx" and formats["fachamt"] == ".geojson"
    rows = {s: _raw_rows(p, s) for p, s in exports}
    assert sum(rows.values()) >= 25_000
    assert min(rows.values()) > 500
    police = next(p for p, s in exports if s == "polizei").read_bytes()
    assert b"K\xf6rperverletzung" in police  # Windows-1252, as the police exports
    social = next(p for p, s in exports if s == "strassensozialarbeit").read_bytes()
    assert social.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM


def _named_categories(voc) -> set[str]:
    """Every category but the "Sonstiges" fallbacks, which the demo's partners never name."""
    return set(voc.categories) - {voc.other_of(t) for t in voc.topics}


def test_truth_covers_all_categories_sources_and_the_period(truth):
    voc = vocabulary()
    assert set(truth["category"]) == _named_categories(voc)
    assert set(truth["source"]) == set(voc.sources)
    cfg = config()  # the reference calendar moved to end yesterday (the real date)
    assert cfg["end"] == real_today() - timedelta(days=1)
    assert truth["when"].min() >= pd.Timestamp(cfg["start"])
    assert truth["when"].max() < pd.Timestamp(real_today())
    assert truth["when"].max() >= pd.Timestamp(cfg["end"] - timedelta(days=3))
    assert (cfg["end"] - cfg["start"]).days == (date(2026, 10, 31) - date(2023, 1, 1)).days
    area = BOUNDARY.district
    inside = shapely.contains_xy(area, truth["x"].to_numpy(), truth["y"].to_numpy())
    assert inside.mean() > 0.95


def test_dumping_in_parks_peaks_in_summer(truth):
    parks = truth[truth["anchor"].isin(["Rabet", "Johanniterhaus Am Mariannenpark"])
                  & (truth["category"] == "illegale_muellablagerung")]
    month = parks["when"].dt.month
    summer, winter = month.isin([6, 7, 8]).sum(), month.isin([12, 1, 2]).sum()
    assert summer > 1.8 * winter


def test_public_order_happens_in_evenings_and_on_weekends(truth):
    order = truth[truth["category"].isin(["ruhestoerung", "gewaltdelikt", "drogenhandel"])]
    hour = order["when"].dt.hour
    evening = hour.isin([19, 20, 21, 22, 23, 0]).mean()
    assert evening > 0.45  # 6 of 24 hours hold almost half of it
    weekend = order["when"].dt.weekday >= 5
    assert weekend.sum() / 2 > 1.2 * (~weekend).sum() / 5  # per day


def test_hotspots_persist_where_configured(truth):
    syringes = truth[truth["category"] == "spritzenfund"]
    rabet = next(iv for iv in interventions() if iv.name == "Zusätzliche Reinigung Rabet")
    inside = shapely.contains_xy(rabet.area, syringes["x"].to_numpy(), syringes["y"].to_numpy())
    share_of_area = rabet.area.area / BOUNDARY.district.area
    for year in sorted(set(syringes["when"].dt.year)):
        in_year = syringes["when"].dt.year.to_numpy() == year
        if in_year.sum() < 100:  # a year's few first or last days
            continue
        assert inside[in_year].mean() > 5 * share_of_area, year


def _did(frame: pd.DataFrame, iv, categories) -> tuple[float, float, int]:
    """Ratio after/before inside the area over the same ratio outside area and ring, one
    year on each side of the start (seasonally matched); with the standard error of its
    logarithm (Poisson counts) and the count inside before the start."""
    sel = frame[frame["category"].isin(categories)]
    x, y = sel["x"].to_numpy(), sel["y"].to_numpy()
    inside = shapely.contains_xy(iv.area, x, y)
    rest = ~inside & ~shapely.contains_xy(iv.ring, x, y)
    start = pd.Timestamp(iv.start)
    when = sel["when"]
    before = ((when >= start - timedelta(days=365)) & (when < start)).to_numpy()
    after = ((when >= start) & (when < start + timedelta(days=365))).to_numpy()
    n = {k: int(m.sum()) for k, m in {"ib": inside & before, "ia": inside & after,
                                       "ob": rest & before, "oa": rest & after}.items()}
    se = float(np.sqrt(sum(1 / v for v in n.values())))
    return (n["ia"] / n["ib"]) / (n["oa"] / n["ob"]), se, n["ib"]


def test_interventions_are_configured_for_the_measures():
    voc = vocabulary()
    assert len([iv for iv in interventions() if any(f != 1 for f in iv.effects.values())]) >= 3
    area = BOUNDARY.district
    for iv in interventions():
        assert iv.kind in KINDS
        assert set(iv.categories) <= set(voc.categories)
        start, end = config()["start"], config()["end"]
        assert start + timedelta(days=365) < iv.start < end - timedelta(days=365)
        assert area.contains(iv.area.centroid), iv.name
        assert iv.ring.intersects(iv.area.buffer(1)) and not iv.ring.intersects(iv.area.buffer(-1))


def test_interventions_change_the_generated_reports_by_their_effect(truth):
    for iv in interventions():
        by_factor: dict[float, list[str]] = {}
        for category, factor in iv.effects.items():
            by_factor.setdefault(factor, []).append(category)
        for factor, categories in by_factor.items():
            ratio, se, before = _did(truth, iv, categories)
            assert before >= 50, (iv.name, categories, before)
            assert abs(np.log(ratio / factor)) < 3 * se, (iv.name, categories, ratio, factor)
            if factor != 1:  # and the change goes the way the measure was meant to work
                assert np.sign(np.log(ratio)) == np.sign(np.log(factor)), (iv.name, ratio)


def test_police_pressure_displaces_trade_into_the_ring(truth):
    iv = next(iv for iv in interventions() if iv.kind == "repressive")
    assert iv.displacement > 0
    trade = truth[truth["category"].isin(iv.categories)]
    x, y = trade["x"].to_numpy(), trade["y"].to_numpy()
    ring = shapely.contains_xy(iv.ring, x, y)
    rest = ~ring & ~shapely.contains_xy(iv.area, x, y)
    start, year = pd.Timestamp(iv.start), timedelta(days=365)
    before = ((trade["when"] >= start - year) & (trade["when"] < start)).to_numpy()
    after = ((trade["when"] >= start) & (trade["when"] < start + year)).to_numpy()
    ring_change = (ring & after).sum() / (ring & before).sum()
    rest_change = (rest & after).sum() / (rest & before).sum()
    assert ring_change > 1.15 * rest_change


def test_meetings_every_six_weeks_on_thursdays():
    days = meeting_dates()
    cfg = config()
    assert cfg["start"] <= days[0] < cfg["start"] + timedelta(days=42)
    assert all(d.weekday() == 3 for d in days)
    assert {(b - a).days for a, b in itertools.pairwise(days)} == {42}
    assert days[-1] <= cfg["end"] < days[-1] + timedelta(days=42)


def test_annotations_hold_measures_yearly_festival_and_construction():
    notes = calendar_notes()
    kinds = [k for _, _, k, _ in notes]
    assert kinds.count("measure") == len(interventions())
    festivals = [s for s, _, k, label in notes if k == "event" and "Stadtteilfest" in label]
    cfg = config()
    assert [d.year for d in festivals] == list(range(cfg["start"].year, cfg["end"].year + 1))
    assert all(d.month == 6 for d in festivals)
    assert "construction" in kinds


def test_build_demo_imports_everything_through_the_pipeline(demo_store):
    store, summary = demo_store
    assert summary["total"] >= 25_000
    assert summary["imported"] == store.count_reports() == summary["reports"]
    assert summary["imported"] + summary["rejected"] == summary["total"]
    quarantine = store.list_quarantine()
    assert len(quarantine) == summary["rejected"]
    assert 0 < len(quarantine) < 0.01 * summary["total"]
    assert store.is_demo()
    assert store.last_report_day() == real_today() - timedelta(days=1)  # no frozen clock
    frame = store.load_reports()
    named = _named_categories(vocabulary())  # plus "Sonstiges" where a partner wrote it
    assert named <= set(frame["category"]) <= set(vocabulary().categories)
    assert set(frame["source"]) == set(vocabulary().sources)
    placed = frame["geocode_status"].isin(["unresolved", "outside"])
    assert placed.mean() < 0.03
    restricted = frame[frame["category"].isin(["konsumort", "kontakt_strassensozialarbeit"])]
    assert set(restricted["sensitivity"]) == {"restricted"}
    meetings = pd.to_datetime(store.list_meetings()["held_on"])
    assert set(meetings.diff().dropna().dt.days) == {42}
    assert len(store.list_annotations()) == len(calendar_notes())
    from reports.coordination.measures import list_measures

    assert {m.title for m in list_measures(store)} == {iv.name for iv in interventions()}
    assert summary["measures"] == len(interventions())


def test_intervention_effect_survives_import_and_geocoding(demo_store):
    store, _ = demo_store
    frame = store.load_reports()
    frame = frame[frame["geocode_status"].isin(["exact", "interpolated", "coordinates",
                                                "intersection", "fuzzy", "place"])]
    frame = frame.assign(when=frame["occurred_at"].dt.tz_localize(None))
    rabet = next(iv for iv in interventions() if iv.name == "Zusätzliche Reinigung Rabet")
    ratio, se, _ = _did(frame, rabet, list(rabet.categories))
    assert abs(np.log(ratio / 0.6)) < 3 * se and ratio < 0.85


def test_build_demo_with_keep_leaves_a_filled_demo_store_alone(demo_store, tmp_path):
    store, _ = demo_store
    version = store.data_version()
    count = store.count_reports()
    summary = build_demo(store, shipped_geography(), keep=True, workdir=tmp_path)
    assert summary["kept"] is True
    assert store.data_version() == version and store.count_reports() == count
    assert not any(tmp_path.iterdir())  # nothing generated


def test_build_demo_on_both_back_ends_replaces_the_store(store, tmp_path):
    store.add_meeting(date(2020, 1, 1), "alte Sitzung")
    summary = build_demo(store, shipped_geography(), rows=2000, workdir=tmp_path)
    assert 1800 < summary["imported"] <= summary["total"]
    assert store.count_reports() == summary["imported"]
    assert date(2020, 1, 1) not in set(store.list_meetings()["held_on"])
    assert store.is_demo()
    again = build_demo(store, shipped_geography(), rows=2000, keep=False, workdir=tmp_path)
    assert again["imported"] == summary["imported"]  # rebuilt, not added on top
    assert store.count_reports() == summary["imported"]
