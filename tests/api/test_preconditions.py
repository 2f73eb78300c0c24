"""Conditional requests as RFC 9110 orders them: who, then what, then which revision."""

import pytest

from tests.api.test_bad_input import SEARCH
from tests.api.test_partner_writes import SAFE_SPACE_ID, read
from tests.api.test_providers import assert_problem
from tests.conftest import SAFE_HOUSE_ID

URL = f"/v1/providers/{SAFE_SPACE_ID}"


def write(client, verb, headers, url=URL):
    if verb == "put":
        entry, _ = read(client, SAFE_SPACE_ID, {})
        stated = {k: v for k, v in entry.items() if k in PUT_FIELDS}
        return client.put(url, json=stated, headers=headers)
    if verb == "patch":
        return client.patch(url, json={"opening_hours": "24/7"}, headers=headers)
    return client.delete(url, headers=headers)


PUT_FIELDS = {"organization_id", "name", "location", "opening_hours", "services", "contacts"}
VERBS = ["put", "patch", "delete"]


@pytest.mark.parametrize("verb", VERBS)
def test_an_anonymous_change_is_401_whatever_its_if_match(client, verb):
    for if_match in (None, "*", '"1"', 'W/"1"', "3", '"x"'):
        headers = {} if if_match is None else {"If-Match": if_match}
        response = write(client, verb, headers)
        assert_problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"


def test_restore_and_verify_are_401_anonymous(client):
    for action in ("restore", "verify"):
        assert_problem(client.post(f"{URL}/{action}", headers={"If-Match": "nonsense"}), 401)


@pytest.mark.parametrize("verb", VERBS)
def test_another_partner_and_a_missing_entry_come_before_the_if_match(client, keys, verb):
    assert_problem(write(client, verb, {**keys.other, "If-Match": "nonsense"}), 403)
    missing = "/v1/providers/00000000-0000-0000-0000-000000000000"
    assert_problem(write(client, verb, {**keys.owner, "If-Match": "3"}, missing), 404)


@pytest.mark.parametrize("verb", VERBS)
def test_an_etag_that_is_not_the_current_one_is_412(client, keys, verb):
    assert read(client, SAFE_SPACE_ID, keys.owner)[1] == '"1"'
    for if_match in ('W/"1"', '"x"', '"99999999999999999999999"', '"01"', '"1-w"', '"2", "3"'):
        response = write(client, verb, {**keys.owner, "If-Match": if_match})
        body = assert_problem(response, 412)
        assert body["type"] == "/problems/stale-revision"
    assert read(client, SAFE_SPACE_ID, keys.owner)[1] == '"1"'


@pytest.mark.parametrize("verb", VERBS)
def test_a_malformed_if_match_is_422_naming_it(client, keys, verb):
    for if_match in ("1", "W/1", '"1', "'1'", '"1" "2"', '"1"; x', '"1", *'):
        response = write(client, verb, {**keys.owner, "If-Match": if_match})
        assert_problem(response, 422, ("header", "if-match"))


@pytest.mark.parametrize("verb", VERBS)
def test_without_if_match_or_with_a_star_the_change_is_428(client, keys, verb):
    for headers in (keys.owner, {**keys.owner, "If-Match": "*"}):
        assert_problem(write(client, verb, headers), 428)


@pytest.mark.parametrize("verb", VERBS)
def test_a_list_holding_the_current_etag_matches(client, keys, verb):
    response = write(client, verb, {**keys.owner, "If-Match": '"7", , "1"'})
    assert response.status_code in (200, 204), response.text


def test_if_none_match_star_or_a_weak_tag_is_304_for_an_existing_entry(sample_client):
    etag = sample_client.get(URL).headers["etag"]
    for header in ("*", etag, f"W/{etag}", f'"0", {etag}'):
        response = sample_client.get(URL, headers={"If-None-Match": header})
        assert response.status_code == 304, header
        assert response.headers["etag"] == etag
    for header in ('"0"', "nonsense"):
        assert sample_client.get(URL, headers={"If-None-Match": header}).status_code == 200
    missing = "/v1/providers/00000000-0000-0000-0000-000000000000"
    assert_problem(sample_client.get(missing, headers={"If-None-Match": "*"}), 404)


def test_a_withheld_representation_has_its_own_etag(sample_client):
    etag = sample_client.get(f"/v1/providers/{SAFE_HOUSE_ID}").headers["etag"]
    assert etag.endswith('-w"')
    response = sample_client.get(f"/v1/providers/{SAFE_HOUSE_ID}", headers={"If-None-Match": "*"})
    assert response.status_code == 304


def test_an_owner_holding_the_withheld_etag_cannot_change_from_it(client, keys):
    withheld = client.get(f"/v1/providers/{SAFE_HOUSE_ID}").headers["etag"]
    response = client.patch(
        f"/v1/providers/{SAFE_HOUSE_ID}",
        json={"opening_hours": "24/7"},
        headers={**keys.owner, "If-Match": withheld},
    )
    # Written from a copy without the location, the change could not be told apart from one
    # that means to remove it.
    assert_problem(response, 412)


def test_search_answers_are_never_stored_by_caches(sample_client):
    posted = sample_client.post("/v1/referrals/search", json=SEARCH)
    got = sample_client.get("/v1/referrals", params=SEARCH)
    for response in (posted, got):
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
