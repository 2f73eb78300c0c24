import pytest

from tests.conftest import SAFE_HOUSE_ID

PROBLEM = "application/problem+json"
GEOJSON = {"Accept": "application/geo+json"}


def assert_problem(response, status, *locations):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert {"type", "title", "status", "instance"} <= set(body)
    assert body["status"] == status
    assert "?" not in body["instance"]
    found = {tuple(error["location"]) for error in body.get("errors", [])}
    for location in locations:
        assert location in found, body
    return body


def test_list_returns_a_page_with_total_and_cursor(sample_client):
    body = sample_client.get("/v1/providers", params={"limit": 10}).json()
    assert len(body["items"]) == 10
    assert body["total"] == 55
    assert body["next_cursor"]
    following = sample_client.get(
        "/v1/providers", params={"limit": 10, "cursor": body["next_cursor"]}
    ).json()
    assert not {i["id"] for i in body["items"]} & {i["id"] for i in following["items"]}


def test_need_filter_accepts_a_sector(sample_client):
    body = sample_client.get("/v1/providers", params={"need": "legal", "limit": 200}).json()
    needs = {s["need"] for item in body["items"] for s in item["services"]}
    assert {"legal.aid", "legal.police", "legal.justice"} <= needs
    assert body["total"] == len(body["items"]) == 6


def test_pcode_bbox_and_status_filters(sample_client):
    third = sample_client.get("/v1/providers", params={"pcode": "CF7113"}).json()
    assert third["total"] > 0
    assert all(item["admin"]["adm3"] == "CF7113" for item in third["items"])
    box = sample_client.get("/v1/providers", params={"bbox": "18.55,4.36,18.58,4.38"}).json()
    for item in box["items"]:
        assert 18.55 <= item["location"]["lon"] <= 18.58
    closed = sample_client.get("/v1/providers", params={"status": "temporarily_closed"}).json()
    assert [item["status"] for item in closed["items"]] == ["temporarily_closed"]


@pytest.mark.parametrize(
    ("params", "location"),
    [
        ({"need": "medical.magic"}, ("query", "need")),
        ({"bbox": "1,2,3"}, ("bbox",)),
        ({"bbox": "18.6,4.3,18.5,4.4"}, ("bbox",)),
        ({"bbox": "nan,4.3,18.5,4.4"}, ("bbox",)),
        ({"status": "open"}, ("query", "status")),
        ({"limit": 0}, ("query", "limit")),
        ({"limit": 201}, ("query", "limit")),
        ({"cursor": "%%%"}, ("query", "cursor")),
        ({"modified_after": "yesterday"}, ("query", "modified_after")),
        ({"pcode": "X" * 21}, ("query", "pcode")),
    ],
)
def test_bad_filters_are_422_problems_naming_the_parameter(sample_client, params, location):
    assert_problem(sample_client.get("/v1/providers", params=params), 422, location)


def test_geojson_listing_is_a_feature_collection(sample_client):
    response = sample_client.get("/v1/providers", params={"limit": 200}, headers=GEOJSON)
    assert response.headers["content-type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert collection["numberMatched"] == 55
    remote = [f for f in collection["features"] if f["properties"]["modality"] == "remote"]
    assert remote and all(f["geometry"] is None for f in remote)
    static = [f for f in collection["features"] if f["properties"]["modality"] == "static"]
    assert all(f["geometry"]["type"] == "Point" for f in static if f["id"] != SAFE_HOUSE_ID)


def test_one_provider_with_etag_and_conditional_get(sample_client):
    first = sample_client.get("/v1/providers", params={"limit": 1}).json()["items"][0]
    response = sample_client.get(f"/v1/providers/{first['id']}")
    assert response.status_code == 200
    etag = response.headers["etag"]
    assert etag == f'"{first["revision"]}"'
    assert response.json() == first
    again = sample_client.get(f"/v1/providers/{first['id']}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag
    stale = sample_client.get(f"/v1/providers/{first['id']}", headers={"If-None-Match": '"0"'})
    assert stale.status_code == 200
    feature = sample_client.get(f"/v1/providers/{first['id']}", headers=GEOJSON)
    assert feature.headers["content-type"] == "application/geo+json"
    assert feature.json()["type"] == "Feature"
    assert feature.json()["properties"]["name"] == first["name"]


def test_unknown_and_malformed_provider_ids(sample_client):
    missing = sample_client.get("/v1/providers/00000000-0000-0000-0000-000000000000")
    body = assert_problem(missing, 404)
    assert body["type"] == "/problems/not-found"
    assert_problem(sample_client.get("/v1/providers/not-a-uuid"), 422, ("path", "provider_id"))


def test_the_safe_house_location_is_withheld_on_every_read_path(sample_client):
    listing = sample_client.get("/v1/providers", params={"limit": 200}).json()["items"]
    entry = next(item for item in listing if item["id"] == SAFE_HOUSE_ID)
    one = sample_client.get(f"/v1/providers/{SAFE_HOUSE_ID}")
    feature = sample_client.get(f"/v1/providers/{SAFE_HOUSE_ID}", headers=GEOJSON).json()
    collection = sample_client.get("/v1/providers", params={"limit": 200}, headers=GEOJSON)
    in_collection = next(f for f in collection.json()["features"] if f["id"] == SAFE_HOUSE_ID)
    for shown in (entry, one.json()):
        assert shown["location"] is None
        assert shown["location_withheld"] is True
        assert shown["address"] is None
        assert shown["admin"]["adm3"] is None
    for shown in (feature, in_collection):
        assert shown["geometry"] is None
        assert shown["properties"]["address"] is None
        assert shown["properties"]["admin"]["adm3"] is None
    assert one.headers["etag"].endswith('-w"')
    # Location filters must not be usable to pin it down either.
    for params in ({"pcode": "CF7117"}, {"bbox": "18.0,4.0,19.0,5.0"}):
        ids = [i["id"] for i in sample_client.get("/v1/providers", params=params).json()["items"]]
        assert SAFE_HOUSE_ID not in ids
    text = sample_client.get("/v1/providers", params={"limit": 200}).text
    assert "18.5" in text  # public providers still show coordinates


def test_request_ids_are_echoed_or_made(sample_client):
    given = sample_client.get("/healthz", headers={"X-Request-ID": "abc123"})
    assert given.headers["x-request-id"] == "abc123"
    made = sample_client.get("/healthz")
    assert len(made.headers["x-request-id"]) == 32
