import copy

import pytest

from tests.answers import options_of
from tests.api.conftest import bearer, make_key
from tests.api.test_providers import assert_problem
from tests.conftest import SAFE_HOUSE_ID

SAFE_SPACE_ID = "4a7decda-dfd8-5425-b230-3cce35f62650"  # femmes-debout, 3rd arrondissement

NEW_ENTRY = {
    "organization_id": "femmes-debout",
    "name": "Nouvel espace sûr – Boy-Rabe (test)",
    "location": {"lon": 18.5412, "lat": 4.3921},
    "opening_hours": "Mo-Fr 08:00-16:00",
    "languages": ["sg", "fr"],
    "contacts": {"phones": ["+236 75 12 34 56"], "focal_point_role": "Gestionnaire de cas"},
    "services": [{"need": "case_management"}, {"need": "psychosocial.pss"}],
}


# What a read shows beyond what a partner states: the server sets it, a write may not send it.
SERVER_OWNED = (
    "last_verified_at",
    "last_verified_by",
    "verification",
    "revision",
    "created_at",
    "updated_at",
)


def stated(entry):
    """The writable part of an entry as read: the body of a PUT that changes nothing."""
    return {k: v for k, v in entry.items() if k not in ("id", "location_withheld", *SERVER_OWNED)}


def read(client, provider_id, headers):
    response = client.get(f"/v1/providers/{provider_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json(), response.headers["etag"]


def test_a_partner_adds_an_entry_that_search_finds_at_once(client, keys):
    response = client.post("/v1/providers", json=NEW_ENTRY, headers=keys.owner)
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"/v1/providers/{created['id']}"
    assert response.headers["etag"] == '"1"'
    assert created["contacts"]["phones"] == ["+23675123456"]
    found = client.post(
        "/v1/referrals/search",
        json={"lat": 4.3921, "lon": 18.5412, "needs": ["case_management"], "limit": 50},
    ).json()
    assert created["id"] in [o["provider_id"] for o in found["options"]]


def test_writes_need_a_key(client):
    response = client.post("/v1/providers", json=NEW_ENTRY)
    body = assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert body["type"] == "/problems/unauthenticated"
    for headers in (bearer("rk_nope"), bearer("rk_0123456789ab_" + "x" * 43)):
        assert_problem(client.post("/v1/providers", json=NEW_ENTRY, headers=headers), 401)


def test_a_revoked_key_no_longer_works(client):
    from sqlalchemy.orm import Session

    from referral_api.db import repository

    key_id, text = make_key(client, "femmes-debout")
    assert client.post("/v1/providers", json=NEW_ENTRY, headers=bearer(text)).status_code == 201
    with Session(client.app.state.runtime.engine) as session:
        assert repository.revoke_key(session=session, key_id=key_id)
        session.commit()
    assert_problem(client.post("/v1/providers", json=NEW_ENTRY, headers=bearer(text)), 401)


def test_failed_authentication_is_rate_limited_but_a_valid_key_is_never_refused(client, keys):
    bad = bearer("rk_0123456789ab_" + "y" * 43)
    for _ in range(10):
        assert client.get("/v1/needs").status_code == 200
        assert client.post("/v1/providers", json=NEW_ENTRY, headers=bad).status_code == 401
    limited = client.post("/v1/providers", json=NEW_ENTRY, headers=bad)
    assert_problem(limited, 429)
    assert 1 <= int(limited.headers["retry-after"]) <= 6  # ten a minute: one more in 6 s
    # The partner behind the same address (a load balancer, a shared office) goes on.
    assert client.post("/v1/providers", json=NEW_ENTRY, headers=keys.owner).status_code == 201
    assert client.get("/v1/needs").status_code == 200  # anonymous reads go on
    assert_problem(client.post("/v1/providers", json=NEW_ENTRY, headers=bad), 429)


@pytest.mark.parametrize(
    ("change", "location"),
    [
        ({"organization_id": "clinique-juridique"}, None),
        ({"location": {"lon": 190, "lat": 4.3}}, ("body", "location", "lon")),
        ({"location": None}, ("body", "location")),
        ({"contacts": {"phones": ["12"]}}, ("body", "contacts", "phones", 0)),
        ({"contacts": {"phones": ["+236 1"]}}, ("body", "contacts", "phones", 0)),
        ({"languages": ["xx"]}, ("body", "languages", 0)),
        ({"opening_hours": "Mo-Fx 8"}, ("body", "opening_hours")),
        ({"services": [{"need": "medical.magic"}]}, ("body", "services", 0, "need")),
        ({"services": []}, ("body", "services")),
        ({"survivor_name": "A"}, ("body", "survivor_name")),
        (
            {
                "service_area": {
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [
                            [[18.5, 4.3], [18.6, 4.4], [18.6, 4.3], [18.5, 4.4], [18.5, 4.3]]
                        ],
                    }
                }
            },
            ("body", "service_area", "geometry"),
        ),
        (
            {
                "service_area": {
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[18.5, 4.3], [18.6, 4.3], [18.6, 4.4]]],
                    }
                }
            },
            ("body", "service_area", "geometry", "coordinates", 0),
        ),
    ],
)
def test_invalid_entries_are_refused_naming_the_field(client, keys, change, location):
    entry = {**copy.deepcopy(NEW_ENTRY), **change}
    response = client.post("/v1/providers", json=entry, headers=keys.owner)
    if location is None:  # another organization's entry
        assert_problem(response, 403)
    else:
        assert_problem(response, 422, location)


