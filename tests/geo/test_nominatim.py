"""Nominatim fallback against a local HTTP server that answers in Nominatim's JSON format."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString

from config.settings import settings
from geo.boundary import load_boundary
from geo.geocode import Geocoder
from geo.nominatim import NO_CONTACT, NominatimGeocoder
from geo.register import Register
from reports.geography import nominatim_from

ANSWERS = {
    "Konradstraße 20, Leipzig": [{
        "place_id": 1, "lat": "51.3470", "lon": "12.4090", "class": "place", "type": "house",
        "addresstype": "place", "display_name": "20, Konradstraße, Volkmarsdorf, Leipzig",
        "boundingbox": ["51.3469", "51.3471", "12.4089", "12.4091"],
    }],
    "Kirchplatz, Leipzig": [{
        "place_id": 2, "lat": "51.3500", "lon": "12.4100", "class": "highway",
        "type": "residential", "addresstype": "road", "display_name": "Kirchplatz, Leipzig",
        "boundingbox": ["51.3495", "51.3505", "12.4090", "12.4110"],
    }],
}


class _Nominatim(BaseHTTPRequestHandler):
    requests: list[dict] = []  # noqa: RUF012 - shared log of the test server

    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        type(self).requests.append({"path": url.path, "query": query,
                                    "agent": self.headers.get("User-Agent"),
                                    "time": time.monotonic()})
        body = json.dumps(ANSWERS.get(query.get("q", ""), [])).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Nominatim.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Nominatim)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_rate_limit_cache_user_agent_and_viewbox(server, tmp_path):
    online = NominatimGeocoder(server, tmp_path / "cache.sqlite")
    start = time.monotonic()
    first = online.lookup("Konradstraße 20", key="k1")
    second = online.lookup("Kirchplatz", key="k2")
    assert time.monotonic() - start >= 1.0  # at most one request per second
    assert (first.lon, first.lat, first.status) == (12.409, 51.347, "interpolated")
    assert second.status == "street" and second.precision_m > 25
    log = _Nominatim.requests
    assert len(log) == 2
    assert log[1]["time"] - log[0]["time"] >= 0.9  # server side, with network jitter
    assert log[0]["path"] == "/search"
    assert log[0]["query"]["format"] == "json"
    assert log[0]["query"]["bounded"] == "1"
    assert log[0]["query"]["viewbox"]
    assert log[0]["agent"] == f"lagebild-leipziger-osten/0.1 (contact: {NO_CONTACT})"

    assert online.lookup("Konradstraße 20", key="k1") == first  # cached: no request
    assert online.lookup("Nirgendwo 1", key="k3") is None
    assert online.lookup("Nirgendwo 1", key="k3") is None  # "not found" is cached too
    assert len(_Nominatim.requests) == 3

    reopened = NominatimGeocoder(server, tmp_path / "cache.sqlite", contact="qm@example.org")
    assert reopened.lookup("Kirchplatz", key="k2") == second  # persistent across instances
    assert len(_Nominatim.requests) == 3
    assert reopened.user_agent.endswith("(contact: qm@example.org)")


def test_network_errors_are_not_cached(tmp_path):
    online = NominatimGeocoder("http://127.0.0.1:9", tmp_path / "cache.sqlite", timeout=1)
    assert online.lookup("Konradstraße 20", key="k1") is None
    con = sqlite3.connect(tmp_path / "cache.sqlite")
    assert con.execute("select count(*) from nominatim").fetchone() == (0,)
    con.close()


def test_geocoder_asks_online_only_for_what_it_cannot_resolve(server, tmp_path):
    addresses = pd.DataFrame(
        {"street": ["Teststraße"] * 2, "housenumber": ["3", "7"], "number": [3, 7],
         "suffix": ["", ""], "postcode": ["04315"] * 2, "x": [319030.0, 319070.0],
         "y": [5691500.0] * 2, "source": ["osm2025"] * 2, "precision_m": [10.0] * 2})
    streets = gpd.GeoDataFrame(
        {"name": ["Teststraße"], "key": ["teststrasse"]},
        geometry=[LineString([(319000, 5691500), (319400, 5691500)])], crs=25833)
    places = gpd.GeoDataFrame({"name": [], "key": [], "precision_m": []},
                              geometry=gpd.GeoSeries([], crs=25833), crs=25833)
    online = NominatimGeocoder(server, tmp_path / "cache.sqlite", min_delay_seconds=0)
    geocoder = Geocoder(Register(addresses, streets, places, {}),
                        load_boundary().assign_ortsteil, online=online)
    frame = geocoder.geocode_many(["Teststraße 5", "Konradstraße 20", "Konradstr. 20"])
    assert frame["status"].tolist() == ["interpolated", "interpolated", "interpolated"]
    assert frame["reason"].iloc[1] == "online (Nominatim) gefunden"
    assert frame["ortsteil"].iloc[1] == "Volkmarsdorf"
    assert len(_Nominatim.requests) == 1  # one normalised key, one request


def test_settings_give_url_and_contact_of_the_online_fallback(server, tmp_path, monkeypatch):
    monkeypatch.setattr("reports.geography.NOMINATIM_CACHE", tmp_path / "cache.sqlite")
    monkeypatch.setenv("LAGEBILD_NOMINATIM_URL", server)
    monkeypatch.setenv("LAGEBILD_NOMINATIM_CONTACT", " qm@example.org ")
    online = nominatim_from(settings())
    assert online.user_agent.endswith("(contact: qm@example.org)")
    assert online.lookup("Kirchplatz", key="k") is not None
    assert _Nominatim.requests[0]["agent"] == online.user_agent
    assert online.cache_path == tmp_path / "cache.sqlite"

    monkeypatch.delenv("LAGEBILD_NOMINATIM_CONTACT")
    assert nominatim_from(settings()).user_agent.endswith(f"(contact: {NO_CONTACT})")
