"""Build the demo store: the generated partner exports go through the real import pipeline,
then the demo's meetings, annotations and measures are stored."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from demo.generate import (
    DEFAULT_WORKDIR,
    calendar_notes,
    config,
    generate_exports,
    interventions,
    meeting_dates,
)
from demo.measures import demo_measures
from reports.ingest.pipeline import import_file

if TYPE_CHECKING:
    from geo.geography import Geography


def build_demo(store, geography: Geography, rows: int = 30000, keep: bool = False,
               workdir=None, end: date | None = None) -> dict:
    """(Re)build the demo store by importing the generated partner exports with the
    deployment's ``geography`` (its geocoder places them, its district bounds the measures);
    the reports end on ``end`` (default: yesterday).

    With ``keep`` an existing, filled demo store is left as it is (fast restarts).
    """
    if keep and store.is_demo() and store.count_reports() > 0:
        return {"kept": True, "reports": store.count_reports()}
    store.reset()
    cfg = config(end=end)
    files = generate_exports(Path(workdir) if workdir else DEFAULT_WORKDIR, rows=rows,
                             end=cfg["end"])
    summary = {"kept": False, "files": 0, "total": 0, "imported": 0, "updated": 0,
               "duplicate": 0, "rejected": 0}
    for path, source in files:
        result = import_file(store, path, source, geocoder=geography.geocoder, actor="demo")
        summary["files"] += 1
        for key in ("total", "imported", "updated", "duplicate", "rejected"):
            summary[key] += getattr(result, key)
    held = meeting_dates(cfg)
    notes = calendar_notes(cfg)
    with store.transaction() as conn:
        for number, day in enumerate(held, start=1):
            store.add_meeting(day, f"{cfg['meetings']['title']} ({number}.)", conn=conn)
        for starts_on, ends_on, kind, label in notes:
            store.add_annotation(starts_on, ends_on, kind, label, conn=conn)
        store.set_demo(True, conn=conn)
    measures = demo_measures(store, geography.district, interventions(cfg))
    summary.update(meetings=len(held), annotations=len(notes), measures=len(measures),
                   reports=store.count_reports())
    return summary
