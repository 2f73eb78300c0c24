"""What only the server states about an entry stays the server's, on every write verb."""

import pytest

from tests.api.test_partner_writes import NEW_ENTRY, SAFE_SPACE_ID, SERVER_OWNED, read, stated
from tests.api.test_providers import assert_problem

URL = f"/v1/providers/{SAFE_SPACE_ID}"
# A value of the right type for each field, so that only ownership can refuse it.
SENT = {
    "last_verified_at": "2099-01-01T00:00:00Z",
    "last_verified_by": "femmes-debout",
    "verification": "partner",
    "revision": 99,
    "created_at": "2026-01-01T00:00:00Z",
    "updated_at": "2026-01-01T00:00:00Z",
}


def test_the_sample_import_keeps_its_verification(sample_client):
    entry = sample_client.get(URL).json()
    assert entry["last_verified_at"] is not None
    assert entry["last_verified_by"] and entry["verification"] == "sample"


@pytest.mark.parametrize("field", SERVER_OWNED)
def test_a_new_entry_may_not_state_a_server_owned_field(client, keys, field):
    for value in (SENT[field], None):
        response = client.post(
            "/v1/providers", json={**NEW_ENTRY, field: value}, headers=keys.admin
        )
        assert_problem(response, 422, ("body", field))


def test_a_replacement_or_a_patch_may_not_state_one_and_keeps_the_verification(client, keys):
    before, etag = read(client, SAFE_SPACE_ID, keys.owner)
    headers = {**keys.owner, "If-Match": etag}
    for field in SERVER_OWNED:
        for value in (SENT[field], None):
            put = client.put(URL, json={**stated(before), field: value}, headers=headers)
            assert_problem(put, 422, ("body", field))
            patched = client.patch(URL, json={field: value}, headers=headers)
            assert_problem(patched, 422, ("body", field))
    assert read(client, SAFE_SPACE_ID, keys.owner)[1] == etag
    replaced = client.put(URL, json={**stated(before), "name": "Renommé"}, headers=headers)
    assert replaced.status_code == 200, replaced.text
    after = replaced.json()
    for field in ("last_verified_at", "last_verified_by", "verification"):
        assert after[field] == before[field]


def test_an_admin_may_not_state_one_either(client, keys):
    _, etag = read(client, SAFE_SPACE_ID, keys.admin)
    response = client.patch(
        URL,
        json={"last_verified_at": SENT["last_verified_at"]},
        headers={**keys.admin, "If-Match": etag},
    )
    assert_problem(response, 422, ("body", "last_verified_at"))


def test_another_partner_is_refused_before_its_body_is_read(client, keys):
    before, etag = read(client, SAFE_SPACE_ID, keys.owner)
    headers = {**keys.other, "If-Match": etag}
    assert_problem(client.patch(URL, json=SENT, headers=headers), 403)
    verified = {field: SENT[field] for field in ("last_verified_at", "verification")}
    assert_problem(client.put(URL, json={**stated(before), **verified}, headers=headers), 403)
    assert_problem(client.post(f"{URL}/verify", headers=keys.other), 403)


def test_only_verify_moves_the_verification(client, keys):
    before, _ = read(client, SAFE_SPACE_ID, keys.owner)
    verified = client.post(f"{URL}/verify", headers=keys.owner)
    assert verified.status_code == 200, verified.text
    assert verified.json()["last_verified_at"] > before["last_verified_at"]
    assert verified.json()["last_verified_by"] == "femmes-debout"
    assert verified.json()["verification"] == "partner"


def test_the_openapi_marks_them_read_only_and_says_who_sets_them(client):
    schema = client.get("/openapi.json?lang=en").json()["components"]["schemas"]
    for name in ("ProviderDocument", "ProviderOut"):
        properties = schema[name]["properties"]
        for field in ("last_verified_at", "last_verified_by", "verification"):
            assert properties[field]["readOnly"] is True, (name, field)
            assert "verify" in properties[field]["description"]
        assert "cannot change" in properties["organization_id"]["description"]
