"""Measures the alliance agrees on, kept in the store with their area in EPSG:25833.

The kind of a measure is explicit because the alliance wants to see its balance between
help and repression (see ``balance``).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.geometry
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select, update

from geo.crs import to_metric
from reports.analysis.evaluation import Evaluation, evaluate
from reports.model import vocabulary
from reports.storage import audit
from reports.storage.schema import measures as measures_table

KINDS = {
    "repressive": "repressiv",
    "preventive": "präventiv",
    "social": "soziale Hilfe",
    "cleaning": "Reinigung",
    "construction": "baulich",
}
# A year before vs a year after the start: seasons cancel out, and a district's monthly
# counts are too small for shorter windows to show a 30 % effect reliably.
EVALUATION_DAYS = 365
STATUSES = {"planned": "geplant", "active": "läuft", "done": "beendet",
            "stopped": "abgebrochen"}
EDITABLE_STATUSES = ("planned", "active", "done")  # what the page offers; "stopped" stays


class MeasureError(ValueError):
    """A measure that cannot be saved; the message is German and names the field."""


@dataclass(frozen=True)
class Measure:
    title: str
    partners: tuple[str, ...]
    kind: str
    area: BaseGeometry  # EPSG:25833
    area_label: str
    starts_on: date
    categories: tuple[str, ...]
    ends_on: date | None = None
    status: str = "active"
    notes: str = ""
    id: int | None = field(default=None, compare=False)


def validate(measure: Measure, district: BaseGeometry | None = None) -> None:
    """Raise ``MeasureError`` for a measure that cannot be saved; ``district`` (EPSG:25833):
    the area must lie at least partly inside it."""
    vocab = vocabulary()
    if not measure.title.strip():
        raise MeasureError("Feld „Titel“: Bitte einen Titel angeben.")
    if len(measure.title) > 200:
        raise MeasureError("Feld „Titel“: höchstens 200 Zeichen.")
    if measure.kind not in KINDS:
        raise MeasureError(f"Feld „Art“: unbekannte Art „{measure.kind}“.")
    if measure.status not in STATUSES:
        raise MeasureError(f"Feld „Status“: unbekannter Status „{measure.status}“.")
    if not measure.partners or set(measure.partners) - set(vocab.sources):
        raise MeasureError("Feld „Verantwortlich“: mindestens einen bekannten Partner wählen.")
    if not measure.categories or set(measure.categories) - set(vocab.categories):
        raise MeasureError("Feld „Kategorien“: mindestens eine bekannte Kategorie wählen.")
    if measure.area is not None and not measure.area.is_empty and not measure.area.is_valid:
        raise MeasureError("Feld „Gebiet“: Die gezeichnete Fläche überschneidet sich selbst.")
    if measure.area is None or measure.area.is_empty or measure.area.area <= 0:
        raise MeasureError("Feld „Gebiet“: Die Maßnahme braucht ein Gebiet (auf der Karte "
                           "zeichnen oder ein Ortsteil wählen).")
    if district is not None and not measure.area.intersects(district):
        raise MeasureError("Feld „Gebiet“: Das Gebiet liegt außerhalb des Leipziger Ostens.")
    if measure.ends_on is not None and measure.ends_on < measure.starts_on:
        raise MeasureError("Feld „Ende“: Das Ende liegt vor dem Beginn.")


def add_measure(store, measure: Measure, actor: str, district: BaseGeometry) -> int:
    """Validate and store a measure in one transaction (audited); its area must touch
    ``district`` (EPSG:25833)."""
    validate(measure, district)
    with store.transaction() as conn:
        new_id = conn.execute(measures_table.insert().values(
            title=measure.title.strip(), partners=json.dumps(list(measure.partners)),
            kind=measure.kind, area_wkt=measure.area.wkt, area_label=measure.area_label,
            starts_on=measure.starts_on, ends_on=measure.ends_on,
            categories=json.dumps(list(measure.categories)), status=measure.status,
            notes=measure.notes, created_at=int(time.time()), created_by=actor,
        )).inserted_primary_key[0]
        audit.record(store, actor, "measure_add", {"id": new_id, "title": measure.title},
                     conn=conn)
        store.bump_version(conn)
    return int(new_id)


def set_status(store, measure_id: int, status: str, actor: str,
               ends_on: date | None = None) -> None:
    """Change a measure's status (audited); ending one may set its end day (default: kept)."""
    if status not in STATUSES:
        raise MeasureError(f"Feld „Status“: unbekannter Status „{status}“.")
    values: dict = {"status": status}
    if ends_on is not None:
        values["ends_on"] = ends_on
    with store.transaction() as conn:
        row = conn.execute(select(measures_table.c.starts_on).where(
            measures_table.c.id == measure_id)).first()
        if row is not None and ends_on is not None and ends_on < row.starts_on:
            raise MeasureError("Feld „Ende“: Das Ende liegt vor dem Beginn.")
        changed = conn.execute(update(measures_table).where(measures_table.c.id == measure_id)
                               .values(**values)).rowcount
        if not changed:
            raise MeasureError(f"Maßnahme {measure_id} gibt es nicht.")
        audit.record(store, actor, "measure_status", {"id": measure_id, "status": status,
                                                      "ends_on": ends_on}, conn=conn)
        store.bump_version(conn)


def list_measures(store) -> list[Measure]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(measures_table).order_by(measures_table.c.starts_on)).all()
    return [Measure(r.title, tuple(json.loads(r.partners)), r.kind, shapely.from_wkt(r.area_wkt),
                    r.area_label, r.starts_on, tuple(json.loads(r.categories)), r.ends_on,
                    r.status, r.notes or "", r.id) for r in rows]


