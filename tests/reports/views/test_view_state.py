"""The URL's view: every valid view survives a round trip through its query parameters, and
every bad value is named in German and falls back to its default instead of raising."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from reports.views.view_state import (
    CELL_SIZES,
    DEFAULT_LAYERS,
    FIRST_DAY,
    HEATS,
    PRESETS,
    SHAPES,
    ZOOMS,
    ViewRules,
    ViewState,
    parse_view,
    view_params,
)

RULES = ViewRules(topics=("umwelt", "ordnung"), sources=("polizei", "buerger"),
                  categories=("graffiti", "hundekot"),
                  ortsteile=("Volkmarsdorf", "Reudnitz-Thonberg"),
                  layers=("heat", "cells", "hotspots", "markers", "ortsteile"),
                  bounds=(12.30, 51.28, 12.55, 51.42), today=date(2026, 12, 4))


def _subset(options):
    return st.lists(st.sampled_from(options), unique=True).map(tuple)


def _where():
    return st.tuples(st.floats(51.28, 51.42), st.floats(12.30, 12.55)).map(
        lambda p: (round(p[0], 5), round(p[1], 5)))


views = st.builds(
    ViewState,
    preset=st.sampled_from(list(PRESETS)),
    year=st.none() | st.integers(FIRST_DAY.year, RULES.today.year),
    start=st.none() | st.dates(FIRST_DAY, date(2100, 12, 31)),
    end=st.none() | st.dates(FIRST_DAY, date(2100, 12, 31)),
    topics=_subset(RULES.topics), sources=_subset(RULES.sources),
    categories=_subset(RULES.categories), ortsteile=_subset(RULES.ortsteile),
    layers=_subset(RULES.layers), cell_m=st.sampled_from(CELL_SIZES),
    shape=st.sampled_from(SHAPES), per_1000=st.booleans(), heat=st.sampled_from(HEATS),
    centre=st.none() | _where(), zoom=st.none() | st.integers(*ZOOMS),
    point=st.none() | _where(),
    section=st.none() | st.text(st.characters(categories=("L", "N"), include_characters=" –"),
                                min_size=1, max_size=60).map(str.strip).filter(bool))


@given(views)
def test_every_view_survives_its_query_parameters(view):
    params = view_params(view)
    assert all(isinstance(v, (str, list)) for v in params.values())
    assert parse_view(params, RULES) == (view, ())


def test_the_default_view_has_no_parameters():
    assert view_params(ViewState()) == {}
    assert parse_view({}, RULES) == (ViewState(), ())
    assert ViewState().layers == DEFAULT_LAYERS


def test_overflowing_dates_are_refused_in_german():
    view, problems = parse_view({"zeit": "frei", "von": "0001-01-01", "bis": "9999-12-31"},
                                RULES)
    assert (view.preset, view.start, view.end) == ("frei", None, None)
    assert len(problems) == 2 and all("außerhalb" in p for p in problems)
    assert problems[0].startswith("„von“") and problems[1].startswith("„bis“")


def test_each_bad_value_is_named_and_the_rest_is_kept():
    view, problems = parse_view({
        "zeit": "morgen", "jahr": "zwanzig", "von": "32.13.2026", "thema": ["umwelt", "mond"],
        "quelle": "polizei,nasa", "ebenen": "heat,laser", "zelle": "75", "form": "kreis",
        "dichte": "x", "je1000": "ja", "zoom": "nah", "mitte": "52.52,13.40",
        "punkt": "abc", "abschnitt": "x" * 500}, RULES)
    assert view.topics == ("umwelt",) and view.sources == ("polizei",)
    assert view.layers == ("heat",)
    assert view == ViewState(topics=("umwelt",), sources=("polizei",), layers=("heat",))
    named = [p.split("“")[0].lstrip("„") for p in problems]
    assert sorted(named) == sorted(["thema", "quelle", "ebenen", "zeit", "jahr", "von",
                                    "zelle", "form", "dichte", "je1000", "zoom", "mitte",
                                    "punkt", "abschnitt"])
    assert any("„mond“" in p for p in problems) and any("Leipziger Osten" in p
                                                          for p in problems)


def test_comma_lists_of_older_links_are_read():
    view, problems = parse_view({"thema": "umwelt,ordnung"}, RULES)
    assert view.topics == ("umwelt", "ordnung") and problems == ()
