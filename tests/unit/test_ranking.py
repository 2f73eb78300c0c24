"""The rules the ranking must obey, one table per rule."""

import random
from dataclasses import replace
from datetime import date

import pytest

from referral_api.domain.model import (
    Access,
    Cost,
    Eligibility,
    Modality,
    Service,
    ServiceArea,
    Sex,
    Status,
    Visibility,
)
from referral_api.domain.ranking import (
    Profile,
    RankingWeights,
    TimeSinceIncident,
    brute_force,
    search,
)
from tests.unit.builders import (
    FRIDAY_10H,
    FRIDAY_22H,
    GAZETTEER,
    index_of,
    provider,
    query,
    square,
)

WEIGHTS = RankingWeights()


def names(options):
    return [option.facts.entry.provider.name for option in options]


def codes(notes):
    return [n.code for n in notes]


def run(providers, **query_fields):
    return search(index_of(*providers), query(**query_fields), WEIGHTS)


# --- hard filters ----------------------------------------------------------------------------

EXCLUDED = [
    ("need not offered", provider("x", ("legal.aid",)), {}, "need_not_offered"),
    ("closed for good", provider("x", status=Status.CLOSED), {}, "not_active"),
    (
        "temporarily closed until later",
        provider("x", status=Status.TEMPORARILY_CLOSED, status_until=date(2027, 1, 1)),
        {},
        "not_active",
    ),
    ("not accepting", provider("x", accepting_referrals=False), {}, "not_accepting_referrals"),
    (
        "women only, man asking",
        provider("x", services=(Service("medical.cmr", Eligibility(sexes=(Sex.FEMALE,))),)),
        {"profile": Profile(sex=Sex.MALE)},
        "not_eligible",
    ),
    (
        "children only, adult asking",
        provider("x", services=(Service("medical.cmr", Eligibility(max_age=17)),)),
        {"profile": Profile(age=30)},
        "not_eligible",
    ),
    (
        "adults only, child asking",
        provider("x", services=(Service("medical.cmr", Eligibility(min_age=18)),)),
        {"profile": Profile(age=12)},
        "not_eligible",
    ),
    (
        "refugees only, IDP asking",
        provider(
            "x", services=(Service("medical.cmr", Eligibility(population_groups=("refugee",))),)
        ),
        {"profile": Profile(population="idp")},
        "not_eligible",
    ),
    ("static, too far, no area", provider("x", km_east=60), {}, "outside_service_area"),
    (
        "polygon elsewhere",
        provider("x", service_area=ServiceArea(geometry=square(18.8, 4.5, 18.9, 4.6))),
        {},
        "outside_service_area",
    ),
    (
        "radius too small",
        provider("x", km_east=3, service_area=ServiceArea(radius_km=2)),
        {},
        "outside_service_area",
    ),
    (
        "hotline for another area",
        provider("x", at=None, service_area=ServiceArea(pcodes=("CF11",))),
        {},
        "outside_service_area",
    ),
    (
        "hotline for another arrondissement",
        provider("x", at=None, service_area=ServiceArea(pcodes=("CF7114",))),
        {},
        "outside_service_area",
    ),
    (
        "beyond the asked distance",
        provider("x", km_east=8),
        {"max_distance_km": 5},
        "beyond_max_distance",
    ),
    (
        "closed when open now is asked",
        provider("x", opening_hours="Mo-Fr 08:00-16:00"),
        {"open_now": True, "at": FRIDAY_22H},
        "closed_now",
    ),
]


@pytest.mark.parametrize(
    ("case", "excluded", "fields", "code"), EXCLUDED, ids=[c[0] for c in EXCLUDED]
)
def test_each_hard_filter_excludes_and_is_counted(case, excluded, fields, code):
    result = search(index_of(excluded), query(**fields), WEIGHTS, explain=True)
    assert names(result.options) == []
    assert result.exclusions is not None
    assert result.exclusions[code] == 1, case
    assert sum(result.exclusions.values()) == 1


