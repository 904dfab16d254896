"""Where the project lives in time: every timestamp is shown and bucketed in Leipzig's time."""

TIMEZONE = "Europe/Berlin"

# German number and date formatting for Vega/Vega-Lite charts (d3-format / d3-time-format
# locale definitions, as d3 ships them for de-DE): decimal comma, thousands point, German
# month and day names. Used in the app (chart config), in SVG downloads (vl-convert) and
# for the handout's axes.
MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
          "Oktober", "November", "Dezember")
SHORT_MONTHS = ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov",
                "Dez")
DAYS = ("Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag")
VEGA_NUMBER_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3],
                      "currency": ["", "\u00a0€"]}
VEGA_TIME_LOCALE = {
    "dateTime": "%A, %e. %B %Y, %X", "date": "%d.%m.%Y", "time": "%H:%M:%S",
    "periods": ["", ""], "days": list(DAYS), "shortDays": [d[:2] for d in DAYS],
    "months": list(MONTHS), "shortMonths": list(SHORT_MONTHS),
}
# Vega-Lite's chart config: the locale, German dates where a chart gives no format
# (tooltips of date fields would otherwise read "Apr 01, 2025"), and no generated ARIA
# descriptions: Vega writes them in English ("X-axis titled … for a time scale with values
# from …", "period: …; period_end: …" with the data's internal field names), so a screen
# reader reads the chart's German title and text instead.
VEGA_CONFIG = {"locale": {"number": VEGA_NUMBER_LOCALE, "time": VEGA_TIME_LOCALE},
               "timeFormat": "%d.%m.%Y", "aria": False}


def german_number(value: float, decimals: int = 0) -> str:
    """``1234.5`` -> ``"1.234,5"``: thousands point, decimal comma."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