def test_an_admin_may_add_for_any_organization_but_a_known_one(client, keys):
    legal = {**NEW_ENTRY, "organization_id": "clinique-juridique"}
    assert client.post("/v1/providers", json=legal, headers=keys.admin).status_code == 201
    unknown = {**NEW_ENTRY, "organization_id": "no-such-org"}
    assert_problem(
        client.post("/v1/providers", json=unknown, headers=keys.admin),
        422,
        ("body", "organization_id"),
    )


def test_self_intersection_reason_and_vertex_limit_are_told(client, keys):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[18.5, 4.3], [18.6, 4.4], [18.6, 4.3], [18.5, 4.4], [18.5, 4.3]]],
    }
    entry = {**NEW_ENTRY, "service_area": {"geometry": bowtie}}
    body = assert_problem(client.post("/v1/providers", json=entry, headers=keys.owner), 422)
    assert "Self-intersection" in body["detail"]
    ring = [[18.5 + i * 1e-5, 4.3 + (i % 2) * 1e-5] for i in range(1001)]
    ring.append(ring[0])
    many = {**NEW_ENTRY, "service_area": {"geometry": {"type": "Polygon", "coordinates": [ring]}}}
    body = assert_problem(client.post("/v1/providers", json=many, headers=keys.owner), 422)
    assert "1000 vertices" in body["detail"]


def test_bodies_over_64_kib_are_refused(client, keys):
    entry = {**NEW_ENTRY, "description": {"fr": "x" * 2000}, "accessibility": ["a" * 50] * 20}
    padded = {**entry, "notes_padding": "y" * 70_000}
    response = client.post("/v1/providers", json=padded, headers=keys.owner)
    assert_problem(response, 413)