INCLUDED = [
    ("sector matches sub-code", provider("x", ("medical.pep",)), {"needs": ("medical",)}),
    ("exact code", provider("x", ("medical.pep",)), {"needs": ("medical.pep",)}),
    (
        "reopened after its closing date",
        provider("x", status=Status.TEMPORARILY_CLOSED, status_until=date(2026, 11, 1)),
        {},
    ),
    (
        "eligibility unknown is not a reason to exclude",
        provider(
            "x", services=(Service("medical.cmr", Eligibility(sexes=(Sex.FEMALE,), max_age=17)),)
        ),
        {"profile": Profile()},
    ),
    ("static within reach", provider("x", km_east=40), {}),
    (
        "polygon covering the place",
        provider("x", km_east=30, service_area=ServiceArea(geometry=square(18.5, 4.3, 18.6, 4.4))),
        {},
    ),
    ("radius covering", provider("x", km_east=3, service_area=ServiceArea(radius_km=5)), {}),
    (
        "hotline for the city",
        provider("x", at=None, service_area=ServiceArea(pcodes=("CF71",))),
        {},
    ),
    (
        "hotline for this arrondissement",
        provider("x", at=None, service_area=ServiceArea(pcodes=("CF7113",))),
        {},
    ),
    (
        "hotline for part of a named area",
        provider("x", at=None, service_area=ServiceArea(pcodes=("CF7113",))),
        {"place": GAZETTEER.at_pcode("CF71")},
    ),
    (
        "polygon meeting a named area",
        provider(
            "x", km_east=60, service_area=ServiceArea(geometry=square(18.65, 4.45, 18.8, 4.6))
        ),
        {"place": GAZETTEER.at_pcode("CF7114")},
    ),
    ("unknown hours are kept with open now", provider("x", opening_hours=None), {"open_now": True}),
]


@pytest.mark.parametrize(("case", "kept", "fields"), INCLUDED, ids=[c[0] for c in INCLUDED])
def test_what_the_filters_must_keep(case, kept, fields):
    assert names(run([kept], **fields).options) == ["x"], case


# --- urgency ---------------------------------------------------------------------------------

NEAR_NO_PEP = provider("near-no-pep", ("medical.general",), km_east=0.5)
FAR_PEP = provider("far-pep", ("medical.pep",), km_east=20)
NEAR_NO_EC = provider("near-no-ec", ("medical.pep",), km_east=0.5)
FAR_EC = provider("far-ec", ("medical.general",), km_east=20, capabilities=("ec",))


@pytest.mark.parametrize(
    ("window", "providers", "first"),
    [
        (TimeSinceIncident.LT72H, [NEAR_NO_PEP, FAR_PEP], "far-pep"),
        (TimeSinceIncident.UNKNOWN, [NEAR_NO_PEP, FAR_PEP], "far-pep"),
        (TimeSinceIncident.FROM72TO120H, [NEAR_NO_PEP, FAR_PEP], "near-no-pep"),
        (TimeSinceIncident.GT120H, [NEAR_NO_PEP, FAR_PEP], "near-no-pep"),
        (TimeSinceIncident.FROM72TO120H, [NEAR_NO_EC, FAR_EC], "far-ec"),
        (TimeSinceIncident.LT72H, [NEAR_NO_EC, FAR_EC], "near-no-ec"),
        (TimeSinceIncident.GT120H, [NEAR_NO_EC, FAR_EC], "near-no-ec"),
    ],
)
def test_pep_within_72h_and_ec_within_120h_outrank_distance(window, providers, first):
    result = run(providers, time_since_incident=window)
    assert names(result.options)[0] == first


def test_without_pep_a_medical_option_says_so_within_72h():
    result = run([NEAR_NO_PEP], time_since_incident=TimeSinceIncident.LT72H)
    assert "no_pep_here" in codes(result.options[0].warnings)
    assert "pep_within_72h" not in codes(result.options[0].reasons)


@pytest.mark.parametrize(
    ("window", "first"),
    [
        (TimeSinceIncident.LT72H, "round-the-clock"),
        (TimeSinceIncident.FROM72TO120H, "round-the-clock"),
    ],
)
def test_round_the_clock_care_is_preferred_at_night_in_urgent_windows(window, first):
    day_clinic = provider(
        "day-clinic", ("medical.pep", "medical.ec"), km_east=1, opening_hours="Mo-Fr 08:00-16:00"
    )
    hospital = provider("round-the-clock", ("medical.pep", "medical.ec"), km_east=6)
    result = run([day_clinic, hospital], time_since_incident=window, at=FRIDAY_22H)
    assert names(result.options)[0] == first
    assert "open_24_7" in codes(result.options[0].reasons)
    assert "closed_now" in codes(result.options[1].warnings)


