"""/metrics through the real app: what operators see, and nothing of who searched where."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from tests.conftest import SAFE_HOUSE_ID

# Digits and names that appear nowhere in a label set: if any reaches the exposition, a
# query value leaked into a label.
LAT, LON = 4.391739, 18.561137
ADDRESS = "203.0.113.77"


@pytest.fixture(scope="module")
def exposition(sample_client) -> str:
    headers = {"X-Forwarded-For": ADDRESS}
    client = sample_client
    searches = [
        {"lat": LAT, "lon": LON, "needs": ["medical.pep", "legal.aid"]},
        {"place": "Bimbo", "needs": ["psychosocial"]},
        {"pcode": "CF7117", "needs": ["safety.shelter"]},
    ]
    for body in searches:
        assert client.post("/v1/referrals/search", json=body, headers=headers).status_code == 200
    query = {"lat": LAT, "lon": LON, "needs": "case_management"}
    assert client.get("/v1/referrals", params=query, headers=headers).status_code == 200
    assert client.get(f"/v1/providers/{SAFE_HOUSE_ID}", headers=headers).status_code == 200
    assert client.get("/v1/areas/CF7113", headers=headers).status_code == 200
    assert client.get("/v1/areas/CF7113/pathway.pdf").status_code == 200
    assert client.get("/ogc/collections/providers/items/nothing-7Q2X").status_code == 404
    assert client.get("/no/such/path/CF7116").status_code == 404
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def _value(exposition: str, name: str, **labels: str) -> float:
    for line in exposition.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line))
        if all(found.get(key) == value for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no {name} {labels}")


def test_requests_are_counted_by_route_template_method_and_status_class(exposition):
    requests = "referral_http_requests_total"
    assert _value(exposition, requests, route="/v1/referrals/search", method="POST") == 3
    assert _value(exposition, requests, route="/v1/areas/{pcode}", status="2xx") == 1
    assert _value(exposition, requests, route="/v1/areas/{pcode}/pathway.pdf") == 1
    assert (
        _value(exposition, requests, route="/ogc/collections/{collection_id}/items/{feature_id}")
        == 1
    )
    assert _value(exposition, requests, route="unmatched", status="4xx") == 1
    assert (
        _value(exposition, "referral_http_request_duration_seconds_count", route="/v1/referrals")
        == 1
    )


def test_searches_are_counted_by_sector_only(exposition):
    searches = "referral_searches_total"
    assert _value(exposition, searches, sector="medical") == 1
    assert _value(exposition, searches, sector="legal") == 1
    assert _value(exposition, searches, sector="psychosocial") == 1
    assert _value(exposition, searches, sector="safety") == 1
    assert _value(exposition, searches, sector="case_management") == 1


def test_the_snapshot_shows_its_revision_age_and_build_time(exposition, sample_client):
    revision = sample_client.app.state.runtime.snapshots.current().revision
    assert _value(exposition, "referral_snapshot_revision") == revision
    assert _value(exposition, "referral_snapshot_taken_timestamp_seconds") > 1.7e9
    assert _value(exposition, "referral_snapshot_build_seconds") > 0


def test_no_label_carries_a_place_a_code_an_id_or_an_address(exposition):
    for secret in (
        "4.3917",
        "18.5611",
        "Bimbo",
        "CF71",
        SAFE_HOUSE_ID,
        "7Q2X",
        ADDRESS,
        "testclient",
        "?",
        "lat=",
    ):
        assert secret not in exposition, secret


def test_metrics_are_not_on_the_public_docs_page(sample_client):
    assert "/metrics" not in sample_client.get("/openapi.json").json()["paths"]


def test_database_errors_are_counted_by_kind(client):
    with client.app.state.runtime.engine.begin() as connection:
        connection.execute(text("ALTER TABLE admin_area RENAME TO admin_area_gone"))
    assert client.get("/v1/areas").status_code == 503
    exposition = client.get("/metrics").text
    assert _value(exposition, "referral_database_errors_total", kind="unavailable") == 1
