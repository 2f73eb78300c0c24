"""A safe house cannot be located through the API by anyone its organization did not entitle.

The attacks an outsider would run, through the real app: a fine grid of searches around
the house, random pairs of places in one cell, the change feed across visibility flips,
and every read path searched for the house's exact coordinates, area and address.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from referral_api import operations
from referral_api.app import create_app
from referral_api.domain.projection import GRID_DEGREES, cell_of
from referral_api.settings import Settings
from tests.answers import options_of
from tests.api.conftest import bearer, make_key
from tests.api.test_partner_writes import NEW_ENTRY, read
from tests.api.test_providers import assert_problem
from tests.conftest import AREAS_PATH, SAFE_HOUSE_ID, sample_document

HOUSE = (18.6071, 4.3842)


def _square(lon: float, lat: float, half: float) -> dict[str, Any]:
    west, south, east, north = lon - half, lat - half, lon + half, lat + half
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


AREAS = {
    "radius": {"radius_km": 1.0},
    "pcodes": {"pcodes": ["CF7117"]},
}


def _patch(client, keys, provider_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    _, etag = read(client, provider_id, keys.owner)
    response = client.patch(
        f"/v1/providers/{provider_id}", json=changes, headers={**keys.owner, "If-Match": etag}
    )
    assert response.status_code == 200, response.text
    return response.json()


def _about_house(answer: dict[str, Any]) -> str:
    """What an answer tells of the house: whether it is listed (it is the only shelter), as
    what, and the explanation's counts. (Whether it also makes the three safe entry points
    depends on the public places near the probe; the test after this one holds those lists
    to the grid too, in a directory of confidential places only.)"""
    shown = [
        {key: value for key, value in option.items() if key != "rank"}
        for option in options_of(answer)
        if option["provider"]["id"] == SAFE_HOUSE_ID
    ]
    return json.dumps([shown, answer["explanation"]], sort_keys=True)


@pytest.mark.parametrize("area", sorted(AREAS))
def test_a_grid_scan_learns_nothing_finer_than_a_cell(client, keys, area):
    _patch(client, keys, SAFE_HOUSE_ID, {"service_area": AREAS[area]})
    step, size = 0.006, 12  # 144 probes over four cells around the house
    for viewer in ({}, keys.other):
        answers: dict[tuple[int, int], set[str]] = {}
        listed = 0
        for row in range(size):
            for column in range(size):
                lon = HOUSE[0] + (column - size / 2) * step
                lat = HOUSE[1] + (row - size / 2) * step
                body = {"lat": lat, "lon": lon, "needs": ["safety.shelter"], "explain": True}
                answer = client.post("/v1/referrals/search", json=body, headers=viewer).json()
                answers.setdefault(cell_of(lon, lat), set()).add(_about_house(answer))
                listed += any(o["provider_id"] == SAFE_HOUSE_ID for o in answer["options"])
        assert len(answers) >= 4
        assert all(len(found) == 1 for found in answers.values()), answers
        assert 0 < listed < size * size  # the scan did reach the house, and its edge


@pytest.fixture
def confidential_only(database_url, tmp_path):
    """The app on a directory of confidential places only (the safe house and four more,
    with polygons, radii and P-codes), the sample's gazetteer, and another partner's key."""
    document = sample_document()
    house = next(f for f in document["features"] if f["id"] == SAFE_HOUSE_ID)
    features = [house]
    extras = [
        ((18.5512, 4.3671), {"pcodes": ["CF7113", "CF7114"]}),
        ((18.5987, 4.4049), {"radius_km": 6.0}),
        ((18.6611, 4.3402), {"pcodes": ["CF7115"]}),
        ((18.5055, 4.3866), None),
    ]
    for number, ((lon, lat), area) in enumerate(extras):
        feature = json.loads(json.dumps(house))
        feature["id"] = f"00000000-0000-4000-8000-00000000000{number}"
        feature["geometry"]["coordinates"] = [lon, lat]
        feature["properties"]["service_area"] = area
        feature["properties"]["services"][0]["eligibility"]["sexes"] = []
        features.append(feature)
    document["features"] = features
    services = tmp_path / "confidential.geojson"
    services.write_text(json.dumps(document), encoding="utf-8")
    app = create_app(Settings(database_url=database_url, load_sample_when_empty=False))
    with TestClient(app) as client:
        with Session(client.app.state.runtime.engine) as session:
            operations.load_sample_when_empty(
                session=session, services_path=services, admin_areas_path=AREAS_PATH
            )
        client.app.state.runtime.snapshots.refresh()
        assert len(client.app.state.runtime.snapshots.current()) == len(features)
        _, other = make_key(client, "clinique-juridique")
        yield client, bearer(other)


shares = st.floats(0.001, 0.999)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cell=st.tuples(st.integers(368, 375), st.integers(85, 89)),
    first=st.tuples(shares, shares),
    second=st.tuples(shares, shares),
    needs=st.lists(
        st.sampled_from(["safety.shelter", "case_management", "safety", "medical"]),
        min_size=1,
        max_size=2,
        unique=True,
    ),
    extra=st.fixed_dictionaries(
        {},
        optional={
            "explain": st.booleans(),
            "max_distance_km": st.sampled_from([1.0, 3.0, 8.0]),
            "sex": st.sampled_from(["female", "male"]),
            "age": st.sampled_from([12, 30]),
            "time_since_incident": st.sampled_from(["lt72h", "gt120h"]),
            "lang": st.sampled_from(["fr", "en"]),
        },
    ),
    viewer=st.sampled_from(["anonymous", "other"]),
)
def test_two_places_of_one_cell_get_byte_identical_answers(
    confidential_only, cell, first, second, needs, extra, viewer
):
    client, other = confidential_only
    headers = other if viewer == "other" else {}

    def answer(share: tuple[float, float]) -> bytes:
        lon = (cell[0] + share[0]) * GRID_DEGREES
        lat = (cell[1] + share[1]) * GRID_DEGREES
        body = {"lon": lon, "lat": lat, "needs": needs, "at": "2026-11-27T09:00:00Z", **extra}
        response = client.post("/v1/referrals/search", json=body, headers=headers)
        assert response.status_code == 200, response.text
        found = response.json()
        del found["area"]  # the caller's own place, resolved from the exact point
        return json.dumps(found, sort_keys=True).encode()

    assert answer(first) == answer(second)


def _feed_of(client, provider_id: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    items = client.get("/v1/changes", params={"limit": 1000}, headers=headers).json()["items"]
    return [event for event in items if event["provider_id"] == provider_id]


def _digits(value: float) -> str:
    return f"{value:.4f}"


def test_making_a_public_entry_confidential_hides_where_it_was(client, keys):
    created = client.post("/v1/providers", json=NEW_ENTRY, headers=keys.owner).json()
    pid = created["id"]
    _patch(client, keys, pid, {"address": "Rue 12, porte bleue"})
    _patch(client, keys, pid, {"visibility": "restricted"})
    moved = _patch(client, keys, pid, {"location": {"lon": 18.5433, "lat": 4.3929}})
    assert moved["revision"] == 4
    for headers in ({}, keys.other):
        events = _feed_of(client, pid, headers)
        assert [e["action"] for e in events] == ["create", "update", "update", "update"]
        text = json.dumps(events)
        for secret in ("18.5412", "4.3921", "18.5433", "4.3929", "Rue 12"):
            assert secret not in text
        assert all(e["actor_key_id"] is None and e["request_id"] is None for e in events)
        assert all(e["actor_organization_id"] is None for e in events)
        assert events[1]["changes_withheld"] is True  # the address alone changed
        assert events[1]["before"] is None and events[1]["after"] is None
        assert events[2]["after"]["visibility"] == "restricted"  # that, anyone may learn
        assert events[3]["changes_withheld"] is True  # it moved: nothing else to see
    for headers in (keys.owner, keys.admin):
        events = _feed_of(client, pid, headers)
        assert events[0]["after"]["location"] == NEW_ENTRY["location"]
        assert events[3]["after"]["location"] == {"lon": 18.5433, "lat": 4.3929}
        assert events[0]["actor_key_id"] == keys.owner_key_id
        assert not any(e["changes_withheld"] for e in events)


def test_making_a_confidential_entry_public_keeps_its_past_hidden(client, keys):
    _patch(client, keys, SAFE_HOUSE_ID, {"location": {"lon": 18.6201, "lat": 4.3822}})
    _patch(client, keys, SAFE_HOUSE_ID, {"visibility": "public"})
    events = _feed_of(client, SAFE_HOUSE_ID, {})
    assert [e["changes_withheld"] for e in events] == [True, False]
    flip = events[1]
    assert flip["before"]["visibility"] == "restricted" and flip["after"]["visibility"] == "public"
    assert flip["before"]["location"] is None and flip["after"]["location"] is None
    assert _digits(HOUSE[0]) not in json.dumps(events)
    # Public from now on: the entry itself shows where it is.
    one, _ = read(client, SAFE_HOUSE_ID, {})
    assert one["location"] == {"lon": 18.6201, "lat": 4.3822}


@pytest.mark.parametrize("area", sorted(AREAS))
def test_no_read_path_shows_the_house_its_area_or_address(client, keys, area):
    _patch(
        client,
        keys,
        SAFE_HOUSE_ID,
        {"service_area": AREAS[area], "address": "Rue 12, porte bleue"},
    )
    secrets = [_digits(HOUSE[0]), _digits(HOUSE[1]), "Rue 12"]
    secrets += ['"radius_km": 1.0']
    geo = {"Accept": "application/geo+json"}
    search = {"lat": HOUSE[1], "lon": HOUSE[0], "needs": ["safety"], "explain": True}
    for headers in ({}, keys.other):
        answers = [
            client.get(f"/v1/providers/{SAFE_HOUSE_ID}", headers=headers),
            client.get(f"/v1/providers/{SAFE_HOUSE_ID}", headers={**headers, **geo}),
            client.get("/v1/providers", params={"limit": 200}, headers=headers),
            client.get("/v1/providers", params={"limit": 200}, headers={**headers, **geo}),
            client.get("/v1/providers", params={"need": "safety"}, headers=headers),
            client.get("/v1/changes", params={"limit": 1000}, headers=headers),
            client.post("/v1/referrals/search", json=search, headers=headers),
            client.get("/v1/referrals", params={**search, "needs": "safety"}, headers=headers),
            # Outside the declared area, inside the house's cell: listed all the same.
            client.post("/v1/referrals/search", json={**search, "lat": 4.395}, headers=headers),
        ]
        for response in answers:
            assert response.status_code == 200, response.text
            assert SAFE_HOUSE_ID in response.text
            # As sent, and with JSON's spacing made one: an address has spaces of its own.
            spaced = response.text.replace(" ", "").replace('":', '": ')
            for secret in secrets:
                assert secret not in response.text, (response.request.url, secret)
                assert secret not in spaced, (response.request.url, secret)
        listed = client.get("/v1/providers", params={"limit": 200}, headers=headers).json()
        house = next(p for p in listed["items"] if p["id"] == SAFE_HOUSE_ID)
        assert house["service_area"] is None  # neither the polygon nor the radius
        assert house["admin"] == {"adm1": None, "adm2": None, "adm3": None, "cod_version": "201506"}
    owner = client.get(f"/v1/providers/{SAFE_HOUSE_ID}", headers=keys.owner).json()
    assert owner["address"] == "Rue 12, porte bleue"
    assert owner["admin"]["adm3"] == "CF7117"
    assert {key: owner["service_area"][key] for key in AREAS[area]} == AREAS[area]


def test_what_the_owner_is_shown_of_the_house_is_never_shown_to_the_next_caller(client, keys):
    # Search answers keep the parts of cards they rendered, for the next answers.
    _patch(client, keys, SAFE_HOUSE_ID, {"address": "Rue 12, porte bleue"})
    secrets = [_digits(HOUSE[0]), _digits(HOUSE[1]), "Rue 12"]
    search = {"lat": HOUSE[1], "lon": HOUSE[0], "needs": ["safety"]}
    for headers in (keys.owner, {}, keys.admin, keys.other, keys.owner, {}):
        answer = client.post("/v1/referrals/search", json=search, headers=headers)
        house = answer.json()["providers"][SAFE_HOUSE_ID]
        entitled = headers in (keys.owner, keys.admin)
        assert [secret in answer.text for secret in secrets] == [entitled] * len(secrets)
        assert ("location" in house, "distance_km" in house) == (entitled, entitled)


def test_the_distance_band_is_measured_between_cells(client, keys):
    """The band and the score come from the centres of the two cells, so that stepping
    across the house's cell does not show where in it the house is."""
    bands = set()
    for share in (0.05, 0.5, 0.95):
        lon = (cell_of(*HOUSE)[0] + share) * GRID_DEGREES
        body = {"lat": HOUSE[1], "lon": lon, "needs": ["safety.shelter"]}
        option = options_of(client.post("/v1/referrals/search", json=body).json())[0]
        assert option["provider"]["id"] == SAFE_HOUSE_ID
        bands.add((option["distance_band"], option["score"], option["distance_km"]))
    assert len(bands) == 1
    ((band, _, exact),) = bands
    assert band == "under 2 km" and exact is None