# --- survivor-centred guarantees -------------------------------------------------------------


def test_a_safe_entry_point_is_returned_even_when_nothing_matches():
    hotline = provider(
        "hotline", ("case_management",), at=None, service_area=ServiceArea(pcodes=("CF71",))
    )
    result = run([hotline], needs=("legal.justice",))
    assert result.options == ()
    assert names(result.safe_entry_points) == ["hotline"]
    assert result.safe_entry_points[0].is_safe_entry


def test_the_safe_entry_point_ignores_profile_filters():
    girls_only = provider(
        "girls-space",
        services=(Service("case_management", Eligibility(sexes=(Sex.FEMALE,), max_age=17)),),
    )
    result = run([girls_only], needs=("medical",), profile=Profile(sex=Sex.MALE, age=40))
    assert names(result.safe_entry_points) == ["girls-space"]


def test_when_no_entry_point_covers_the_place_the_nearest_is_given_with_a_warning():
    far = provider("far-case-management", ("case_management",), km_east=120)
    farther = provider("farther", ("case_management",), km_east=300)
    closed = provider("closed", ("case_management",), km_east=100, status=Status.CLOSED)
    result = run([farther, far, closed], needs=("medical",))
    assert names(result.safe_entry_points) == ["far-case-management"]
    assert "outside_service_area" in codes(result.safe_entry_points[0].warnings)


def test_no_entry_point_at_all_is_an_empty_list_not_an_error():
    assert run([provider("clinic")]).safe_entry_points == ()


@pytest.mark.parametrize(
    ("needs", "first"),
    [
        (("safety",), "shelter"),
        (("safety", "legal.police"), "police"),
        (("legal",), "police"),
    ],
)
def test_police_never_lead_unless_legal_help_was_asked(needs, first):
    police = provider("police", ("legal.police", "safety.security"), km_east=0.1)
    shelter = provider(
        "shelter", ("safety.shelter",), km_east=15, verified_days_ago=200, opening_hours=None
    )
    result = run([police, shelter], needs=needs)
    assert names(result.options)[0] == first


def test_police_stay_listed_below_when_not_asked_for():
    police = provider("police", ("legal.police", "safety.security"), km_east=0.1)
    shelter = provider("shelter", ("safety.shelter",), km_east=15)
    assert names(run([police, shelter], needs=("safety",)).options) == ["shelter", "police"]


def test_stale_entries_are_demoted_and_flagged_never_dropped():
    stale = provider("stale", km_east=1, verified_days_ago=91)
    never = provider("never", km_east=1.5, verified_days_ago=None)
    fresh = provider("fresh", km_east=3, verified_days_ago=89)
    result = run([stale, never, fresh])
    assert names(result.options) == ["fresh", "stale", "never"]
    assert "stale_entry" in codes(result.options[1].warnings)
    assert "never_verified" in codes(result.options[2].warnings)
    assert "recently_verified" in codes(result.options[0].reasons)


# --- score -----------------------------------------------------------------------------------

PREFERENCES = [
    ("nearer first", [provider("far", km_east=10), provider("near", km_east=1)], {}, "near"),
    (
        "open now first",
        [
            provider("closed", km_east=1, opening_hours="Mo-Fr 14:00-18:00"),
            provider("open", km_east=3, opening_hours="Mo-Fr 08:00-12:00"),
        ],
        {},
        "open",
    ),
    (
        "speaks the language",
        [provider("fr", km_east=1), provider("sg", km_east=2, languages=("sg",))],
        {"profile": Profile(languages=("sg",))},
        "sg",
    ),
    (
        "accessible",
        [provider("steps", km_east=1), provider("ramp", km_east=2, accessibility=("wheelchair",))],
        {"profile": Profile(accessibility=("wheelchair",))},
        "ramp",
    ),
    (
        "free of charge",
        [
            provider("fee", km_east=1, services=(Service("medical.general", cost=Cost.FEE),)),
            provider("free", km_east=2),
        ],
        {},
        "free",
    ),
    (
        "child-friendly for a child",
        [
            provider("adult", km_east=1),
            provider(
                "child",
                km_east=2,
                services=(Service("medical.general", Eligibility(child_friendly=True)),),
            ),
        ],
        {"profile": Profile(age=12)},
        "child",
    ),
    (
        "one stop for several needs",
        [
            provider("medical-only", ("medical.general",), km_east=1),
            provider("both", ("medical.general", "psychosocial.pss"), km_east=2.5),
        ],
        {"needs": ("medical", "psychosocial")},
        "both",
    ),
]


