import dataclasses
import math
import unicodedata
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referral_api.domain.errors import InvalidInputError
from referral_api.domain.model import (
    Eligibility,
    Modality,
    Provider,
    Service,
    ServiceArea,
)
from referral_api.domain.validation import ensure_valid, name_problem, provider_problems

CLINIC = Provider(
    id=uuid.UUID(int=1),
    organization_id="org-a",
    name="Clinic",
    modality=Modality.STATIC,
    services=(Service("medical.pep"),),
    lon=18.55,
    lat=4.37,
    opening_hours="24/7",
    languages=("fr", "sg"),
)


def with_(**changes):
    return dataclasses.replace(CLINIC, **changes)


def test_a_complete_entry_has_no_problem():
    assert provider_problems(CLINIC) == []
    assert ensure_valid(CLINIC) is CLINIC


@pytest.mark.parametrize(
    ("provider", "location", "message"),
    [
        (with_(lon=None, lat=None), ("geometry",), "needs a location"),
        (with_(lat=None), ("geometry",), "both longitude and latitude"),
        (with_(lon=181.0), ("geometry", "coordinates", 0), "longitude"),
        (with_(lat=math.nan), ("geometry", "coordinates", 1), "latitude"),
        (with_(lat=-90.5), ("geometry", "coordinates", 1), "latitude"),
        (
            with_(modality=Modality.REMOTE, lon=None, lat=None),
            ("service_area",),
            "remote provider must declare",
        ),
        (with_(services=()), ("services",), "at least one"),
        (with_(services=(Service("medical.xyz"),)), ("services", 0, "need"), "unknown need"),
        (
            with_(services=(Service("legal.aid"), Service("legal.aid"))),
            ("services", 1, "need"),
            "twice",
        ),
        (
            with_(services=(Service("legal.aid", Eligibility(min_age=18, max_age=17)),)),
            ("services", 0, "eligibility", "min_age"),
            "above max_age",
        ),
        (with_(languages=("fr", "French")), ("languages", 1), "ISO 639"),
        (
            with_(service_area=ServiceArea(pcodes=("CF71", "bangui"))),
            ("service_area", "pcodes", 1),
            "P-code",
        ),
        (
            with_(
                service_area=ServiceArea(
                    geometry={
                        "type": "Polygon",
                        "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
                    }
                )
            ),
            ("service_area", "geometry"),
            "Self-intersection",
        ),
        (with_(opening_hours="Mo-Fx 08:00-12:00"), ("opening_hours",), "expected"),
        (with_(timezone="Europe/Atlantis"), ("timezone",), "IANA"),
    ],
)
def test_each_broken_rule_names_its_field(provider, location, message):
    problems = provider_problems(provider)
    assert any(p.location == location and message in p.message for p in problems), problems


def test_ensure_valid_lists_every_problem_at_once():
    broken = with_(lon=500.0, languages=("xx-YY",), services=(Service("nope"),))
    with pytest.raises(InvalidInputError) as caught:
        ensure_valid(broken)
    assert len(caught.value.problems) == 3
    assert "3 problem(s)" in caught.value.detail


def test_a_remote_hotline_needs_no_location_when_it_declares_its_area():
    hotline = with_(
        modality=Modality.REMOTE, lon=None, lat=None, service_area=ServiceArea(pcodes=("CF71",))
    )
    assert provider_problems(hotline) == []


def _name_problem_by_category(name):
    # The rule as first written, character by character: the quick path must agree.
    if all(char.isspace() or unicodedata.category(char) == "Cf" for char in name):
        return "must not be blank"
    if any(unicodedata.category(char) == "Cc" for char in name):
        return "must not hold control characters such as tabs or line breaks"
    return None


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=12))
def test_a_name_is_judged_as_its_characters_categories_say(name):
    assert name_problem(name) == _name_problem_by_category(name)
