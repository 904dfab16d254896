"""German number formatting and the Vega locale the charts and SVG downloads use."""

from __future__ import annotations

import json

import pytest

from config.locale import VEGA_CONFIG, VEGA_NUMBER_LOCALE, VEGA_TIME_LOCALE, german_number


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (6.92, 2, "6,92"), (1234.5, 1, "1.234,5"), (30000, 0, "30.000"), (-1234567, 0, "-1.234.567"),
    (0.05, 2, "0,05"),
])
def test_german_number(value, decimals, text):
    assert german_number(value, decimals) == text


def test_vega_renders_german_dates_and_numbers():
    import vl_convert

    spec = {"data": {"values": [{"t": "2026-03-05", "v": 1234.5}]}, "mark": "point",
            "encoding": {"x": {"field": "t", "type": "temporal", "axis": {"format": "%B %b"}},
                         "y": {"field": "v", "type": "quantitative",
                               "axis": {"format": ",.1f", "values": [1234.5]}}}}
    svg = vl_convert.vegalite_to_svg(spec, format_locale=VEGA_NUMBER_LOCALE,
                                     time_format_locale=VEGA_TIME_LOCALE)
    assert "März Mär" in svg and "1.234,5" in svg
    assert "March" not in svg and "1,234.5" not in svg


def test_date_tooltips_without_a_format_are_german():
    """A tooltip on a date field without its own format uses the config's German format,
    not Vega-Lite's "%b %d, %Y" ("Apr 01, 2025")."""
    import vl_convert

    spec = {"data": {"values": [{"t": "2025-04-01", "v": 3}]}, "mark": "point",
            "encoding": {"x": {"field": "t", "type": "temporal"},
                         "y": {"field": "v", "type": "quantitative"},
                         "tooltip": [{"field": "t", "type": "temporal"}]}}
    plain = vl_convert.vegalite_to_vega(spec)
    german = vl_convert.vegalite_to_vega({**spec, "config": VEGA_CONFIG})
    assert "%b %d, %Y" in json.dumps(plain)
    assert "%b %d, %Y" not in json.dumps(german) and "%d.%m.%Y" in json.dumps(german)


def test_charts_carry_no_english_aria_descriptions():
    import vl_convert

    spec = {"data": {"values": [{"period": "2025-04-01", "v": 3}]}, "mark": "rect",
            "encoding": {"x": {"field": "period", "type": "temporal"},
                         "y": {"field": "v", "type": "quantitative"}}}
    assert '"description"' in json.dumps(vl_convert.vegalite_to_vega(spec))
    german = json.dumps(vl_convert.vegalite_to_vega({**spec, "config": VEGA_CONFIG}))
    assert '"description"' not in german and '"aria": false' in german