@pytest.mark.parametrize(
    ("case", "providers", "fields", "first"), PREFERENCES, ids=[c[0] for c in PREFERENCES]
)
def test_what_the_score_prefers(case, providers, fields, first):
    assert names(run(providers, **fields).options)[0] == first, case


def test_weights_are_configurable_per_deployment():
    providers = [provider("near", km_east=1), provider("sg", km_east=4, languages=("sg",))]
    fields = {"profile": Profile(languages=("sg",))}
    assert names(run(providers, **fields).options)[0] == "sg"
    distance_first = RankingWeights(distance=10.0, language=0.1)
    result = search(index_of(*providers), query(**fields), distance_first)
    assert names(result.options)[0] == "near"


def test_ties_break_by_id_whatever_the_input_order():
    twins = [provider(f"twin-{n}", km_east=2) for n in range(8)]
    expected = sorted(str(p.id) for p in twins)
    for seed in range(5):
        shuffled = twins[:]
        random.Random(seed).shuffle(shuffled)
        got = [str(o.facts.entry.provider.id) for o in run(shuffled, limit=50).options]
        assert got == expected


def test_pathway_gives_the_best_per_need_and_one_stop_options():
    providers = [
        provider("clinic", ("medical.pep",), km_east=1),
        provider("listening", ("psychosocial.pss",), km_east=1),
        provider("hospital", ("medical.pep", "psychosocial.pss"), km_east=3),
    ]
    result = run(providers, needs=("medical", "psychosocial"))
    pathway = {step.need: names(step.options) for step in result.pathway}
    assert set(pathway) == {"medical", "psychosocial"}
    assert set(pathway["medical"]) == {"clinic", "hospital"}
    assert set(pathway["psychosocial"]) == {"listening", "hospital"}
    assert names(result.one_stop) == ["hospital"]
    assert "one_stop" in codes(result.one_stop[0].reasons)


def test_limit_caps_every_list():
    providers = [provider(f"p{n}", km_east=n) for n in range(12)]
    result = run(providers, limit=3)
    assert len(result.options) == 3
    assert [o.rank for o in result.options] == [1, 2, 3]


def test_warnings_for_access_fees_and_distance():
    remote_form = provider(
        "legal",
        services=(Service("legal.aid", cost=Cost.FEE, access=Access.REFERRAL_FORM),),
        km_east=20,
        opening_hours=None,
    )
    result = run([remote_form], needs=("legal",))
    assert {"fee", "referral_form", "far_away", "hours_unknown"} <= set(
        codes(result.options[0].warnings)
    )


def test_closing_soon_and_opening_soon_are_told():
    closing = provider("closing", opening_hours="Mo-Fr 08:00-10:30")
    opening = provider("opening", opening_hours="Mo-Fr 11:00-16:00")
    result = run([closing, opening], at=FRIDAY_10H)
    notes = {o.facts.entry.provider.name: o for o in result.options}
    assert "closes_soon" in codes(notes["closing"].warnings)
    assert "opens_soon" in codes(notes["opening"].reasons)


def test_a_confidential_provider_is_ranked_from_a_coarse_point():
    safe_house = provider(
        "safe-house", ("safety.shelter",), at=(18.5612, 4.3777), visibility=Visibility.RESTRICTED
    )
    option = run([safe_house], needs=("safety",)).options[0]
    entry = option.facts.entry
    assert (entry.lon, entry.lat) == (18.575, 4.375)  # the centre of its 0.05° cell
    assert "near" not in codes(option.reasons)


def test_remote_providers_have_no_distance_but_a_share_of_its_weight():
    hotline = provider(
        "hotline",
        ("psychosocial.pss",),
        at=None,
        modality=Modality.REMOTE,
        service_area=ServiceArea(pcodes=("CF71",)),
    )
    option = run([hotline], needs=("psychosocial",)).options[0]
    assert option.facts.seen.distance_km is None
    assert "remote" in codes(option.reasons)


def test_sentences_exist_in_french_and_english():
    option = run([provider("clinic")], time_since_incident=TimeSinceIncident.LT72H).options[0]
    for n in option.reasons + option.warnings:
        assert n.message("fr") != n.message("en")


