"""Every number the public is shown, read as an attacker reads it: an anonymous headless
Chromium session on Überblick, Karte (every count layer, two cell sizes), Trends and Sitzung,
for the default filter and a filter narrowed to a category with fewer than k reports. The
scan decodes what the browser received — the websocket's Streamlit messages (metrics, texts,
the Arrow data of every chart and table, the folium map's script with its GeoJSON) and the
HTML of every frame, iframes included — and finds no count from 1 to k-1 anywhere: every
count is a published one (a multiple of 5, or "unter 5"). The store is built so that the
true counts of the filters shown include such small ones (checked), and the same scan as a
member, who sees exact counts, does find small counts: the scan reads what it claims to."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from geo.crs import to_metric
from reports.model import stable_id
from tests.browser.test_xss_browser import Session, _store, chromium
from tests.helpers import dashboard_server
from tests.privacy_sample import sample_reports

pytestmark = pytest.mark.browser
__all__ = ["chromium"]  # the module's browser fixture, shared with the XSS scan
K = 5
COUNT_FIELDS = {"reports", "count", "n", "now", "before", "Meldungen", "Anzahl", "value"}
PAGES = ["", "karte", "trends", "sitzung"]
FILTERS = ["", "?kategorie=graffiti"]
# A count in running text: "12 Meldungen", "Meldungen: 12", "12 von rund 25 Meldungen".
NUMBER = r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+|\d+)(?![\d,])"
TEXT_COUNTS = [re.compile(NUMBER + r"\s+(?:Meldung|Fund|Anliegen)"),
               re.compile(r"(?:Meldungen|Anzahl|Funde)\s*:\s*" + NUMBER),
               re.compile(NUMBER + r"\s+von\s+(?:rund\s+)?" + NUMBER)]
# A count in the map's GeoJSON: {"reports": 12} or the tooltip text {"text": "rund 10"}.
JSON_COUNTS = re.compile(r'\\*"(' + "|".join(sorted(COUNT_FIELDS | {"text"})) + r')\\*"\s*:\s*'
                         r'\\*"?(?:rund )?(\d+(?:\.\d+)?)\b(?![.:/-]\d)')


def clustered_reports() -> pd.DataFrame:
    """The privacy sample plus public reports in three clusters of 12, 7 and 3 around
    Eisenbahnstraße and Rabet, spread over weeks: some cells, weeks and Ortsteile reach k,
    many stay below it."""
    base = sample_reports()
    template = base[base["category"] == "illegale_muellablagerung"].iloc[[0]]
    rows = []
    rng = np.random.default_rng(11)
    for c, (lon, lat, n) in enumerate([(12.4010, 51.3462, 12), (12.3925, 51.3430, 7),
                                       (12.4120, 51.3475, 3)]):
        for i in range(n):
            row = template.copy()
            ref = f"cluster-{c}-{i}"
            row["id"], row["source_ref"] = stable_id("polizei", ref), ref
            row["content_hash"] = f"h-{ref}"
            row["lon"] = lon + rng.uniform(-0.0002, 0.0002)
            row["lat"] = lat + rng.uniform(-0.0002, 0.0002)
            x, y = to_metric(row["lon"].to_numpy(), row["lat"].to_numpy())
            row["x"], row["y"] = x, y
            row["occurred_at"] = row["occurred_at"] + pd.Timedelta(days=3 * i + c)
            rows.append(row)
    frame = pd.concat([base, *rows], ignore_index=True)
    from geo.boundary import load_boundary

    frame["ortsteil"] = load_boundary().assign_ortsteil(frame["x"].to_numpy(),
                                                        frame["y"].to_numpy())
    return frame.astype(base.dtypes.to_dict())


def true_small_counts(frame: pd.DataFrame) -> set[int]:
    """The true counts from 1 to k-1 of what the public pages aggregate (public, open
    categories): per topic, category, Ortsteil, week x topic, 100 m and 250 m cell."""
    from reports.model import vocabulary

    public = frame[(frame["sensitivity"] == "public")
                   & ~frame["category"].isin(vocabulary().restricted_categories)]
    week = public["occurred_at"].dt.tz_localize(None).dt.to_period("W")
    groups = [public.groupby("topic").size(), public.groupby("category").size(),
              public.groupby("ortsteil").size(), public.groupby([week, "topic"]).size()]
    for size in (100, 250):
        groups.append(public.groupby([(public["x"] // size), (public["y"] // size)]).size())
    counts = pd.concat(groups)
    return {int(v) for v in counts if 0 < v < K}


def _number(text: str) -> int:
    return int(text.replace(".", ""))


def _elements(frames: list[bytes]):
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    for raw in frames:
        try:
            msg = ForwardMsg.FromString(raw)
        except Exception:  # not a Streamlit message (e.g. a component's own frame)
            continue
        if msg.HasField("delta") and msg.delta.HasField("new_element"):
            yield msg.delta.new_element


def _arrow(data: bytes) -> pd.DataFrame:
    import pyarrow as pa

    return pa.ipc.open_stream(data).read_all().to_pandas()


def _table_counts(table: pd.DataFrame, where: str) -> list[tuple[str, float]]:
    found = []
    for column in table.columns:
        name = str(column)
        if name in COUNT_FIELDS or "Meldungen" in name or "Anzahl" in name:
            values = pd.to_numeric(table[column], errors="coerce").dropna()
            found += [(f"{where}: Spalte {name}", float(v)) for v in values]
    return found


def _text_counts(text: str, where: str) -> list[tuple[str, float]]:
    found = []
    for pattern in TEXT_COUNTS:
        for match in pattern.finditer(text):
            start = match.start()
            if text[max(0, start - 6):start].endswith("unter "):
                continue
            found += [(f"{where}: „{match.group(0)}“", float(_number(g)))
                      for g in match.groups()]
    for match in JSON_COUNTS.finditer(text):
        found.append((f"{where}: {match.group(0)[:60]}", float(match.group(2))))
    return found


def shown_counts(session: Session) -> list[tuple[str, float]]:
    """(where, value) of every count the session's browser received."""
    found: list[tuple[str, float]] = []
    for el in _elements(session.frames):
        kind = el.WhichOneof("type")
        if kind == "metric":
            body = el.metric.body.replace("rund ", "")
            if re.fullmatch(r"[\d.]+", body):
                found.append((f"Kennzahl {el.metric.label}", float(_number(body))))
        elif kind in ("markdown", "alert", "heading", "text", "caption"):
            found += _text_counts(getattr(el, kind).body, kind)
        elif kind == "arrow_data_frame":
            found += _table_counts(_arrow(el.arrow_data_frame.data), "Tabelle")
        elif kind == "vega_lite_chart":
            for dataset in el.vega_lite_chart.datasets:
                found += _table_counts(_arrow(dataset.data.data), "Diagramm")
            found += _text_counts(el.vega_lite_chart.spec, "Diagramm")
        elif kind == "component_instance":
            found += _text_counts(el.component_instance.json_args, "Karte")
    return found


