"""Making text that came from outside harmless where it is shown or exported.

Descriptions, addresses, file names and column names come from partner exports and the
public concern form; they are data, never markup, formulas or math. Each output context
has its own escaping, so there is one helper per context.
"""

from __future__ import annotations

import html
import re
import unicodedata

import pandas as pd

# A spreadsheet treats a cell starting with one of these as a formula (or DDE command).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Their look-alikes: Unicode compatibility forms (full-width ＝＋－＠, small ﹦﹢﹣﹫, super- and
# subscript ⁺⁻₊₋) fold to them under NFKC, and spreadsheets with an East Asian input
# method read some of them as the ASCII sign; the minus sign U+2212 is what ⁻ folds to.
_SIGNS = frozenset(FORMULA_PREFIXES) | {"\u2212"}
# Control characters that XLSX (XML 1.0) cannot store; openpyxl raises on them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:])")


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def escape_html(value: object) -> str:
    """Text for HTML element content and quoted attributes (map popups, tooltips, tables).

    Braces become character references too: branca/folium compile the rendered map script
    as a Jinja template a second time, so a ``{{ ... }}`` in a description would otherwise be
    executed on the server (template injection). In HTML they display unchanged.
    """
    return html.escape(_text(value), quote=True).replace("{", "&#123;").replace("}", "&#125;")


def escape_markdown(value: object) -> str:
    """Text for Streamlit markdown (st.markdown, st.error, captions): no links, no emphasis,
    no HTML, no LaTeX."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(_text(value), quote=False))


def escape_mathtext(value: object) -> str:
    """Text for matplotlib (PDF handout): a ``$`` would start mathtext parsing."""
    return _text(value).replace("$", r"\$")


def escape_frame(frame: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """Copy of ``frame`` with the text columns (default: all non-numeric) HTML-escaped."""
    out = frame.copy()
    targets = columns if columns is not None else [
        c for c in out.columns
        if not (pd.api.types.is_numeric_dtype(out[c]) or pd.api.types.is_datetime64_any_dtype(
            out[c]))
    ]
    for column in targets:
        out[column] = out[column].map(escape_html)
    out.columns = [escape_html(c) for c in out.columns]
    return out


def formula_like(text: str) -> bool:
    """Whether ``text`` starts, after any spaces or invisible format characters (zero-width
    space, byte-order mark), with a formula sign or one of its Unicode look-alikes."""
    if text.startswith(FORMULA_PREFIXES):
        return True
    for char in text:
        if char.isspace() or unicodedata.category(char) == "Cf":
            continue
        return unicodedata.normalize("NFKC", char)[:1] in _SIGNS
    return False


def neutralise_cell(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe.

    Numbers stay numbers: a negative float is not text and is not touched.
    """
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return value


def restore_cell(value: object) -> object:
    """The cell ``neutralise_cell`` was given (for corrected quarantine exports coming back)."""
    if isinstance(value, str) and value.startswith("'") and formula_like(value[1:]):
        return value[1:]
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` safe to open in Excel/LibreOffice: text cells and column names
    starting with = + - @ TAB or CR, or a look-alike of them (``formula_like``), are
    prefixed with an apostrophe."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            out[column] = series.map(neutralise_cell, na_action="ignore").astype(series.dtype)
    out.columns = [neutralise_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


def xlsx_text(value: object) -> object:
    """Drop control characters XLSX cannot hold (they would abort the whole export)."""
    return _XML_ILLEGAL.sub("", value) if isinstance(value, str) else value
