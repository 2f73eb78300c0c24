"""The search answer as rendered from parts kept across answers says what it would say
rendered from scratch, to every caller, and never locates a safe house for the wrong one."""

from __future__ import annotations

import itertools

import orjson

from referral_api.api.search_answer import AnswerRenderer, RenderedParts
from referral_api.domain.access import Viewer
from referral_api.domain.model import Access, Contacts, Eligibility, Service, Sex, Visibility
from referral_api.domain.ranking import Profile, RankingWeights, TimeSinceIncident, search
from tests.unit.builders import FRIDAY_10H, FRIDAY_22H, index_of, provider, query

HOUSE_ORGANIZATION = "org-house"
INDEX = index_of(
    # The same needs matched by other services for a woman than for a man.
    provider(
        "clinic",
        services=(
            Service("medical.general"),
            Service(
                "medical.pep",
                eligibility=Eligibility(sexes=(Sex.FEMALE,)),
                access=Access.CALL_FIRST,
            ),
        ),
        km_east=1.2,
        opening_hours="Mo-Fr 08:00-17:00",
        contacts=Contacts(phones=("+236 70 00 00 01",)),
    ),
    provider("centre", ("psychosocial.counselling", "case_management"), km_east=3.4),
    provider("hotline", ("case_management", "safety.hotline"), at=None),
    provider(
        "house",
        ("safety.shelter", "psychosocial.counselling"),
        km_east=0.7,
        visibility=Visibility.RESTRICTED,
        organization_id=HOUSE_ORGANIZATION,
        address="Rue 12, porte bleue",
    ),
)
VIEWERS = (
    Viewer(),
    Viewer(organization_id=HOUSE_ORGANIZATION, key_id="owner"),
    Viewer(organization_id="org-other", key_id="other"),
    Viewer(is_admin=True, key_id="admin"),
)
QUERIES = [
    query(needs, at=at, profile=Profile(sex=sex), time_since_incident=window)
    for needs, at, sex, window in itertools.product(
        (("medical",), ("medical", "psychosocial"), ("safety",)),
        (FRIDAY_10H, FRIDAY_22H),
        (Sex.FEMALE, Sex.MALE),
        (TimeSinceIncident.LT72H, TimeSinceIncident.GT120H),
    )
]


def _rendered(parts: RenderedParts, viewer: Viewer, lang: str, number: int) -> bytes:
    result = search(INDEX, QUERIES[number], RankingWeights())
    out = AnswerRenderer(parts, viewer, lang)
    lists = [out(result.options), out(result.one_stop), out(result.safe_entry_points)]
    lists += [out(need.options) for need in result.pathway]
    return orjson.dumps([lists, out.cards(), out.notes])


def test_kept_parts_render_every_answer_as_fresh_parts_do():
    kept = RenderedParts().for_snapshot(INDEX)
    # Callers and questions interleaved, so that each finds what others left behind.
    asked = list(itertools.product(range(len(QUERIES)), VIEWERS, ("fr", "en")))
    for number, viewer, lang in asked + asked[::-1]:
        fresh = RenderedParts().for_snapshot(INDEX)
        assert _rendered(kept, viewer, lang, number) == _rendered(fresh, viewer, lang, number)


def test_a_card_rendered_for_the_owner_is_not_shown_to_the_next_caller():
    kept = RenderedParts().for_snapshot(INDEX)
    safety = QUERIES.index(next(q for q in QUERIES if q.needs == ("safety",)))
    for viewer in (VIEWERS[1], VIEWERS[0], VIEWERS[3], VIEWERS[2]):
        answer = orjson.loads(_rendered(kept, viewer, "fr", safety))
        cards = answer[1]
        house = next(card for card in cards.values() if card["name"] == "house")
        entitled = viewer.is_admin or viewer.organization_id == HOUSE_ORGANIZATION
        assert ("Rue 12" in orjson.dumps(answer).decode()) is entitled
        assert ("location" in house) is entitled
        assert house.get("location_withheld", False) is not entitled
        assert ("distance_km" in house) is entitled
        assert ("distance_band" in house) is not entitled
