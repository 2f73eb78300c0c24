"""OGC API – Features under /ogc, read by the real clients GIS officers use: OWSLib and GDAL.

The package's sample server answers (two uvicorn workers, as in production, with keys).
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pyogrio
import pyogrio.raw
import pytest
from owslib.ogcapi.features import Features

from tests.conftest import SAFE_HOUSE_ID, sample_document
from tests.e2e.conftest import SampleServer, Server

pytestmark = pytest.mark.e2e

BANGUI = (18.50, 4.33, 18.62, 4.43)  # west, south, east, north (CRS84: longitude first)
PROBLEM_JSON = "application/problem+json"


@pytest.fixture(scope="module")
def server(sample_server: SampleServer) -> Server:
    return sample_server.server


def _public_points(bbox: tuple[float, float, float, float] | None = None) -> dict[str, str]:
    """The oracle, from the shipped file: public providers with a point, by id."""
    found = {}
    for feature in sample_document()["features"]:
        if feature["properties"]["visibility"] != "public" or feature["geometry"] is None:
            continue
        lon, lat = feature["geometry"]["coordinates"]
        if bbox is None or (bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]):
            found[feature["id"]] = feature["properties"]["name"]
    return found


def _column(meta: dict[str, Any], fields: list[Any], name: str) -> list[Any]:
    return list(fields[list(meta["fields"]).index(name)])


def test_owslib_reads_the_landing_page_conformance_collections_and_api(server: Server):
    api = Features(f"{server.url}/ogc/")
    rels = {link["rel"]: link["type"] for link in api.links}
    assert rels["service-desc"] == "application/vnd.oai.openapi+json;version=3.0"
    assert {"self", "conformance", "data"} <= set(rels)
    assert (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
        in (api.conformance()["conformsTo"])
    )
    assert api.feature_collections() == ["providers", "admin_areas"]
    providers = api.collection("providers")
    west, south, east, north = providers["extent"]["spatial"]["bbox"][0]
    assert west < 18.6 < east and south < 4.4 < north
    definition = api.api()
    assert definition["openapi"].startswith("3.0.")
    limit = next(p for p in definition["components"]["parameters"].values() if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 10_000


def test_owslib_pages_through_a_bbox_and_fetches_one_item(server: Server):
    api = Features(f"{server.url}/ogc/")
    expected = _public_points(BANGUI)
    assert len(expected) > 5
    seen: dict[str, str] = {}
    page = api.collection_items("providers", bbox=list(BANGUI), limit=5)
    pages = 1
    while True:
        assert page["numberMatched"] == len(expected)
        assert page["numberReturned"] == len(page["features"]) <= 5
        seen.update({f["id"]: f["properties"]["name"] for f in page["features"]})
        following = [link for link in page["links"] if link["rel"] == "next"]
        if not following:
            break
        cursor = parse_qs(urlsplit(following[0]["href"]).query)["cursor"][0]
        page = api.collection_items("providers", bbox=list(BANGUI), limit=5, cursor=cursor)
        pages += 1
    assert pages == -(-len(expected) // 5)
    assert seen == expected
    one_id = next(iter(expected))
    item = api.collection_item("providers", one_id)
    assert item["properties"]["name"] == expected[one_id]
    assert item["geometry"]["type"] == "Point"


def test_gdal_reads_both_layers_through_its_oapif_driver(server: Server):
    source = f"OAPIF:{server.url}/ogc"
    layers = dict(pyogrio.list_layers(source))
    assert layers == {"providers": "Point", "admin_areas": "Polygon"}
    meta, _, geometries, fields = pyogrio.raw.read(source, layer="providers", bbox=BANGUI)
    names = dict(zip(_column(meta, fields, "id"), _column(meta, fields, "name"), strict=True))
    assert list(meta["fields"])[:3] == ["id", "organization_id", "name"]
    assert names == _public_points(BANGUI)
    assert len(geometries) == len(names)
    meta, _, _, fields = pyogrio.raw.read(source, layer="admin_areas")
    assert "CF71" in _column(meta, fields, "pcode")


@pytest.mark.parametrize(
    "query",
    [
        "bbox=4.33,18.5,4.43,95",  # latitude first: 95 is no latitude
        "bbox=18.62,4.33,18.50,4.43",  # west > east
        "bbox=18.5,4.33,18.62",
        "bbox=a,b,c,d",
        "bbox=18.5,4.33,nan,4.43",
        "limit=0",
        "limit=10001",
        "limit=ten",
        "datetime=2026-12-01",
        "datetime=../..",
        "datetime=2026-12-02T00:00:00Z/2026-12-01T00:00:00Z",
        "cursor=not-a-cursor",
        "limit=5&limit=6",
        "sortby=name",
        "f=html",
    ],
)
def test_a_bad_or_unknown_parameter_is_a_400_problem(server: Server, query: str):
    response = httpx.get(f"{server.url}/ogc/collections/providers/items?{query}")
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["errors"][0]["location"][0] == "query"


def test_unknown_parameters_are_refused_on_every_path(server: Server):
    for path in ("", "/conformance", "/api", "/collections", "/collections/providers"):
        response = httpx.get(f"{server.url}/ogc{path}?foo=1")
        assert response.status_code == 400, path
    assert httpx.get(f"{server.url}/ogc/collections/nothing").status_code == 404


def _all_items(server: Server, headers: dict[str, str], **params: str) -> dict[str, Any]:
    response = httpx.get(
        f"{server.url}/ogc/collections/providers/items",
        params={"limit": "1000", **params},
        headers=headers,
    )
    assert response.status_code == 200
    return dict(response.json())


@pytest.mark.parametrize("caller", ["anonymous", "other partner", "owner"])
def test_the_safe_house_is_not_on_the_map_for_anyone(sample_server: SampleServer, caller: str):
    server, headers = sample_server.server, sample_server.headers[caller]
    house = next(f for f in sample_document()["features"] if f["id"] == SAFE_HOUSE_ID)
    lon, lat = house["geometry"]["coordinates"]
    everything = _all_items(server, headers)
    around = _all_items(
        server, headers, bbox=f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"
    )
    assert SAFE_HOUSE_ID not in {f["id"] for f in everything["features"]}
    assert everything["numberMatched"] == len(_public_points())
    assert around["numberMatched"] == 0
    missing = httpx.get(
        f"{server.url}/ogc/collections/providers/items/{uuid.uuid4()}", headers=headers
    )
    hidden = httpx.get(
        f"{server.url}/ogc/collections/providers/items/{SAFE_HOUSE_ID}", headers=headers
    )
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"] == missing.json()["detail"]
    texts = [httpx.get(f"{server.url}/ogc/collections", headers=headers).text, str(everything)]
    for text in texts:
        assert SAFE_HOUSE_ID not in text and house["properties"]["name"] not in text
        assert f"{lon}" not in text and f"{lat}" not in text
    meta, _, _, fields = pyogrio.raw.read(f"OAPIF:{server.url}/ogc", layer="providers")
    assert SAFE_HOUSE_ID not in _column(meta, fields, "id")


def test_datetime_selects_entries_by_when_they_last_changed(server: Server):
    everyone = len(_public_points())
    assert _all_items(server, {}, datetime="../2099-01-01T00:00:00Z")["numberMatched"] == everyone
    assert (
        _all_items(server, {}, datetime="1990-01-01T00:00:00Z/2000-01-01T00:00:00Z")[
            "numberMatched"
        ]
        == 0
    )
