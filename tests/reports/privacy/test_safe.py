"""Escaping for HTML/markdown/matplotlib and spreadsheet formula neutralisation."""

from __future__ import annotations

import csv
import io
import os

import openpyxl
import pandas as pd

from reports.privacy.safe import (
    escape_frame,
    escape_html,
    escape_markdown,
    escape_mathtext,
    neutralise_formulas,
)
from reports.render.export import to_csv_bytes, to_xlsx_bytes

DANGEROUS = ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", "\tTAB", "\rCR",
             '=HYPERLINK("http://evil","klick")', "=cmd|' /C calc'!A0"]


def test_html_escape_neutralises_markup_and_attributes():
    assert escape_html('<img src=x onerror="alert(1)">') == (
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;")
    assert escape_html("it's") == "it&#x27;s"
    assert escape_html(None) == "" and escape_html(pd.NA) == ""


def test_braces_cannot_reach_folium_templates():
    """branca compiles rendered map scripts as Jinja templates again: escaped text must not
    be evaluated on the server (this payload ran os.getcwd() before braces were escaped)."""
    import folium
    from folium import plugins

    payload = "{{ 7*7 }} {{ cycler.__init__.__globals__.os.getcwd() }} {% raw %}"
    text = escape_html(payload)
    assert "{" not in text and "}" not in text
    fmap = folium.Map(location=[51.345, 12.40], zoom_start=15)
    plugins.FastMarkerCluster(
        [[51.345, 12.40, "#000", text]],
        callback="function (row) { var m = L.marker([row[0], row[1]]); "
                 "m.bindPopup(row[3]); return m; }").add_to(fmap)
    folium.Marker([51.345, 12.40], popup=folium.Popup(text), tooltip=text).add_to(fmap)
    rendered = fmap.get_root().render()
    assert rendered.count("&#123;&#123; 7*7 &#125;&#125;") == 2  # popup, tooltip
    assert "\\u0026#123;\\u0026#123; 7*7" in rendered  # cluster data (JSON)
    assert os.getcwd() not in rendered


def test_escape_frame_escapes_text_columns_and_names_not_numbers():
    frame = pd.DataFrame({"<b>col</b>": ["<script>x</script>"], "n": [3]})
    out = escape_frame(frame)
    assert list(out.columns) == ["&lt;b&gt;col&lt;/b&gt;", "n"]
    assert out.iloc[0, 0] == "&lt;script&gt;x&lt;/script&gt;"
    assert out.iloc[0, 1] == 3


def test_markdown_and_mathtext_escape():
    md = escape_markdown("[klick](javascript:alert(1)) **fett** <b>")
    assert "](" not in md and "**" not in md and "<b>" not in md
    assert escape_mathtext("Kosten $5$") == r"Kosten \$5\$"


def test_formula_cells_get_apostrophe_numbers_stay_numbers():
    frame = pd.DataFrame({
        "text": pd.Series(DANGEROUS, dtype="string"),
        "obj": pd.Series(DANGEROUS, dtype=object),
        "num": [-1.5] * len(DANGEROUS),
        "int": [-3] * len(DANGEROUS),
    })
    out = neutralise_formulas(frame)
    assert out["text"].tolist() == ["'" + v for v in DANGEROUS]
    assert out["obj"].tolist() == ["'" + v for v in DANGEROUS]
    assert out["num"].tolist() == [-1.5] * len(DANGEROUS)
    assert out["int"].tolist() == [-3] * len(DANGEROUS)
    assert str(out["text"].dtype) == "string"
    # harmless text is untouched, column names are neutralised too
    plain = neutralise_formulas(pd.DataFrame({"=bad": ["Müll a=b", "1-2"]}))
    assert list(plain.columns) == ["'=bad"] and plain.iloc[:, 0].tolist() == ["Müll a=b", "1-2"]


def test_csv_export_has_no_formula_cells():
    frame = pd.DataFrame({"description": DANGEROUS, "count": [-1] * len(DANGEROUS)})
    text = to_csv_bytes(frame).decode("utf-8-sig")
    cells = [line.split(";")[0] for line in text.splitlines()[1:]]
    for cell in cells:
        value = cell.strip('"')
        assert not value.startswith(("=", "+", "-", "@")), cell
    assert text.splitlines()[1].endswith(";-1")  # a negative number stays a number


def test_xlsx_export_has_no_formulas_and_keeps_numbers():
    frame = pd.DataFrame({"description": [*DANGEROUS, "Steuerzeichen \x07 weg"],
                          "count": [-1] * (len(DANGEROUS) + 1)})
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame)))
    sheet = book.active
    values = [row for row in sheet.iter_rows(min_row=2, values_only=True)]
    for cell in sheet.iter_rows(min_row=2):
        assert cell[0].data_type == "s", cell[0].value  # text, never "f" (formula)
        assert cell[1].data_type == "n" and cell[1].value == -1
    assert values[0][0] == "'=1+1"
    assert values[-1][0] == "Steuerzeichen  weg"


LOOK_ALIKES = ["＝1+1", "﹦1+1", "＋SUM(A1:A2)", "﹢1", "⁺1", "₊1", "－2+3", "﹣2", "⁻2", "−2",
               "＠cmd", "﹫cmd", " =1+1", "\u200b=1+1", "\ufeff＝1+1", "\n=1+1"]


def test_unicode_look_alikes_of_formula_signs_are_neutralised_in_both_exports():
    """Full-width, small-form, super- and subscript signs, and signs behind spaces or
    invisible characters, get the apostrophe like their ASCII originals."""
    frame = pd.DataFrame({"description": [*LOOK_ALIKES, "Müll ＝ viel", "2 − 1", "Straße"]})
    out = neutralise_formulas(frame)["description"].tolist()
    assert out == ["'" + v for v in LOOK_ALIKES] + ["Müll ＝ viel", "2 − 1", "Straße"]
    rows = list(csv.reader(io.StringIO(to_csv_bytes(frame).decode("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in rows[1:]] == out
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame))).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert all(str(c).startswith("'") for c in cells[:len(LOOK_ALIKES)])
    assert cells[len(LOOK_ALIKES):] == ["Müll ＝ viel", "2 − 1", "Straße"]
