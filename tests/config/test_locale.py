"""German number formatting and the Vega locale the charts and SVG downloads use."""

from __future__ import annotations

import pytest

from config.locale import VEGA_NUMBER_LOCALE, VEGA_TIME_LOCALE, german_number


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
