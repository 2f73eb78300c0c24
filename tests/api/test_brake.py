"""The brake on failed authentications, through the API: per client, never on a valid key."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referral_api.app import create_app
from referral_api.domain.brake import FailureBrake
from referral_api.settings import Settings
from tests.api.conftest import bearer, make_key
from tests.api.test_providers import assert_problem
from tests.conftest import SAFE_HOUSE_ID

WRONG = bearer("rk_0123456789ab_" + "y" * 43)
MALFORMED = bearer("rk_nope")
SAFE_HOUSE = f"/v1/providers/{SAFE_HOUSE_ID}"


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(attempts=st.lists(st.sampled_from(["valid", "wrong", "malformed"]), max_size=30))
def test_a_valid_key_is_never_refused_whatever_failed_before(client, attempts):
    client.app.state.runtime.auth_brake = FailureBrake()
    _, owner = make_key(client, "femmes-debout")
    failures = 0
    for attempt in attempts:
        if attempt == "valid":
            response = client.get(SAFE_HOUSE, headers=bearer(owner))
            assert response.status_code == 200, response.text
            assert "location" in response.json()  # read as its owner, not anonymously
            continue
        failures += 1
        response = client.get(SAFE_HOUSE, headers=WRONG if attempt == "wrong" else MALFORMED)
        if failures <= 10:
            assert_problem(response, 401)
        else:
            assert_problem(response, 429)
            assert 1 <= int(response.headers["retry-after"]) <= 6


def test_search_with_a_valid_key_goes_on_while_its_address_is_braked(client):
    _, owner = make_key(client, "femmes-debout")
    for _ in range(11):
        client.get(SAFE_HOUSE, headers=WRONG)
    search = {"lat": 4.3921, "lon": 18.5412, "needs": ["case_management"]}
    assert_problem(client.post("/v1/referrals/search", json=search, headers=WRONG), 429)
    assert (
        client.post("/v1/referrals/search", json=search, headers=bearer(owner)).status_code == 200
    )


@pytest.fixture
def behind_proxy(database_url) -> Iterator[TestClient]:
    """The app behind a load balancer at 10.0.0.2, trusted as one of 10.0.0.0/8."""
    app = create_app(Settings(database_url=database_url, trusted_proxies="10.0.0.0/8"))
    with TestClient(app, client=("10.0.0.2", 50000)) as client:
        yield client


def forwarded(*hops: str) -> dict[str, str]:
    return {**WRONG, "X-Forwarded-For": ", ".join(hops)}


def test_clients_behind_a_trusted_proxy_are_braked_one_by_one(behind_proxy):
    for number in range(30):
        response = behind_proxy.get(SAFE_HOUSE, headers=forwarded(f"198.51.100.{number}"))
        assert_problem(response, 401)
    for _ in range(10):
        assert_problem(behind_proxy.get(SAFE_HOUSE, headers=forwarded("203.0.113.9")), 401)
    assert_problem(behind_proxy.get(SAFE_HOUSE, headers=forwarded("203.0.113.9")), 429)


def test_hops_a_client_writes_itself_do_not_release_it(behind_proxy):
    # The balancer appends the address it saw; whatever is left of it is the client's say.
    for number in range(10):
        headers = forwarded(f"192.0.2.{number}", "203.0.113.9")
        assert_problem(behind_proxy.get(SAFE_HOUSE, headers=headers), 401)
    headers = forwarded("192.0.2.200", "10.0.0.7", "203.0.113.9")
    assert_problem(behind_proxy.get(SAFE_HOUSE, headers=headers), 429)


def test_forwarded_headers_from_an_untrusted_peer_are_ignored(client):
    for number in range(10):
        response = client.get(SAFE_HOUSE, headers=forwarded(f"198.51.100.{number}"))
        assert_problem(response, 401)
    assert_problem(client.get(SAFE_HOUSE, headers=forwarded("198.51.100.99")), 429)