def scan(session: Session, base: str) -> list[tuple[str, float]]:
    """Visit every public page for every filter (the map with every count layer and two
    cell sizes) and return the counts received, including the frames' HTML."""
    found: list[tuple[str, float]] = []
    for query in FILTERS:
        for path in PAGES:
            session.page.goto(f"{base}/{path}{query}")
            session.idle()
            if path == "karte":
                session.add_layer("Ortsteile")
                session.page.get_by_text("250 m").first.click()
                session.idle()
            found += _text_counts(session.html().decode("utf-8", "replace"), f"HTML {path}")
    return found + shown_counts(session)


def test_the_public_is_shown_no_count_below_k_anywhere(chromium, tmp_path):
    frame = clustered_reports()
    small = true_small_counts(frame)
    assert small, "the store must hold counts below k for the scan to mean anything"
    store = _store(tmp_path / "store.sqlite", frame)
    with dashboard_server(store.url) as base:
        anon = Session(chromium)
        found = scan(anon, base)
        anon.context.close()
        assert len(found) > 20, found  # the scan read counts from every kind of element
        exact_small = [(where, v) for where, v in found if v in small]
        assert exact_small == []
        unpublished = [(where, v) for where, v in found if v % K or 0 < v < K]
        assert unpublished == []

        member = Session(chromium)
        member.page.goto(base)
        member.idle()
        member.log_in("mitglied")
        for _path, title in (("karte", "Karte"), ("trends", "Trends")):
            member.open_page(title)
        seen = shown_counts(member)
        member.context.close()
        assert any(0 < v < K for _, v in seen), seen[:40]
