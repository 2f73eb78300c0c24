"""Rules and words agree: every score component has its reason, every reason its component,
every demotion its warning; and the fixes of the ranking issue, one table each."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referral_api.domain.explanations import DISTANCE_BAND_WORDS, note
from referral_api.domain.hours import open_state
from referral_api.domain.model import (
    Access,
    Cost,
    Eligibility,
    Service,
    ServiceArea,
    Sex,
    Visibility,
)
from referral_api.domain.ranking import (
    Option,
    Profile,
    RankingWeights,
    SearchResult,
    TimeSinceIncident,
    search,
)
from referral_api.domain.ranking.evaluate import sort_score
from referral_api.domain.ranking.summary import summary_line
from tests.unit.builders import FRIDAY_10H, index_of, provider, query

WEIGHTS = RankingWeights()
LEAVES = (
    "medical.cmr",
    "medical.pep",
    "medical.ec",
    "medical.general",
    "psychosocial.pss",
    "case_management",
    "legal.aid",
    "legal.police",
    "safety.shelter",
)
HOURS = ("24/7", "Mo-Fr 08:00-16:00", "Mo-Fr 09:00-10:30", "Sa 08:00-12:00", None)


def _lists(result: SearchResult) -> list[tuple[str, tuple[Option, ...]]]:
    lists = [("options", result.options), ("one_stop", result.one_stop)]
    lists += [(f"pathway:{step.need}", step.options) for step in result.pathway]
    return [*lists, ("safe_entry_points", result.safe_entry_points)]


def _codes(notes) -> set[str]:
    return {n.code for n in notes}


def score_from_words(option: Option, weights: RankingWeights, needs_asked: int) -> float:
    """The score a reader of the option's reasons and warnings alone would work out."""
    said = _codes(option.reasons) | _codes(option.warnings)
    distance = option.facts.seen.distance_km
    points = 0.0
    if said & {"near", "far_away", "within_band"}:
        assert distance is not None
        points += weights.distance / (1 + distance / weights.distance_scale_km)
    if "remote" in said:
        points += weights.distance * weights.remote_proximity
    if said & {"open_now", "open_24_7"}:
        points += weights.open_now
    if "opens_soon" in said:
        points += weights.opens_soon
    if "urgent_round_the_clock" in said and option.urgent:
        points += weights.urgent_round_the_clock
    for code, weight in (
        ("speaks_language", weights.language),
        ("accessible", weights.accessibility),
        ("free_of_charge", weights.free_of_charge),
        ("child_friendly", weights.child_friendly),
        ("recently_verified", weights.fresh),
    ):
        points += weight if code in said else 0.0
    if said & {"stale_entry", "never_verified"}:
        points -= weights.stale_penalty
    if "one_stop" in said:
        points += weights.one_stop / (needs_asked - 1) * (len(option.facts.seen.matched_needs) - 1)
    return points


def _services():
    eligibility = st.builds(
        Eligibility,
        sexes=st.sampled_from([(), (Sex.FEMALE,), (Sex.MALE,)]),
        min_age=st.sampled_from([None, 18]),
        max_age=st.sampled_from([None, 17]),
        child_friendly=st.booleans(),
    )
    service = st.builds(
        Service,
        need=st.sampled_from(LEAVES),
        eligibility=eligibility,
        cost=st.sampled_from(list(Cost)),
        access=st.sampled_from(list(Access)),
        capabilities=st.sampled_from([(), ("pep",), ("ec",), ("pep", "ec")]),
    )
    return st.lists(service, min_size=1, max_size=3, unique_by=lambda s: s.need).map(tuple)


@st.composite
def directories(draw):
    count = draw(st.integers(1, 8))
    providers = []
    for n in range(count):
        remote = draw(st.booleans()) and n % 3 == 0
        providers.append(
            provider(
                f"p{n}",
                at=None if remote else (18.55, 4.37),
                km_east=draw(st.floats(0, 60)),
                services=draw(_services()),
                verified_days_ago=draw(st.sampled_from([None, 0, 89, 90, 91, 400])),
                opening_hours=draw(st.sampled_from(HOURS)),
                languages=draw(st.sampled_from([(), ("fr",), ("sg", "fr")])),
                accessibility=draw(st.sampled_from([(), ("wheelchair",)])),
                visibility=draw(st.sampled_from(list(Visibility) + [Visibility.PUBLIC])),
            )
        )
    return providers