def test_idempotency_key_replays_and_refuses_another_body(client, keys):
    headers = {**keys.owner, "Idempotency-Key": "create-boy-rabe-1"}
    first = client.post("/v1/providers", json=NEW_ENTRY, headers=headers)
    again = client.post("/v1/providers", json=NEW_ENTRY, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    other_body = {**NEW_ENTRY, "name": "Autre nom"}
    assert_problem(
        client.post("/v1/providers", json=other_body, headers=headers),
        422,
        ("header", "idempotency-key"),
    )
    # Keys are scoped per client: another partner's identical key is another request.
    theirs = {**keys.other, "Idempotency-Key": "create-boy-rabe-1"}
    legal = {**NEW_ENTRY, "organization_id": "clinique-juridique"}
    response = client.post("/v1/providers", json=legal, headers=theirs)
    assert response.status_code == 201
    assert response.json()["id"] != first.json()["id"]


def test_a_refused_create_frees_its_idempotency_key(client, keys):
    headers = {**keys.owner, "Idempotency-Key": "k-2"}
    bad = {**NEW_ENTRY, "services": [{"need": "medical.magic"}]}
    assert client.post("/v1/providers", json=bad, headers=headers).status_code == 422
    assert client.post("/v1/providers", json=NEW_ENTRY, headers=headers).status_code == 201


def test_put_requires_the_current_etag(client, keys):
    entry, etag = read(client, SAFE_SPACE_ID, keys.owner)
    document = stated(entry)
    document["name"] = "Espace sûr – 3e (renommé)"
    url = f"/v1/providers/{SAFE_SPACE_ID}"
    assert_problem(client.put(url, json=document, headers=keys.owner), 428)
    assert_problem(client.put(url, json=document, headers={**keys.owner, "If-Match": "*"}), 428)
    assert_problem(
        client.put(url, json=document, headers={**keys.owner, "If-Match": "nonsense"}),
        422,
        ("header", "if-match"),
    )
    assert_problem(client.put(url, json=document, headers={**keys.other, "If-Match": etag}), 403)
    done = client.put(url, json=document, headers={**keys.owner, "If-Match": etag})
    assert done.status_code == 200, done.text
    assert done.json()["name"] == "Espace sûr – 3e (renommé)"
    assert done.headers["etag"] != etag
    stale = client.put(url, json=document, headers={**keys.owner, "If-Match": etag})
    assert_problem(stale, 412)
    missing = "/v1/providers/00000000-0000-0000-0000-000000000000"
    assert_problem(
        client.put(missing, json=document, headers={**keys.owner, "If-Match": etag}), 404
    )


def test_no_one_hands_an_entry_to_another_organization(client, keys):
    url = f"/v1/providers/{SAFE_SPACE_ID}"
    entry, etag = read(client, SAFE_SPACE_ID, keys.owner)
    for headers in (keys.owner, keys.admin):
        headers = {**headers, "If-Match": etag}
        patched = client.patch(url, json={"organization_id": "clinique-juridique"}, headers=headers)
        assert_problem(patched, 422, ("body", "organization_id"))
        handed = {**stated(entry), "organization_id": "clinique-juridique"}
        assert_problem(
            client.put(url, json=handed, headers=headers), 422, ("body", "organization_id")
        )
    # The receiving organization is refused before anything is said about the entry.
    theirs = {**keys.other, "If-Match": etag}
    taken = client.patch(url, json={"organization_id": "clinique-juridique"}, headers=theirs)
    assert_problem(taken, 403)
    same = client.patch(
        url, json={"organization_id": "femmes-debout"}, headers=keys.owner | {"If-Match": etag}
    )
    assert same.status_code == 200, same.text


def test_patch_merges_and_admins_may_change_any_entry(client, keys):
    url = f"/v1/providers/{SAFE_SPACE_ID}"
    _, etag = read(client, SAFE_SPACE_ID, keys.owner)
    assert_problem(client.patch(url, json={"opening_hours": "24/7"}, headers=keys.owner), 428)
    assert_problem(
        client.patch(url, json={"opening_hours": "24/7"}, headers={**keys.other, "If-Match": etag}),
        403,
    )
    assert_problem(
        client.patch(
            url, json={"opening_hours": "sometimes"}, headers={**keys.owner, "If-Match": etag}
        ),
        422,
        ("body", "opening_hours"),
    )
    assert_problem(
        client.patch(url, json={"services": "none"}, headers={**keys.owner, "If-Match": etag}),
        422,
    )
    patched = client.patch(
        url,
        json={"opening_hours": "24/7", "address": None},
        headers={**keys.owner, "If-Match": etag},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["opening_hours"] == "24/7"
    assert patched.json()["name"].startswith("Espace sûr")
    by_admin = client.patch(
        url,
        json={"accepting_referrals": False},
        headers={**keys.admin, "If-Match": patched.headers["etag"]},
    )
    assert by_admin.status_code == 200
    assert by_admin.json()["accepting_referrals"] is False


def test_delete_restore_and_verify_with_two_partners(client, keys):
    url = f"/v1/providers/{SAFE_SPACE_ID}"
    _, etag = read(client, SAFE_SPACE_ID, keys.owner)
    assert_problem(client.delete(url, headers=keys.owner), 428)
    assert_problem(client.delete(url, headers={**keys.other, "If-Match": etag}), 403)
    assert_problem(client.delete(url, headers={**keys.owner, "If-Match": '"999"'}), 412)
    assert client.delete(url, headers={**keys.owner, "If-Match": etag}).status_code == 204
    assert_problem(client.get(url), 404)
    found = client.post(
        "/v1/referrals/search", json={"pcode": "CF7113", "needs": ["case_management"], "limit": 50}
    ).json()
    assert SAFE_SPACE_ID not in [o["provider_id"] for o in found["options"]]
    assert_problem(client.post(f"{url}/restore", headers=keys.other), 403)
    assert_problem(client.post(f"{url}/restore"), 401)
    restored = client.post(f"{url}/restore", headers=keys.owner)
    assert restored.status_code == 200
    assert_problem(client.post(f"{url}/restore", headers=keys.owner), 409)
    assert_problem(client.post(f"{url}/verify", headers=keys.other), 403)
    verified = client.post(f"{url}/verify", headers=keys.owner)
    assert verified.status_code == 200
    assert verified.json()["last_verified_by"] == "femmes-debout"
    assert verified.json()["verification"] == "partner"
    assert_problem(
        client.post(
            "/v1/providers/00000000-0000-0000-0000-000000000000/verify", headers=keys.owner
        ),
        404,
    )


def test_history_is_for_the_owner_and_admins(client, keys):
    url = f"/v1/providers/{SAFE_SPACE_ID}"
    client.post(f"{url}/verify", headers=keys.owner)
    history = client.get(f"{url}/history", headers=keys.owner)
    assert history.status_code == 200
    event = history.json()["items"][-1]
    assert event["action"] == "verify"
    assert event["actor_organization_id"] == "femmes-debout"
    assert event["actor_key_id"] == keys.owner_key_id
    assert event["before"]["last_verified_by"] != event["after"]["last_verified_by"]
    assert client.get(f"{url}/history", headers=keys.admin).status_code == 200
    assert_problem(client.get(f"{url}/history", headers=keys.other), 403)
    assert_problem(client.get(f"{url}/history"), 401)


def test_change_feed_is_ordered_paginated_and_has_tombstones(client, keys):
    created = client.post("/v1/providers", json=NEW_ENTRY, headers=keys.owner).json()
    url = f"/v1/providers/{created['id']}"
    client.delete(url, headers={**keys.owner, "If-Match": '"1"'})
    client.post(f"{url}/restore", headers=keys.owner)
    first = client.get("/v1/changes", params={"after": 0, "limit": 2}).json()
    assert [e["action"] for e in first["items"]] == ["create", "delete"]
    assert first["items"][1]["after"] is None
    rest = client.get("/v1/changes", params={"after": first["next_after"]}).json()
    assert [e["action"] for e in rest["items"]] == ["restore"]
    assert rest["next_after"] is None
    sequences = [e["sequence"] for e in first["items"] + rest["items"]]
    assert sequences == sorted(sequences)
    assert_problem(client.get("/v1/changes", params={"after": -1}), 422, ("query", "after"))


def test_confidential_location_on_every_read_path_by_caller(client, keys):
    url = f"/v1/providers/{SAFE_HOUSE_ID}"
    _, etag = read(client, SAFE_HOUSE_ID, keys.owner)
    client.patch(url, json={"address": "Rue secrète 12"}, headers={**keys.owner, "If-Match": etag})

    def views(headers):
        one = client.get(url, headers=headers).json()
        listed = next(
            p
            for p in client.get("/v1/providers", params={"limit": 200}, headers=headers).json()[
                "items"
            ]
            if p["id"] == SAFE_HOUSE_ID
        )
        feature = client.get(url, headers={**headers, "Accept": "application/geo+json"}).json()
        answer = client.post(
            "/v1/referrals/search",
            json={"pcode": "CF7117", "needs": ["safety.shelter"], "sex": "female"},
            headers=headers,
        ).json()
        searched = next(o for o in options_of(answer) if o["provider"]["id"] == SAFE_HOUSE_ID)
        change = [
            e
            for e in client.get("/v1/changes", headers=headers).json()["items"]
            if e["provider_id"] == SAFE_HOUSE_ID
        ][-1]
        return one, listed, feature, searched, change

    for headers in ({}, keys.other):
        one, listed, feature, searched, change = views(headers)
        assert one["location"] is None and listed["location"] is None
        assert one["address"] is None and feature["geometry"] is None
        assert searched["provider"]["location"] is None and searched["distance_km"] is None
        # The address alone changed: the feed says only that the entry changed.
        assert change["changes_withheld"] is True
        assert change["before"] is None and change["after"] is None
        assert "Rue secrète" not in str((one, listed, feature, searched, change))
    for headers in (keys.owner, keys.admin):
        one, listed, feature, searched, change = views(headers)
        assert one["location"] is not None and one["address"] == "Rue secrète 12"
        assert feature["geometry"]["type"] == "Point"
        assert searched["provider"]["location"] is not None
        assert change["after"]["address"] == "Rue secrète 12"


def test_coordinates_must_be_finite(client, keys):
    body = (
        '{"organization_id": "femmes-debout", "name": "X", "location": {"lon": NaN, '
        '"lat": 4.3}, "services": [{"need": "case_management"}]}'
    )
    response = client.post(
        "/v1/providers",
        content=body,
        headers={**keys.owner, "Content-Type": "application/json"},
    )
    assert_problem(response, 422, ("body", "location", "lon"))


def test_the_docs_authorize_button_takes_a_bearer_key(client):
    schema = client.get("/openapi.json").json()
    scheme = schema["components"]["securitySchemes"]["PartnerKey"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer"}
    create = schema["paths"]["/v1/providers"]["post"]
    assert {"PartnerKey": []} in create["security"]


def test_writes_refresh_the_snapshot_in_place_and_loads_rebuild_it(client, keys):
    from sqlalchemy.orm import Session

    from referral_api import operations
    from referral_api.interop.geojson import parse_directory
    from tests.conftest import sample_document

    snapshots = client.app.state.runtime.snapshots
    built = snapshots.current()
    created = client.post("/v1/providers", json=NEW_ENTRY, headers=keys.owner).json()
    after_write = snapshots.current()
    assert after_write.changes_since_build == 1
    assert after_write.revision == built.revision + 1
    assert created["id"] in after_write.by_id
    with Session(client.app.state.runtime.engine) as session:
        organizations, providers = parse_directory(sample_document())
        operations.load_directory(session=session, organizations=organizations, providers=providers)
    rebuilt = snapshots.refresh()
    assert rebuilt.changes_since_build == 0
    assert created["id"] in rebuilt.by_id


@pytest.mark.parametrize(
    "given",
    [None, "r" * 100, "abc\x1b[31m\r\nforged", "caller-id-42"],
    ids=["missing", "100-chars", "control-chars", "fine"],
)
def test_the_audit_trail_stores_the_request_id_the_response_carries(client, keys, given):
    headers = dict(keys.owner) if given is None else {**keys.owner, "X-Request-ID": given}
    response = client.post("/v1/providers", json=NEW_ENTRY, headers=headers)
    assert response.status_code == 201, response.text
    answered = response.headers["x-request-id"]
    assert answered == given if given == "caller-id-42" else len(answered) == 32
    history = client.get(f"/v1/providers/{response.json()['id']}/history", headers=keys.owner)
    assert [event["request_id"] for event in history.json()["items"]] == [answered]
