from sqlalchemy import create_engine

from referral_api.app import create_app
from referral_api.settings import Settings
from tests.api.test_providers import assert_problem


def test_needs_have_french_and_english_labels(sample_client):
    body = sample_client.get("/v1/needs").json()
    codes = [item["code"] for item in body["items"]]
    assert "medical.pep" in codes and "case_management" in codes
    for item in body["items"]:
        assert item["label"]["fr"] and item["label"]["en"]
    assert body["version"]


def test_areas_list_filters_and_detail(sample_client):
    level3 = sample_client.get("/v1/areas", params={"level": 3, "parent": "CF711"}).json()
    assert [a["pcode"] for a in level3["items"]] == [f"CF711{i}" for i in range(1, 9)]
    detail = sample_client.get("/v1/areas/CF7113").json()
    assert detail["name"] == "Arrondissement 3"
    assert detail["geometry"]["type"] == "Polygon"
    assert detail["cod_version"] == "201506"
    quartier = sample_client.get("/v1/areas", params={"level": 4}).json()["items"][0]
    assert quartier["has_boundary"] is False
    assert_problem(sample_client.get("/v1/areas/CF0000"), 404)
    assert_problem(sample_client.get("/v1/areas", params={"level": 9}), 422, ("query", "level"))


def test_health_and_readiness(sample_client):
    assert sample_client.get("/healthz").json() == {"status": "ok"}
    ready = sample_client.get("/readyz").json()
    assert ready == {"status": "ok", "providers": 55, "directory_revision": 1}


def test_unreachable_database_is_503_not_500(tmp_path):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}", migrate_on_start=False, load_sample_when_empty=False
    )
    # The path is a directory: SQLite cannot open it, as when a server is down.
    engine = create_engine(f"sqlite:///{tmp_path}")
    from fastapi.testclient import TestClient

    with TestClient(create_app(settings, engine)) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["status"] == "unavailable"
        listing = client.get("/v1/providers")
        assert_problem(listing, 503)
        assert int(listing.headers["retry-after"]) > 0
        search = {"pcode": "CF7113", "needs": ["medical"]}
        assert_problem(client.post("/v1/referrals/search", json=search), 503)
        assert client.get("/healthz").status_code == 200


def test_errors_outside_routes_are_problems_too(sample_client):
    assert_problem(sample_client.get("/v2/nothing"), 404)
    body = assert_problem(sample_client.post("/v1/needs"), 405)
    assert body["title"] == "Method Not Allowed"
    explained = sample_client.get("/problems/invalid-input").json()
    assert "errors" in explained["description"]
