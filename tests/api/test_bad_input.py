"""Hostile or careless input through the real app: a clear problem, never a 500."""

import asyncio
import json

import httpx
import pytest

from tests.api.test_partner_writes import NEW_ENTRY
from tests.api.test_providers import assert_problem

SEARCH = {"pcode": "CF7113", "needs": ["medical"]}


def chunked_post(client, path, body: bytes, headers):
    """POST `body` in 1 KiB chunks with no Content-Length, as a streaming client sends it."""

    async def chunks():
        for start in range(0, len(body), 1024):
            yield body[start : start + 1024]

    async def send():
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return await http.post(
                path, content=chunks(), headers={**headers, "Content-Type": "application/json"}
            )

    return asyncio.run(send())


def test_chunked_bodies_over_64_kib_are_413_and_smaller_ones_go_through(client, keys):
    padded = json.dumps({**NEW_ENTRY, "padding": "y" * 70_000}).encode()
    for path in ("/v1/providers", "/v1/referrals/search"):
        response = chunked_post(client, path, padded, keys.owner)
        assert "content-length" not in response.request.headers
        assert_problem(response, 413)
    created = chunked_post(client, "/v1/providers", json.dumps(NEW_ENTRY).encode(), keys.owner)
    assert created.status_code == 201, created.text
    found = chunked_post(client, "/v1/referrals/search", json.dumps(SEARCH).encode(), {})
    assert found.status_code == 200, found.text


EDGES_OF_THE_CALENDAR = ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00"]


@pytest.mark.parametrize(
    "at", [*EDGES_OF_THE_CALENDAR, "1969-12-31T23:59:59Z", "2100-01-01T00:00:00Z"]
)
def test_search_moments_outside_1970_to_2099_are_refused(sample_client, at):
    for open_now in (False, True):
        posted = sample_client.post(
            "/v1/referrals/search", json={**SEARCH, "at": at, "open_now": open_now}
        )
        assert_problem(posted, 422, ("body", "at"))
        got = sample_client.get("/v1/referrals", params={**SEARCH, "at": at, "open_now": open_now})
        assert_problem(got, 422, ("query", "at"))


def test_search_moments_at_the_edges_of_the_range_are_answered(sample_client):
    for at in ("1970-01-01T00:00:00Z", "2099-12-31T23:59:59+14:00"):
        response = sample_client.post(
            "/v1/referrals/search", json={**SEARCH, "at": at, "open_now": True}
        )
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("moment", ["2026-12-01", "2026-12-01T00:00:00", *EDGES_OF_THE_CALENDAR])
def test_modified_after_needs_an_offset_and_a_moment_in_range(sample_client, moment):
    response = sample_client.get("/v1/providers", params={"modified_after": moment})
    assert_problem(response, 422, ("query", "modified_after"))


def test_modified_after_with_an_offset_filters(sample_client):
    response = sample_client.get(
        "/v1/providers", params={"modified_after": "2026-12-01T00:00:00+01:00"}
    )
    assert response.status_code == 200, response.text


def test_the_change_feed_position_is_a_bounded_integer(sample_client):
    response = sample_client.get("/v1/changes", params={"after": "99999999999999999999999"})
    assert_problem(response, 422, ("query", "after"))
    largest = sample_client.get("/v1/changes", params={"after": 2**31 - 1})
    assert largest.status_code == 200, largest.text
    assert largest.json() == {"items": [], "next_after": None}


def nested(depth: int) -> list:
    value: list = [0]
    for _ in range(depth):
        value = [value]
    return value


ANTIMERIDIAN = [[[179.0, -17.0], [-179.0, -17.0], [-179.0, -16.0], [179.0, -16.0], [179.0, -17.0]]]


@pytest.mark.parametrize(
    ("geometry", "location", "reason"),
    [
        ({"type": "Polygon"}, ("coordinates",), "required"),
        ({"type": "Polygon", "coordinates": {}}, ("coordinates",), "expected an array"),
        ({"type": "Polygon", "coordinates": nested(900)}, ("coordinates", 0, 0), "2 or 3 numbers"),
        (
            {"type": "Polygon", "coordinates": ANTIMERIDIAN},
            ("coordinates", 0, 1),
            "crosses the antimeridian",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[18.5, 4.3], [18.6, 4.3], [18.6, 4.4], [18.5, 4.3]]],
                "extra": {"a": {"b": {}}},
            },
            ("extra",),
            "not a member",
        ),
    ],
)
def test_malformed_service_areas_are_refused_with_the_reason(
    client, keys, geometry, location, reason
):
    entry = {**NEW_ENTRY, "service_area": {"geometry": geometry}}
    response = client.post("/v1/providers", json=entry, headers=keys.owner)
    where = ("body", "service_area", "geometry", *location)
    body = assert_problem(response, 422, where)
    assert reason in next(e["message"] for e in body["errors"] if tuple(e["location"]) == where)


@pytest.mark.parametrize(
    "name", ["", "   ", "\u200b\u00a0", "Espace\nsûr", "Espace\tsûr", "A\x00B", "A\x7f"]
)
def test_provider_names_are_visible_text(client, keys, name):
    response = client.post("/v1/providers", json={**NEW_ENTRY, "name": name}, headers=keys.owner)
    assert_problem(response, 422, ("body", "name"))


def test_an_empty_pcode_is_refused_everywhere(sample_client):
    assert_problem(
        sample_client.get("/v1/providers", params={"pcode": ""}), 422, ("query", "pcode")
    )
    posted = sample_client.post("/v1/referrals/search", json={**SEARCH, "pcode": ""})
    assert_problem(posted, 422, ("body", "pcode"))
    got = sample_client.get("/v1/referrals", params={**SEARCH, "pcode": ""})
    assert_problem(got, 422, ("query", "pcode"))
