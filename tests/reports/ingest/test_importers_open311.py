"""Open311 GeoReport v2 service requests."""

from __future__ import annotations

import json

import pytest

from reports.ingest.importers import FileError, read_file
from reports.ingest.profiles import profile_from_dict
from reports.ingest.validate import to_reports

REQUESTS = [
    {"service_request_id": "638344", "status": "open", "service_code": "4",
     "service_name": "Wilder Müll", "description": "Sperrmüll vor Haus",
     "requested_datetime": "2026-11-24T18:30:00+01:00",
     "updated_datetime": "2026-11-25T08:00:00+01:00", "address": "Eisenbahnstraße 40",
     "lat": 51.3455, "long": 12.4031, "media_url": None},
    {"service_request_id": "638345", "status": "closed", "service_code": "9",
     "service_name": "Ratten", "requested_datetime": "2026-07-01T10:00:00Z",
     "address": "Rabet", "lat": None, "long": None},
]


def test_service_requests_map_onto_reports():
    raw = read_file(json.dumps(REQUESTS).encode(), "maengelmelder.json", "open311")
    assert raw.rows["service_request_id"].tolist() == ["638344", "638345"]
    assert raw.rows["lat"].tolist() == ["51.3455", ""]
    profile = profile_from_dict({"source": "buerger", "categories": {
        "Wilder Müll": "illegale_muellablagerung", "Ratten": "rattenbefall"}})
    frame, rejects = to_reports(raw, profile, "maengelmelder.json", "b")
    assert rejects.empty
    assert frame["source_ref"].tolist() == ["638344", "638345"]
    assert frame["category"].tolist() == ["illegale_muellablagerung", "rattenbefall"]
    assert str(frame["occurred_at"].iloc[1]) == "2026-07-01 12:00:00+02:00"
    assert frame["lon"].iloc[0] == pytest.approx(12.4031)
    assert frame["description"].isna().tolist() == [False, True]


def test_wrapped_list_and_sniffing():
    raw = read_file(json.dumps({"service_requests": REQUESTS}).encode(), "x.json")
    assert len(raw.rows) == 2


def test_not_a_list_is_a_file_error():
    with pytest.raises(FileError, match="Open311"):
        read_file(b'{"foo": 1}', "x.json", "open311")
