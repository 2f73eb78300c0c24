"""The /hsds API: every answer valid HSDS 3.0 (compiled schemas); no safe house located."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from referral_api.interop.hsds import NAMESPACE, hsds_id, organization_uuid
from tests.api.conftest import bearer, make_key
from tests.conftest import SAFE_HOUSE_ID
from tests.interop.schemas import detail_validator, page_validator, validator

HOUSE = (18.6071, 4.3842)
ADDRESS = "Rue 12, porte bleue"
LISTS = ["services", "organizations", "service_at_locations", "taxonomies", "taxonomy_terms"]


@pytest.fixture(scope="module")
def hsds(sample_client):
    """The sample app with the safe house given an address and a radius by its owner."""
    client = sample_client
    _, owner = make_key(client, "femmes-debout")
    _, other = make_key(client, "clinique-juridique")
    entry = client.get(f"/v1/providers/{SAFE_HOUSE_ID}", headers=bearer(owner))
    changed = client.patch(
        f"/v1/providers/{SAFE_HOUSE_ID}",
        json={"address": ADDRESS, "service_area": {"radius_km": 1.0}},
        headers={
            **bearer(owner),
            "If-Match": entry.headers["etag"],
            "Content-Type": "application/merge-patch+json",
        },
    )
    assert changed.status_code == 200, changed.text
    client.other = bearer(other)
    client.owner = bearer(owner)
    return client


def _errors(validating: Draft202012Validator, body: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validating.iter_errors(body)]


def _all(client, path: str, headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    answer = client.get(f"/hsds/{path}", params={"per_page": 1000}, headers=headers or {})
    assert answer.status_code == 200, answer.text
    return answer.json()["contents"]


def test_the_root_names_version_profile_and_openapi(hsds):
    body = hsds.get("/hsds/").json()
    assert body["version"] == "3.0"
    assert not _errors(validator("urn:hsds:about"), body)
    assert hsds.get(body["openapi_url"]).status_code == 200


def test_formats_are_checked_for_real():
    # Without its optional packages jsonschema skips a format silently.
    checkers = Draft202012Validator.FORMAT_CHECKER.checkers
    assert {"uuid", "date-time", "email", "uri"} <= set(checkers)
    assert _errors(detail_validator("taxonomies"), {"id": "x", "name": "n", "description": "d"})


@pytest.mark.parametrize("path", LISTS)
def test_every_page_and_every_object_is_valid_hsds(hsds, path):
    pages = [
        hsds.get(f"/hsds/{path}", params={"per_page": n, "page": p})
        for n, p in ((1000, 1), (7, 2), (7, 1000))
    ]
    for answer in pages:
        assert answer.status_code == 200
        assert not _errors(page_validator(path), answer.json())
    items = pages[0].json()["contents"]
    assert items and pages[0].json()["total_items"] == len(items)
    one = detail_validator(path)
    # Every service in full is checked by the NDJSON test; here, ten of each and the house.
    for item in items[:10] + [i for i in items if "Maison" in json.dumps(i)]:
        detail = hsds.get(f"/hsds/{path}/{item['id']}")
        assert detail.status_code == 200
        assert not _errors(one, detail.json()), item["id"]


def test_pages_follow_the_hsds_page_object(hsds):
    first = hsds.get("/hsds/services", params={"per_page": 10}).json()
    total = first["total_items"]
    assert (first["page_number"], first["size"], first["first_page"]) == (1, 10, True)
    assert first["total_pages"] == -(-total // 10) and not first["last_page"]
    last = hsds.get("/hsds/services", params={"per_page": 10, "page": first["total_pages"]}).json()
    assert last["last_page"] and last["size"] == total - 10 * (first["total_pages"] - 1)
    ids = [
        s["id"]
        for p in range(1, first["total_pages"] + 1)
        for s in hsds.get("/hsds/services", params={"per_page": 10, "page": p}).json()["contents"]
    ]
    assert len(ids) == len(set(ids)) == total


def test_ndjson_streams_every_result(hsds):
    answer = hsds.get("/hsds/services", params={"format": "ndjson", "per_page": 1})
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in answer.text.splitlines()]
    assert len(lines) == hsds.get("/hsds/services").json()["total_items"]
    one = detail_validator("services")
    for line in lines:
        assert not _errors(one, line)


def test_ids_are_stable_uuids_derived_from_ours(hsds):
    services = _all(hsds, "services")
    assert all(uuid.UUID(s["id"]).version == 5 for s in services)
    house = hsds.get(f"/hsds/services/{service_uuid_of(SAFE_HOUSE_ID, 'safety.shelter')}").json()
    assert house["organization_id"] == organization_uuid("femmes-debout")
    assert hsds_id("service", SAFE_HOUSE_ID, "safety.shelter") == house["id"]
    assert str(NAMESPACE) == "6f1d9b0e-3c55-5a2e-9a51-7c1f0de4b2a3"


def service_uuid_of(provider_id: str, need: str) -> str:
    return hsds_id("service", provider_id, need)


def _ids(client, **params: Any) -> set[str]:
    answer = client.get("/hsds/services", params={"per_page": 1000, **params})
    assert answer.status_code == 200, answer.text
    return {s["id"] for s in answer.json()["contents"]}


def test_filters_are_anded(hsds):
    terms = {t["code"]: t["id"] for t in _all(hsds, "taxonomy_terms")}
    medical = _ids(hsds, taxonomy_term_id=terms["medical"])
    pep = _ids(hsds, taxonomy_term_id=terms["medical.pep"])
    assert pep and pep < medical  # a sector's term finds its sub-needs
    org = organization_uuid("medecins-solidaires")
    of_org = _ids(hsds, organization_id=org)
    assert _ids(hsds, taxonomy_term_id=terms["medical"], organization_id=org) == medical & of_org
    everything = _ids(hsds)
    assert _ids(hsds, modified_after="2000-01-01T00:00:00Z") == everything
    assert _ids(hsds, modified_after="2099-01-01T00:00:00Z") == set()
    found = _ids(hsds, search="ACABEF")
    assert found and found < everything
    in_bangui = _ids(hsds, pcode="CF71")
    assert in_bangui and _ids(hsds, pcode="CF71", search="ACABEF") == found & in_bangui
    near = _ids(hsds, lat=4.396813, lon=18.557746, proximity=50)
    assert near == found  # ACABEF's own point


@pytest.mark.parametrize(
    "params",
    [
        {"page": 0},
        {"per_page": 0},
        {"per_page": 5000},
        {"page": "x"},
        {"format": "xml"},
        {"taxonomy_term_id": "medical"},
        {"organization_id": "femmes-debout"},
        {"modified_after": "2026-01-01"},
        {"modified_after": "yesterday"},
        {"lat": 4.3},
        {"lat": 95, "lon": 18},
        {"lat": "nan", "lon": 18},
        {"proximity": -1},
    ],
)
def test_bad_parameters_are_problems_not_errors(hsds, params):
    answer = hsds.get("/hsds/services", params=params)
    assert answer.status_code in (400, 422), answer.text
    assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("path", LISTS)
def test_unknown_ids_are_404_problems(hsds, path):
    for item_id in (str(uuid.uuid4()), "not-a-uuid"):
        answer = hsds.get(f"/hsds/{path}/{item_id}")
        assert answer.status_code in (404, 422)
        assert answer.headers["content-type"] == "application/problem+json"


# --- confidentiality -----------------------------------------------------------------------


def _house_paths(client) -> list[str]:
    services = [s for s in _all(client, "services") if _is_house(s)]
    assert {s["id"] for s in services} == {
        service_uuid_of(SAFE_HOUSE_ID, "safety.shelter"),
        service_uuid_of(SAFE_HOUSE_ID, "case_management"),
    }
    links = [
        link
        for link in _all(client, "service_at_locations")
        if link["service_id"] in {s["id"] for s in services}
    ]
    return [
        *(f"/hsds/{path}?per_page=1000" for path in LISTS),
        "/hsds/services?format=ndjson",
        "/hsds/service_at_locations?format=ndjson",
        *(f"/hsds/services/{s['id']}" for s in services),
        *(f"/hsds/service_at_locations/{link['id']}" for link in links),
        f"/hsds/organizations/{organization_uuid('femmes-debout')}",
    ]


def _is_house(service: dict[str, Any]) -> bool:
    return "Maison d'accueil" in service["name"]


def _digits(value: float) -> str:
    return f"{value:.3f}"[:-1]  # 18.60, 4.38: not even the cell's centre shows


def test_no_hsds_path_locates_the_safe_house(hsds):
    secrets = [_digits(HOUSE[0]), _digits(HOUSE[1]), ADDRESS, "CF7117", 'CF711"', "radius"]
    paths = _house_paths(hsds)
    anonymous = {path: hsds.get(path).text for path in paths}
    for headers in ({}, hsds.other, hsds.owner):
        for path in paths:
            answer = hsds.get(path, headers=headers)
            assert answer.status_code == 200, path
            text = answer.text
            if "/services" in path or "/service_at_locations" in path:
                assert "Maison d'accueil" in text, path
            house = _house_parts(text)
            for secret in secrets:
                assert all(secret not in part for part in house), (path, secret)
            # One answer for all: a key changes nothing.
            assert text == anonymous[path], path


def _house_parts(text: str) -> list[str]:
    """The serialised objects of the house within an answer (other providers may lie at
    18.60…, so only the house's own objects are searched)."""
    try:
        documents = [json.loads(text)]
    except json.JSONDecodeError:
        documents = [json.loads(line) for line in text.splitlines()]
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            dumped = json.dumps(node, ensure_ascii=False)
            if "Maison" in str(node.get("name")):
                found.append(dumped)
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(documents)
    return found


def test_the_house_says_its_location_is_withheld(hsds):
    service = hsds.get(f"/hsds/services/{service_uuid_of(SAFE_HOUSE_ID, 'safety.shelter')}").json()
    assert "withheld" in json.dumps(service)
    codes = {a["taxonomy_term"]["code"] for a in service["attributes"]}
    assert "location-withheld" in codes
    location = service["service_at_locations"][0]["location"]
    assert not {"latitude", "longitude", "external_identifier", "addresses", "description"} & set(
        location
    )
    assert "location-withheld" in {a["taxonomy_term"]["code"] for a in location["attributes"]}
    assert service["service_areas"] == []
    assert service["contacts"][0]["title"] == "Gestionnaire de cas de permanence"
    assert service["schedules"] and service["status"] == "active"


def test_location_filters_never_find_the_house(hsds):
    house = {service_uuid_of(SAFE_HOUSE_ID, n) for n in ("safety.shelter", "case_management")}
    assert house <= _ids(hsds)
    for params in (
        {"pcode": "CF71"},
        {"pcode": "CF711"},
        {"pcode": "CF7117"},
        {"lat": HOUSE[1], "lon": HOUSE[0], "proximity": 100_000},
        {"lat": 4.375, "lon": 18.625, "proximity": 10},  # the cell's centre
    ):
        for headers in ({}, hsds.other):
            answer = hsds.get(
                "/hsds/services", params={**params, "per_page": 1000}, headers=headers
            )
            assert not house & {s["id"] for s in answer.json()["contents"]}, params