def _disc(lon: float, lat: float, radius_km: float, vertices: int = 64) -> dict[str, Any]:
    """A polygon approximating a disc around the point: what a GIS buffer gives."""
    dlat = math.degrees(radius_km / 6371.0088)
    dlon = dlat / math.cos(math.radians(lat))
    ring = [
        [
            round(lon + dlon * math.cos(2 * math.pi * k / vertices), 6),
            round(lat + dlat * math.sin(2 * math.pi * k / vertices), 6),
        ]
        for k in range(vertices)
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def test_a_confidential_entry_may_not_declare_a_polygon(client, keys):
    """A buffer drawn around the house, or one clipped at the river, would tell by its
    cells, its extent or even its area where in its cell the house is."""
    buffer = {"service_area": {"geometry": _disc(*HOUSE, 12.0)}}
    _, etag = read(client, SAFE_HOUSE_ID, keys.owner)
    refused = client.patch(
        f"/v1/providers/{SAFE_HOUSE_ID}", json=buffer, headers={**keys.owner, "If-Match": etag}
    )
    assert_problem(refused, 422, ("body", "service_area", "geometry"))
    created = client.post(
        "/v1/providers",
        json={**NEW_ENTRY, "visibility": "restricted", **buffer},
        headers=keys.owner,
    )
    assert_problem(created, 422, ("body", "service_area", "geometry"))
    # Making a public entry with a polygon confidential must drop the polygon in the same change.
    public = client.post("/v1/providers", json={**NEW_ENTRY, **buffer}, headers=keys.owner).json()
    _, etag = read(client, public["id"], keys.owner)
    flip = {"visibility": "restricted"}
    url = f"/v1/providers/{public['id']}"
    headers = {**keys.owner, "If-Match": etag}
    assert_problem(client.patch(url, json=flip, headers=headers), 422)
    with_radius = {**flip, "service_area": {"geometry": None, "radius_km": 12.0}}
    assert client.patch(url, json=with_radius, headers=headers).status_code == 200


def test_a_house_serves_every_unit_its_cell_touches(client, keys):
    """Its cell straddles Bangui and Bimbo: serving its arrondissement, it is listed for
    both, so that the side it serves does not tell on which side it is."""
    _patch(client, keys, SAFE_HOUSE_ID, {"service_area": {"pcodes": ["CF7117"]}})
    for pcode in ("CF711", "CF111"):
        body = {"pcode": pcode, "needs": ["safety.shelter"], "explain": True}
        options = client.post("/v1/referrals/search", json=body).json()["options"]
        assert SAFE_HOUSE_ID in {o["provider_id"] for o in options}, pcode


def test_an_area_filter_of_any_level_does_not_find_the_house(client, keys):
    """Its cell straddles Bangui and Bimbo: which of the two holds it would halve the cell."""
    for pcode in ("CF71", "CF711", "CF7117"):
        for headers in ({}, keys.other):
            listed = client.get("/v1/providers", params={"pcode": pcode}, headers=headers).json()
            assert SAFE_HOUSE_ID not in {p["id"] for p in listed["items"]}
        owner = client.get("/v1/providers", params={"pcode": pcode}, headers=keys.owner).json()
        assert SAFE_HOUSE_ID in {p["id"] for p in owner["items"]}
