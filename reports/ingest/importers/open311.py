"""Open311 GeoReport v2 service requests (JSON), as city "Mängelmelder" portals publish them.

The standard fixes the attribute names, so the mapping onto the report model is implied; a
profile can still override it (for example to take ``service_code`` as category).
"""

from __future__ import annotations

from reports.ingest.importers.base import FileError, RawTable, cell_text, table_from_records
from reports.ingest.importers.geojson import load_json

IMPLIED = {
    "id": "service_request_id",
    "occurred_at": "requested_datetime",
    "reported_at": "requested_datetime",
    "category": "service_name",
    "description": "description",
    "address": "address",
    "lat": "lat",
    "lon": "long",
}


def read(data: bytes, file_name: str) -> RawTable:
    doc = load_json(data, file_name)
    if isinstance(doc, dict):
        doc = doc.get("service_requests", doc.get("requests"))
    if not isinstance(doc, list):
        raise FileError(f"{file_name}: Keine Open311-Liste von Service-Requests.")
    records = [
        {str(k): cell_text(v) for k, v in item.items()} if isinstance(item, dict) else {}
        for item in doc
    ]
    return table_from_records(records, file_name, implied=dict(IMPLIED))
