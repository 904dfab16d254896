"""The evaluation finds the effects the demo generator put in, and nothing where none was.

The demo is built through the real pipeline (exports -> import -> geocoding) into a SQLite
store, and its interventions are stored as measures with ``demo_measures``. 100,000 rows
give each intervention enough reports for a one-year window; the generator is seeded, so
the test is deterministic.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest

from demo.generate import config, geography, interventions
from demo.measures import demo_measures
from geo.boundary import load_boundary
from reports.analysis.evaluation import evaluate
from reports.coordination.measures import evaluate_measure, list_measures
from tests.helpers import shipped_geography

DISTRICT = load_boundary().district  # the shipped district
ROWS = 100_000
DAYS = 365


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    from demo import build_demo
    from reports.storage.store import Store

    base = tmp_path_factory.mktemp("measures_demo")
    store = Store.open(f"sqlite:///{base / 'demo.sqlite'}")
    build_demo(store, shipped_geography(), rows=ROWS, workdir=base / "work")
    demo_measures(store, DISTRICT)
    yield store, store.load_reports()
    store.close()


def _groups(effects: dict[str, float]) -> dict[float, tuple[str, ...]]:
    """Categories of an intervention by the multiplier the generator applied to them."""
    out: dict[float, list[str]] = defaultdict(list)
    for category, factor in effects.items():
        out[factor].append(category)
    return {factor: tuple(cats) for factor, cats in out.items()}


def test_demo_measures_are_stored_once_per_intervention(demo):
    store, _ = demo
    items = list_measures(store)
    assert sorted(m.title for m in items) == sorted(iv.name for iv in interventions())
    assert demo_measures(store, DISTRICT) == []  # a second call adds nothing
    kinds = {m.title: m.kind for m in items}
    assert {iv.name: iv.kind for iv in interventions()} == kinds


CASES = [(iv.name, factor, cats) for iv in interventions()
         for factor, cats in _groups(iv.effects).items()]


@pytest.mark.parametrize("name, factor, categories", CASES,
                         ids=[f"{n}-{f}" for n, f, _ in CASES])
def test_evaluation_recovers_the_generators_effect(demo, name, factor, categories):
    store, frame = demo
    measure = next(m for m in list_measures(store) if m.title == name)
    result = evaluate(frame, measure.area, measure.starts_on, district=DISTRICT, days=DAYS,
                      categories=categories)
    assert result.enough_data, result.sentence
    ratio = 1 + result.effect.estimate
    low, high = 1 + result.effect.low, 1 + result.effect.high
    assert low < factor < high, f"{name}: {factor} outside {low:.2f}–{high:.2f} (est. {ratio:.2f})"
    if factor == 1.0:
        assert not result.effect.clear
        assert "im Rahmen der üblichen Schwankung" in result.sentence
    else:
        assert result.effect.clear and (ratio < 1) == (factor < 1)
        word = "deutlich weniger" if factor < 1 else "deutlich mehr"
        assert f"Vergleichsgebiet: {word}" in result.sentence


def test_measures_from_the_store_evaluate_like_the_interventions(demo):
    store, frame = demo
    cleaning = next(m for m in list_measures(store) if m.kind == "cleaning")
    result = evaluate_measure(cleaning, frame, district=DISTRICT, days=DAYS)
    assert result.effect.clear and result.effect.estimate < 0
    assert "Vergleichsgebiet: deutlich weniger" in result.sentence


def test_no_effect_where_none_was_put_in(demo):
    _, frame = demo
    area = geography().anchor("Torgauer Platz").buffer(250)
    start = config()["end"] - timedelta(days=550)  # a year of data on either side
    result = evaluate(frame, area, start, district=DISTRICT, days=DAYS,
                      categories=("graffiti", "hundekot", "illegale_muellablagerung"))
    assert result.enough_data
    assert not result.effect.clear
    assert "im Rahmen der üblichen Schwankung" in result.sentence