def _weights():
    # Distinct, irregular weights: no reason can stand in for another by coincidence.
    value = st.floats(0.1, 5.0).map(lambda x: round(x, 3))
    return st.builds(
        RankingWeights,
        distance=value,
        open_now=value,
        opens_soon=value,
        urgent_round_the_clock=value,
        language=value,
        accessibility=value,
        free_of_charge=value,
        child_friendly=value,
        fresh=value,
        stale_penalty=value,
        one_stop=value,
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    providers=directories(),
    needs=st.lists(
        st.sampled_from(
            ["medical", "psychosocial", "legal", "safety", "case_management", "medical.pep"]
        ),
        min_size=1,
        max_size=3,
        unique=True,
    ).map(tuple),
    window=st.sampled_from(list(TimeSinceIncident)),
    profile=st.builds(
        Profile,
        age=st.sampled_from([None, 12, 30]),
        sex=st.sampled_from([None, Sex.FEMALE, Sex.MALE]),
        languages=st.sampled_from([(), ("sg",)]),
        accessibility=st.sampled_from([(), ("wheelchair",)]),
    ),
    weights=_weights(),
    hour=st.integers(0, 23),
)
def test_every_component_has_its_words_and_every_demotion_its_warning(
    providers, needs, window, profile, weights, hour
):
    at = FRIDAY_10H.replace(hour=hour)
    index = index_of(*providers, weights=weights)
    asked = query(needs=needs, time_since_incident=window, profile=profile, at=at)
    result = search(index, asked, weights)
    for name, options in _lists(result):
        asked_count = 2 if name == "safe_entry_points" else len(needs)
        for option in options:
            assert math.isclose(
                score_from_words(option, weights, asked_count), option.score, abs_tol=1e-9
            ), (name, option.reasons, option.warnings)
            facts = option.facts
            # Sort keys agree with the score, and only urgency demotes.
            best = facts.urgent_score if facts.urgency else facts.score
            assert facts.order == (facts.tier, sort_score(best), facts.entry.id_text)
            assert facts.plain_order == (sort_score(facts.score), facts.entry.id_text)
            assert not any(effect.demotes for effect in facts.effects)
            warnings = _codes(option.warnings)
            if option.tier:
                assert warnings & {"no_pep_here", "no_ec_here"}, name
            exact = option.facts.entry.exact
            if exact.last_verified_at is None:
                assert "never_verified" in warnings
            else:
                days = (at - exact.last_verified_at) // timedelta(days=1)
                stale = days > weights.stale_after_days
                assert ("stale_entry" in warnings) is stale, days
            state = open_state(exact.opening_hours, exact.timezone, at)
            said_open = _codes(option.reasons) & {"open_now", "open_24_7"}
            assert bool(said_open) is bool(state.is_open)
            spoken = set(profile.languages) & set(exact.languages)
            assert ("speaks_language" in _codes(option.reasons)) is bool(spoken)
            if option.facts.entry.is_law_enforcement and not any(
                n.startswith("legal") for n in needs
            ):
                assert "police_if_wished" in warnings
        # Ordered by tier, then score, except that police never lead unasked.
        keys = [(o.tier, sort_score(o.score)) for o in options if not o.list_warnings]
        if not any(o.facts.entry.is_law_enforcement for o in options):
            assert keys == sorted(keys), name


def test_scores_equal_but_for_float_noise_tie_and_the_better_sorts_first():
    assert 0.1 + 0.2 != 0.3 and sort_score(0.1 + 0.2) == sort_score(0.3)
    assert sort_score(2.5) < sort_score(2.499999) < sort_score(-1.0)


# --- the fixes, one table each ---------------------------------------------------------------


def _names(options) -> list[str]:
    return [option.facts.entry.provider.name for option in options]


def test_urgency_orders_the_medical_list_only():
    """A clinic giving psychosocial support too, but no PEP, is not demoted in the
    psychosocial list below a hotline, and has no tier there."""
    clinic = provider("clinic", ("medical.general", "psychosocial.pss"), km_east=1)
    pep = provider("pep", ("medical.pep",), km_east=9)
    hotline = provider(
        "hotline", ("psychosocial.pss",), at=None, service_area=ServiceArea(pcodes=("CF71",))
    )
    asked = query(needs=("medical", "psychosocial"), time_since_incident=TimeSinceIncident.LT72H)
    result = search(index_of(clinic, pep, hotline), asked, WEIGHTS)
    medical, psychosocial = result.pathway
    assert _names(medical.options) == ["pep", "clinic"]
    assert [o.tier for o in medical.options] == [0, 1]
    assert _names(psychosocial.options)[0] == "clinic"
    assert psychosocial.options[0].tier is None
    assert "no_pep_here" not in _codes(psychosocial.options[0].warnings)
    assert "no_pep_here" in _codes(medical.options[1].warnings)


