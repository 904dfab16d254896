"""The demo's interventions stored as measures, so the evaluation can be tried on effects
known in advance."""

from __future__ import annotations

from shapely.geometry.base import BaseGeometry

from demo.generate import interventions as demo_interventions
from reports.coordination.measures import Measure, add_measure, list_measures

# Demo interventions name no partner: the one that typically runs a measure of that kind.
DEMO_PARTNERS = {"cleaning": ("stadtreinigung",), "construction": ("fachamt",),
                 "social": ("strassensozialarbeit",), "repressive": ("polizei",),
                 "preventive": ("quartiersmanagement",)}


def demo_measures(store, district: BaseGeometry, interventions=None) -> list[int]:
    """Store the demo's interventions (``demo.generate.interventions``) as measures, so the
    evaluation can be tried on effects known in advance. Titles already stored are skipped;
    ``district``: the deployment's (a measure's area must touch it)."""
    if interventions is None:
        interventions = demo_interventions()
    existing = {m.title for m in list_measures(store)}
    ids = []
    for iv in interventions:
        if iv.name in existing:
            continue
        ids.append(add_measure(store, Measure(
            title=iv.name, partners=DEMO_PARTNERS[iv.kind], kind=iv.kind, area=iv.area,
            area_label=f"{iv.radius_m:.0f} m um den Ort (Demo)", starts_on=iv.start,
            categories=tuple(iv.categories), status="active", notes=iv.description,
        ), actor="demo", district=district))
    return ids