def test_the_index_finds_exactly_what_brute_force_finds():
    rng = random.Random(7)
    needs = ["medical.pep", "medical.ec", "case_management", "psychosocial.pss", "legal.aid"]
    providers = []
    for n in range(400):
        kind = rng.random()
        area = ServiceArea()
        at = (18.3 + rng.random() * 0.6, 4.1 + rng.random() * 0.6)
        if kind < 0.1:
            area = ServiceArea(pcodes=(rng.choice(["CF71", "CF7113", "CF7114", "CF11"]),))
            at = None
        elif kind < 0.2:
            area = ServiceArea(radius_km=rng.uniform(1, 20))
        elif kind < 0.3:
            w, s = at[0] - 0.1, at[1] - 0.1
            area = ServiceArea(geometry=square(w, s, w + rng.uniform(0.05, 0.3), s + 0.2))
        providers.append(
            provider(
                f"p{n}",
                tuple(rng.sample(needs, rng.randint(1, 3))),
                at=at,
                service_area=area,
                opening_hours=rng.choice(["24/7", "Mo-Fr 08:00-16:00", None]),
                verified_days_ago=rng.choice([5, 60, 200, None]),
            )
        )
    index = index_of(*providers)
    for trial in range(60):
        lon, lat = 18.3 + rng.random() * 0.6, 4.1 + rng.random() * 0.6
        q = replace(
            query(
                needs=tuple(rng.sample(needs, rng.randint(1, 2))),
                max_distance_km=rng.choice([None, 5.0, 30.0]),
                limit=50,
            ),
            place=GAZETTEER.at_point(lon, lat),
        )
        expected = [f.entry.provider.id for f in brute_force(index, q, WEIGHTS)][:50]
        got = [o.facts.entry.provider.id for o in search(index, q, WEIGHTS).options]
        assert got == expected, trial


def test_a_snapshot_with_changes_ranks_like_one_built_from_scratch():
    rng = random.Random(11)
    needs = ["medical.pep", "case_management", "psychosocial.pss", "legal.aid"]

    def random_provider(key: str):
        return provider(
            key,
            tuple(rng.sample(needs, rng.randint(1, 2))),
            at=(18.3 + rng.random() * 0.6, 4.1 + rng.random() * 0.6),
            opening_hours=rng.choice(["24/7", "Mo-Fr 08:00-16:00"]),
        )

    base = [random_provider(f"p{n}") for n in range(200)]
    moved = [replace(random_provider(f"p{n}"), id=base[n].id) for n in range(0, 40, 2)]
    added = [random_provider(f"new{n}") for n in range(15)]
    removed = {str(p.id) for p in base[1:40:3]}
    patched = index_of(*base).with_changes(moved + added, removed, revision=2, last_sequence=35)
    by_id = {str(p.id): p for p in base}
    by_id.update({str(p.id): p for p in moved + added})
    final = [p for key, p in by_id.items() if key not in removed]
    fresh = index_of(*final)
    assert len(patched) == len(fresh) == len(final)
    for trial in range(40):
        q = replace(
            query(needs=tuple(rng.sample(needs, rng.randint(1, 2))), limit=50),
            place=GAZETTEER.at_point(18.3 + rng.random() * 0.6, 4.1 + rng.random() * 0.6),
        )
        got = search(patched, q, WEIGHTS)
        expected = search(fresh, q, WEIGHTS)
        assert names(got.options) == names(expected.options), trial
        assert names(got.safe_entry_points) == names(expected.safe_entry_points), trial
        explained = search(patched, q, WEIGHTS, explain=True)
        assert explained.considered == len(final)


def test_a_provider_changed_in_a_new_snapshot_is_matched_as_it_now_is():
    # What a provider offers for a set of needs is remembered between searches: a change
    # of its services must still show in the very next search on the new snapshot.
    before = provider("clinic", ("medical.general", "psychosocial.pss"))
    index = index_of(before)
    asked = query(needs=("medical", "psychosocial"))
    assert search(index, asked, WEIGHTS).options[0].facts.seen.matched_needs == (
        "medical",
        "psychosocial",
    )
    after = replace(before, services=(Service("medical.general"),))
    changed = index.with_changes([after], (), revision=2, last_sequence=1)
    [option] = search(changed, asked, WEIGHTS).options
    assert option.facts.seen.matched_needs == ("medical",)
    assert [s.need for s in option.facts.seen.services] == ["medical.general"]
