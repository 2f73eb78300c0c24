"""The OpenAPI document as a client generator reads it, and the answers that keep to it."""

import re

import pytest

from referral_api.api.preconditions import IF_MATCH_OPENAPI, check_if_match
from referral_api.domain.errors import InvalidInputError, PreconditionFailedError
from tests.conftest import SAFE_HOUSE_ID

PUBLIC_READS = [
    ("get", "/v1/providers"),
    ("get", "/v1/providers/{provider_id}"),
    ("get", "/v1/changes"),
    ("get", "/v1/referrals"),
    ("post", "/v1/referrals/search"),
]
WRITES = [
    ("post", "/v1/providers"),
    ("put", "/v1/providers/{provider_id}"),
    ("patch", "/v1/providers/{provider_id}"),
    ("delete", "/v1/providers/{provider_id}"),
    ("post", "/v1/providers/{provider_id}/restore"),
    ("post", "/v1/providers/{provider_id}/verify"),
    ("get", "/v1/providers/{provider_id}/history"),
]
PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


@pytest.fixture(scope="module")
def document(sample_client):
    return sample_client.get("/openapi.json").json()


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


@pytest.mark.parametrize(("method", "path"), PUBLIC_READS)
def test_public_reads_take_a_key_but_do_not_demand_one(document, method, path):
    operation = document["paths"][path][method]
    assert {} in operation["security"]
    assert {"PartnerKey": []} in operation["security"]
    # A key that fails is answered, and so documented.
    assert {"401", "429"} <= set(operation["responses"])


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_writes_and_history_demand_a_key(document, method, path):
    assert document["paths"][path][method]["security"] == [{"PartnerKey": []}]


def test_every_error_is_a_problem_under_its_real_media_type(document):
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert schemas["Problem"]["properties"]["errors"]
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            if int(status) >= 400 and path != "/readyz":
                assert response["content"] == PROBLEM_CONTENT, f"{method} {path} {status}"


def test_every_operation_with_input_documents_422_and_503(document):
    for method, path, operation in _operations(document):
        if path.startswith("/v1/") and path != "/v1/needs":
            assert {"422", "503"} <= set(operation["responses"]), f"{method} {path}"
        if "requestBody" in operation:
            assert {"400", "413"} <= set(operation["responses"]), f"{method} {path}"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_if_match_is_a_required_header_with_a_pattern(document, method):
    operation = document["paths"]["/v1/providers/{provider_id}"][method]
    (if_match,) = [p for p in operation["parameters"] if p["name"] == "if-match"]
    assert if_match["required"] is True and if_match["in"] == "header"
    assert {"412", "428"} <= set(operation["responses"])


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ('"3"', True),
        ('W/"3"', True),
        (' "3" , "4-w",, ', True),
        ("", True),
        ("3", False),
        ('"3" "4"', False),
        ("*", False),
    ],
)
def test_the_documented_if_match_pattern_is_the_parser(value, parsed):
    pattern = IF_MATCH_OPENAPI["parameters"][0]["schema"]["pattern"]
    assert bool(re.fullmatch(pattern, value)) is parsed
    if value.strip() == "*":
        return
    with pytest.raises(PreconditionFailedError if parsed else InvalidInputError):
        check_if_match(value, '"99"')


@pytest.mark.parametrize(
    "path",
    [
        "/v1/providers",
        f"/v1/providers/{SAFE_HOUSE_ID}",
        "/v1/changes",
        "/v1/needs",
        "/v1/areas/CF7113",
        # A moment of its own: "now" would differ between the two answers.
        "/v1/referrals?pcode=CF7113&needs=medical&at=2026-11-27T10:00:00Z",
        "/healthz",
        "/openapi.json",
    ],
)
def test_head_answers_as_get_without_a_body(sample_client, path):
    get = sample_client.get(path)
    head = sample_client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    for name in ("content-type", "content-length", "etag", "cache-control"):
        assert head.headers.get(name) == get.headers.get(name), name


def test_head_of_a_safe_house_locates_it_no_more_than_get(sample_client):
    head = sample_client.head(f"/v1/providers/{SAFE_HOUSE_ID}")
    assert head.headers["etag"].endswith('-w"')
    assert "location" not in head.headers


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("options", f"/v1/providers/{SAFE_HOUSE_ID}", "GET, HEAD, PUT, PATCH, DELETE"),
        ("put", "/v1/providers", "GET, HEAD, POST"),
        ("get", "/v1/referrals/search", "POST"),
    ],
)
def test_a_405_allows_every_method_of_the_path(sample_client, method, path, allow):
    response = sample_client.request(method.upper(), path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "query",
    [
        "modified_after=0.5",
        "modified_after=1764547200",
        "bbox=18.5,4.3,18.6,4.4%09",
        "bbox=1e1,4.3,18.6,4.4",
        "bbox=181,4.3,18.6,4.4",
        "need=",
        "cursor=" + "0" * 64,
    ],
)
def test_listing_refuses_what_its_schema_refuses(sample_client, query):
    assert sample_client.get(f"/v1/providers?{query}").status_code == 422


def test_a_bad_key_on_a_public_read_is_401(sample_client):
    response = sample_client.get("/v1/providers", headers={"Authorization": "Bearer rk_x_y"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
