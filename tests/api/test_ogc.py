"""/ogc on each database backend: the queries behind items, extents and datetime filters."""

from __future__ import annotations

from tests.conftest import SAFE_HOUSE_ID, sample_document

ITEMS = "/ogc/collections/providers/items"


def _public_points() -> set[str]:
    return {
        feature["id"]
        for feature in sample_document()["features"]
        if feature["properties"]["visibility"] == "public" and feature["geometry"] is not None
    }


def test_items_hold_the_public_providers_with_a_point_and_nothing_else(sample_client):
    page = sample_client.get(ITEMS, params={"limit": "1000"}).json()
    assert {feature["id"] for feature in page["features"]} == _public_points()
    assert page["numberMatched"] == page["numberReturned"] == len(_public_points())
    assert sample_client.get(f"{ITEMS}/{SAFE_HOUSE_ID}").status_code == 404


def test_datetime_bounds_are_inclusive(sample_client):
    page = sample_client.get(ITEMS, params={"limit": "1000"}).json()
    first = page["features"][0]
    moment = sample_client.get(f"/v1/providers/{first['id']}").json()["updated_at"]
    matched = sample_client.get(ITEMS, params={"datetime": moment}).json()
    assert first["id"] in {feature["id"] for feature in matched["features"]}
    for interval in (f"{moment}/..", f"../{moment}"):
        assert sample_client.get(ITEMS, params={"datetime": interval}).json()["numberMatched"]


def test_the_extent_covers_the_public_providers_only(sample_client):
    providers = sample_client.get("/ogc/collections/providers").json()
    west, south, east, north = providers["extent"]["spatial"]["bbox"][0]
    points = [
        feature["geometry"]["coordinates"]
        for feature in sample_document()["features"]
        if feature["id"] in _public_points()
    ]
    assert west == min(lon for lon, _ in points) and north == max(lat for _, lat in points)
    assert providers["extent"]["temporal"]["interval"][0][0].endswith("Z")
    areas = sample_client.get("/ogc/collections/admin_areas/items", params={"limit": "2"})
    assert areas.json()["numberReturned"] == 2
    assert {link["rel"] for link in areas.json()["links"]} == {"self", "collection", "next"}