@pytest.mark.parametrize(
    ("window", "first", "warning"),
    [
        (TimeSinceIncident.LT72H, "pep_only", "no_pep_here"),
        (TimeSinceIncident.UNKNOWN, "pep_only", "no_pep_here"),
        (TimeSinceIncident.FROM72TO120H, "ec_only", "no_ec_here"),
    ],
)
def test_each_urgency_window_has_its_tier_and_warning(window, first, warning):
    pep_only = provider("pep_only", ("medical.pep",), km_east=10)
    ec_only = provider("ec_only", ("medical.ec",), km_east=10)
    near = provider("near", ("medical.general",), km_east=0.5)
    result = search(index_of(pep_only, ec_only, near), query(time_since_incident=window), WEIGHTS)
    assert _names(result.options)[0] == first
    demoted = next(o for o in result.options if o.facts.entry.provider.name == "near")
    assert demoted.tier == 1 and warning in _codes(demoted.warnings)


def test_after_120_hours_no_tier_and_no_urgency_words():
    near = provider("near", ("medical.general",), km_east=0.5)
    pep = provider("pep", ("medical.pep",), km_east=10)
    result = search(
        index_of(near, pep), query(time_since_incident=TimeSinceIncident.GT120H), WEIGHTS
    )
    assert _names(result.options) == ["near", "pep"]
    for option in result.options:
        assert option.tier == 0
        assert not (_codes(option.reasons) | _codes(option.warnings)) & {
            "pep_within_72h",
            "no_pep_here",
            "no_ec_here",
            "urgent_round_the_clock",
        }


WOMEN_ONLY = (
    Service("case_management", Eligibility(sexes=(Sex.FEMALE,))),
    Service("safety.shelter", Eligibility(sexes=(Sex.FEMALE,))),
)


def test_an_entry_point_for_another_population_group_is_still_a_way_in():
    # Sex and age are hard limits of an entry point; population groups are not: its staff
    # decide. The same group limit does keep the clinic out of the medical list.
    for_refugees = Eligibility(population_groups=("refugee",))
    point = provider(
        "refugee_desk",
        services=(
            Service("case_management", for_refugees),
            Service("medical.general", for_refugees),
        ),
    )
    anyone = provider("anyone", ("case_management",), km_east=8)
    asked = query(needs=("medical",), profile=Profile(population="host_community"))
    result = search(index_of(point, anyone), asked, WEIGHTS)
    assert result.options == ()
    entries = result.safe_entry_points
    assert _names(entries) == ["refugee_desk", "anyone"]
    assert not any(entry.list_warnings for entry in entries)
    # Listed where urgency orders nothing: no tier.
    assert {entry.tier for entry in entries} == {None}
    # Nor when the only way in is for women: offered for want of any other, saying so.
    women_refugees = Eligibility(sexes=(Sex.FEMALE,), population_groups=("refugee",))
    desk = provider("women_desk", services=(Service("case_management", women_refugees),))
    man = Profile(sex=Sex.MALE, population="host_community")
    [entry] = search(index_of(desk), query(profile=man), WEIGHTS).safe_entry_points
    assert entry.list_warnings == (note("not_for_sex"),)
    assert entry.tier is None


def test_entry_points_respect_the_survivors_sex_when_any_can():
    women = provider("women_only", services=WOMEN_ONLY, km_east=0.5)
    anyone = provider("anyone", ("case_management",), km_east=8)
    asked = query(needs=("medical",), profile=Profile(sex=Sex.MALE))
    entries = search(index_of(women, anyone), asked, WEIGHTS).safe_entry_points
    assert _names(entries) == ["anyone"]
    assert not entries[0].list_warnings