def measures_frame(items: list[Measure]) -> pd.DataFrame:
    """One row per measure with German labels, for tables and the map layer."""
    vocab = vocabulary()
    return pd.DataFrame({
        "id": [m.id for m in items],
        "Titel": [m.title for m in items],
        "Art": [KINDS[m.kind] for m in items],
        "Verantwortlich": [", ".join(vocab.sources.get(p, p) for p in m.partners) for m in items],
        "Gebiet": [m.area_label for m in items],
        "Beginn": pd.to_datetime([m.starts_on for m in items]),
        "Ende": pd.to_datetime([m.ends_on for m in items]),  # NaT: open end
        "Kategorien": [", ".join(vocab.categories[c].label for c in m.categories
                                 if c in vocab.categories) for m in items],
        "Status": [STATUSES[m.status] for m in items],
    })


def balance(items: list[Measure], freq: str = "QS") -> pd.DataFrame:
    """Measures started per period and kind: how the alliance balances help and repression."""
    if not items:
        return pd.DataFrame(columns=["Zeitraum", "Art", "Maßnahmen"])
    frame = pd.DataFrame({"start": pd.to_datetime([m.starts_on for m in items]),
                          "Art": [KINDS[m.kind] for m in items]})
    counts = (frame.groupby([pd.Grouper(key="start", freq=freq), "Art"]).size()
              .rename("Maßnahmen").reset_index().rename(columns={"start": "Zeitraum"}))
    return counts


def area_from_drawing(geometry: dict | None) -> BaseGeometry:
    """A polygon drawn on the web map (GeoJSON, lon/lat) as an EPSG:25833 geometry."""
    if not geometry:
        raise MeasureError("Feld „Gebiet“: Bitte eine Fläche auf der Karte zeichnen.")
    try:
        shape = shapely.geometry.shape(geometry)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise MeasureError("Feld „Gebiet“: Die Zeichnung ist keine gültige Fläche.") from None
    if shape.geom_type not in ("Polygon", "MultiPolygon"):
        raise MeasureError("Feld „Gebiet“: Bitte eine Fläche (Vieleck oder Rechteck) zeichnen, "
                           "keine Linie oder Markierung.")
    return shapely.transform(shape, lambda c: np.column_stack(to_metric(c[:, 0], c[:, 1])))


def area_from_cells(cell_ids, spec) -> BaseGeometry:
    """The union of grid cells (``geo.grid`` ids) as a measure's area."""
    from geo.grid import cell_polygons

    ids = list(cell_ids)
    if not ids:
        raise MeasureError("Feld „Gebiet“: Bitte mindestens eine Rasterzelle wählen.")
    return shapely.union_all(cell_polygons(ids, spec).geometry.values)


def area_from_ortsteil(name: str, ortsteile: gpd.GeoDataFrame) -> BaseGeometry:
    """The Ortsteil ``name`` of ``ortsteile`` (GeoDataFrame[name, geometry], EPSG:25833)."""
    frame = ortsteile
    match = frame[frame["name"] == name]
    if match.empty:
        raise MeasureError(f"Feld „Gebiet“: Einen Ortsteil „{name}“ gibt es nicht.")
    return match.geometry.iloc[0]


def evaluate_measure(measure: Measure, frame: pd.DataFrame, *, district: BaseGeometry,
                     days: int = EVALUATION_DAYS, seasonal: bool = True,
                     comparison: BaseGeometry | None = None) -> Evaluation:
    """The measure's difference-in-differences on its categories; a measure that ended
    is only credited with its own running time."""
    if measure.ends_on is not None:
        days = min(days, (measure.ends_on - measure.starts_on).days + 1)
    return evaluate(frame, measure.area, measure.starts_on, days=days, seasonal=seasonal,
                    categories=measure.categories, comparison=comparison, district=district)


def effects(items: list[Measure], frame: pd.DataFrame, district: BaseGeometry,
            days: int = EVALUATION_DAYS) -> pd.DataFrame:
    """Per measure its estimated effect (percent, with 95 % interval) for the balance view;
    measures without a verdict keep NaN effects and say why."""
    rows = []
    for m in items:
        result = evaluate_measure(m, frame, days=days, district=district)
        ok = result.enough_data
        rows.append({
            "id": m.id, "Titel": m.title, "Art": KINDS[m.kind], "Beginn": m.starts_on,
            "Wirkung %": result.effect.estimate * 100 if ok else np.nan,
            "KI unten %": result.effect.low * 100 if ok else np.nan,
            "KI oben %": result.effect.high * 100 if ok else np.nan,
            "klar": ok and result.effect.clear,
            "Aussage": result.sentence,
        })
    return pd.DataFrame(rows, columns=["id", "Titel", "Art", "Beginn", "Wirkung %",
                                       "KI unten %", "KI oben %", "klar", "Aussage"])


def effect_text(result: Evaluation) -> str:
    """The effect in plain German as everywhere (``evaluation.sentence``: numbers first, the
    adjusted effect with its certainty after), with how the windows were adapted to the data
    (a shortened window is always said)."""
    return " ".join(filter(None, [result.sentence, result.note]))


def public_difference_note(measure: Measure, sees_restricted: bool) -> str:
    """Why the public sees other numbers for a measure than members (or '' if it does not)."""
    restricted = set(measure.categories) & set(vocabulary().restricted_categories)
    if sees_restricted or not restricted:
        return ""
    names = ", ".join(sorted(vocabulary().categories[c].label for c in restricted))
    return (f"Öffentlich werden Meldungen geschützter Kategorien ({names}) nicht gezählt; "
            "deshalb weichen die öffentlichen Zahlen und die Wirkung von der Ansicht für "
            "Mitglieder ab.")
