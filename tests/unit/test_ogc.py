"""OGC API – Features documents and query parameters, without HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from referral_api.domain.errors import InvalidParameterError
from referral_api.domain.geometry import BBox
from referral_api.interop import ogc
from referral_api.interop.ogc_openapi import openapi_document

BASE = "https://directory.example/ogc"
DEC_1 = datetime(2026, 12, 1, tzinfo=UTC)


def _links(document: Any) -> list[dict[str, Any]]:
    """Every link object anywhere in a document."""
    if isinstance(document, dict):
        found = list(document.get("links", []))
        return found + [link for value in document.values() for link in _links(value)]
    if isinstance(document, list):
        return [link for value in document for link in _links(value)]
    return []


def test_every_link_of_every_document_has_a_type():
    request = ogc.parse_items_request([("limit", "2"), ("bbox", "18.5,4.3,18.6,4.4")])
    extent = ogc.CollectionExtent(BBox(18.5, 4.3, 18.6, 4.4), DEC_1, DEC_1)
    feature = {"type": "Feature", "id": "x", "geometry": None, "properties": {}}
    documents = [
        ogc.landing_page(BASE, "t", "d"),
        ogc.collections(BASE, [ogc.collection(BASE, info, extent) for info in ogc.COLLECTIONS]),
        ogc.feature_collection(
            base=BASE,
            collection_id="providers",
            request=request,
            features=[feature],
            matched=3,
            next_cursor="abc",
            now=DEC_1,
        ),
        ogc.with_links(BASE, "providers", feature),
    ]
    links = [link for document in documents for link in _links(document)]
    assert len(links) > 10
    assert all(link["type"] and link["href"].startswith(BASE) for link in links)


def test_the_next_link_repeats_the_filters_with_the_cursor():
    request = ogc.parse_items_request(
        [("bbox", "18.5,4.3,18.6,4.4"), ("datetime", "../2026-12-01T00:00:00Z")]
    )
    page = ogc.feature_collection(
        base=BASE,
        collection_id="providers",
        request=request,
        features=[],
        matched=0,
        next_cursor="abc",
        now=DEC_1,
    )
    following = next(link for link in page["links"] if link["rel"] == "next")
    assert following["href"] == (
        f"{BASE}/collections/providers/items"
        "?limit=10&bbox=18.5,4.3,18.6,4.4&datetime=../2026-12-01T00:00:00Z&cursor=abc"
    )
    assert page["timeStamp"] == "2026-12-01T00:00:00Z"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01T00:00:00Z", (DEC_1, DEC_1)),
        ("2026-12-01T01:00:00+01:00", (DEC_1, DEC_1)),
        ("2026-12-01T00:00:00Z/..", (DEC_1, None)),
        ("2026-12-01T00:00:00Z/", (DEC_1, None)),
        ("../2026-12-01T00:00:00Z", (None, DEC_1)),
        ("/2026-12-01T00:00:00Z", (None, DEC_1)),
    ],
)
def test_datetime_instants_and_intervals(text, expected):
    assert ogc.parse_datetime(text) == expected


@pytest.mark.parametrize(
    "text",
    ["2026-12-01", "2026-12-01T00:00:00", "yesterday", "../..", "/", "1900-01-01T00:00:00Z"],
)
def test_bad_datetimes_are_invalid_parameters(text):
    with pytest.raises(InvalidParameterError):
        ogc.parse_datetime(text)


def test_bbox_is_longitude_first_and_may_carry_heights():
    assert ogc.parse_bbox("18.4499999999999993,4.3,18.6,4.4") == BBox(18.45, 4.3, 18.6, 4.4)
    assert ogc.parse_bbox("18.5,4.3,0,18.6,4.4,100") == BBox(18.5, 4.3, 18.6, 4.4)
    with pytest.raises(InvalidParameterError) as raised:
        ogc.parse_bbox("4.3,18.5,4.4,95")
    assert "longitude first" in raised.value.detail


def test_a_page_holds_at_most_a_thousand_whatever_the_limit():
    assert ogc.parse_items_request([("limit", "10000")]).page_size == ogc.PAGE_MAX
    assert ogc.parse_items_request([]).page_size == ogc.DEFAULT_LIMIT


def test_the_api_definition_is_openapi_3_0_and_declares_every_items_parameter():
    document = openapi_document(BASE, "1.0")
    assert document["openapi"] == "3.0.3"
    items = document["paths"]["/collections/{collectionId}/items"]["get"]
    declared = {parameter["$ref"].rsplit("/", 1)[1] for parameter in items["parameters"]}
    assert set(ogc.ITEMS_PARAMETERS) | {"collectionId"} == declared