def test_an_entry_point_for_others_only_comes_with_a_warning_naming_the_limit():
    women = provider("women_only", services=WOMEN_ONLY, km_east=0.5)
    asked = query(needs=("medical",), profile=Profile(sex=Sex.MALE, age=30))
    (entry,) = search(index_of(women), asked, WEIGHTS).safe_entry_points
    assert entry.list_warnings == (note("not_for_sex"),)
    assert "(sexe)" in entry.list_warnings[0].message("fr")


@pytest.mark.parametrize(("km", "limited"), [(1.5, False), (2.0, False), (3.0, True)])
def test_entry_points_respect_the_asked_distance_when_any_can(km, limited):
    near = provider("near", ("case_management",), km_east=km)
    asked = query(needs=("medical",), max_distance_km=2)
    (entry,) = search(index_of(near), asked, WEIGHTS).safe_entry_points
    codes = _codes(entry.list_warnings)
    assert ("beyond_asked_distance" in codes) is limited
    if limited:
        assert "Au-delà des 2 km demandés" in entry.warnings[-1].message("fr")


def test_a_far_entry_point_gives_way_to_one_within_the_asked_distance():
    far = provider("far", ("case_management",), km_east=3)
    near = provider(
        "near", ("psychosocial.pss",), at=None, service_area=ServiceArea(pcodes=("CF71",))
    )
    asked = query(needs=("medical",), max_distance_km=2)
    entries = search(index_of(far, near), asked, WEIGHTS).safe_entry_points
    assert _names(entries) == ["near"]


@pytest.mark.parametrize(
    ("services", "warns"),
    [
        ((Service("medical.pep"), Service("medical.general", cost=Cost.FEE)), False),
        ((Service("medical.general", cost=Cost.FEE),), True),
    ],
)
def test_the_cost_warning_is_for_a_matched_need_without_a_free_service(services, warns):
    (option,) = search(index_of(provider("clinic", services=services)), query(), WEIGHTS).options
    fee = [n for n in option.warnings if n.code == "fee"]
    if not warns:
        assert not fee and "free_of_charge" in _codes(option.reasons)
    else:
        assert fee == [note("fee")]
        assert fee[0].message("fr").startswith("Pas gratuit pour tout ce qui est demandé")


@pytest.mark.parametrize(
    ("lang", "near", "speaks", "closed", "line"),
    [
        (
            "fr",
            "À moins de 15 km.",
            "Parle une langue demandée (sango ou français).",
            "Fermé à cette heure.",
            "clinic · Soins médicaux · fermé, ouvre lun. 08 h 00 · à 2,3 km · sans rendez-vous",
        ),
        (
            "en",
            "Within 15 km.",
            "Speaks a language asked for (Sango or French).",
            "Closed at this time.",
            "clinic · Medical care · closed, opens Mon 08:00 · 2.3 km away · walk in",
        ),
    ],
)
def test_words_follow_the_answers_language(lang, near, speaks, closed, line):
    clinic = provider("clinic", km_east=2.3, languages=("fr",), opening_hours="Mo-Fr 08:00-16:00")
    asked = query(profile=Profile(languages=("sg", "fr")), at=FRIDAY_10H.replace(hour=20))
    (option,) = search(index_of(clinic), asked, WEIGHTS).options
    messages = {n.code: n.message(lang) for n in (*option.reasons, *option.warnings)}
    assert messages["near"] == near
    assert messages["speaks_language"] == speaks
    assert messages["closed_now"] == closed
    # What is the provider's own (its distance, when it opens) is in its summary line.
    assert summary_line(option, clinic, withheld=False, lang=lang) == line


def test_the_summary_line_says_name_offer_hours_distance_and_how_to_reach():
    clinic = provider("Clinique", ("medical.pep",), km_east=2.3)
    asked = query(time_since_incident=TimeSinceIncident.LT72H)
    (option,) = search(index_of(clinic), asked, WEIGHTS).options
    assert summary_line(option, clinic, withheld=False, lang="fr") == (
        "Clinique · Soins médicaux (PPE) · ouvert 24 h/24 · à 2,3 km · sans rendez-vous"
    )


def test_a_confidential_summary_gives_a_band_not_a_distance():
    house = provider("Maison", ("safety.shelter",), km_east=3, visibility=Visibility.RESTRICTED)
    (option,) = search(index_of(house), query(needs=("safety",)), WEIGHTS).options
    where = summary_line(option, house, withheld=True, lang="fr").split(" · ")[3]
    assert where in {f"adresse confidentielle, {fr}" for fr, _ in DISTANCE_BAND_WORDS.values()}
