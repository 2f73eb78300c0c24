"""A search request becomes the domain's query field for field, by name."""

import dataclasses
from datetime import UTC, datetime

from referral_api.api.search_schemas import SearchRequest
from referral_api.domain.gazetteer import Place
from referral_api.domain.model import Sex
from referral_api.domain.ranking import Profile, SearchQuery, TimeSinceIncident
from referral_api.operations import SearchQueryDraft, Where, search_request

AT = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
# What the request states another way: needs once each, the profile as one value.
GIVEN = {"needs", "at", "profile"}


def test_every_field_of_the_query_is_a_field_of_the_request():
    for kind in (Where, Profile, SearchQueryDraft):
        for field in dataclasses.fields(kind):
            assert field.name in SearchRequest.model_fields or field.name in GIVEN, field.name
    drafted = {field.name for field in dataclasses.fields(SearchQueryDraft)}
    for field in dataclasses.fields(SearchQuery):
        assert field.name in drafted or field.name == "place", field.name


def test_a_request_asks_the_query_it_states():
    request = SearchRequest(
        lat=4.36,
        lon=18.55,
        needs=["medical", "legal", "medical"],
        age=16,
        sex=Sex.FEMALE,
        languages=["sg"],
        accessibility=["wheelchair"],
        population="idp",
        time_since_incident=TimeSinceIncident.FROM72TO120H,
        open_now=True,
        at=AT,
        max_distance_km=5,
        limit=3,
        explain=True,
    )
    where, draft = search_request(request, at=AT)
    assert where == Where(lon=18.55, lat=4.36)
    assert draft == SearchQueryDraft(
        needs=("medical", "legal"),
        at=AT,
        profile=Profile(
            age=16,
            sex=Sex.FEMALE,
            languages=("sg",),
            accessibility=("wheelchair",),
            population="idp",
        ),
        time_since_incident=TimeSinceIncident.FROM72TO120H,
        open_now=True,
        max_distance_km=5.0,
        limit=3,
        explain=True,
    )
    place = Place(lon=18.55, lat=4.36, pcodes=("CF7113",), label="3e arrondissement")
    query = draft.with_place(place)
    assert query.place == place
    for field in dataclasses.fields(SearchQuery):
        if field.name != "place":
            assert getattr(query, field.name) == getattr(draft, field.name), field.name
