"""Each ranking rule at its boundaries: what it adds to the score and what it says.

Rows read one rule's effects off a real search (points, note, warning or not), at the
exact threshold and one step past it: 90 days verified, the 72 h and 120 h windows, the
distance limits, `far_km`, the minutes of `opens_soon` and `closes_soon`, the steps of
one-stop, the cost of each matched need.
"""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import shapely
from shapely.geometry import shape

from referral_api.domain.explanations import note
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
from referral_api.domain.ranking.evaluate import sort_score
from tests.unit.builders import BANGUI, GAZETTEER, HERE, index_of, provider, query, square

WEIGHTS = RankingWeights()
# The moment the builders' `verified_days_ago` counts from: the query's moment, FRIDAY_10H.
VERIFIED_BASE = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
CITY = ServiceArea(pcodes=("CF71",))


def answer(providers, weights=WEIGHTS, **fields):
    return search(index_of(*providers, weights=weights), query(**fields), weights)


def only_option(kept, weights=WEIGHTS, **fields):
    [option] = answer([kept], weights, **fields).options
    return option


def said(option, rule):
    """What `rule` did to the option: (points, note, warning) for each effect it gave."""
    effects = (*option.facts.urgency, *option.facts.effects)
    return [(e.points, e.note, e.warning) for e in effects if e.rule == rule]


def distance_of(kept):
    """The distance the search measures to a provider, to set a limit exactly at it."""
    return only_option(kept).facts.seen.distance_km


def at_bangui(hour, minute=0, day=27):
    return datetime(2026, 11, day, hour, minute, tzinfo=BANGUI)


# --- freshness: exactly `stale_after_days` is still fresh -----------------------------------

# Both sentences name the deployment's cut-off, the same for every provider of an answer.
FRESH = [(0.5, note("recently_verified", days=90), False)]
FRESHNESS = [
    ("verified today", {"verified_days_ago": 0}, FRESH),
    ("exactly 90 days", {"verified_days_ago": 90}, FRESH),
    (
        "90 days and 23 hours",
        {"last_verified_at": VERIFIED_BASE - timedelta(days=90, hours=23)},
        FRESH,
    ),
    ("91 days", {"verified_days_ago": 91}, [(-2.0, note("stale_entry", days=90), True)]),
    ("never", {"verified_days_ago": None}, [(-2.0, note("never_verified"), True)]),
    ("verified after the query's moment", {"verified_days_ago": -3}, FRESH),
]


@pytest.mark.parametrize(("case", "fields", "expected"), FRESHNESS, ids=[r[0] for r in FRESHNESS])
def test_freshness(case, fields, expected):
    assert said(only_option(provider("x", **fields)), "freshness") == expected, case


def test_the_stale_cut_off_is_the_deployments():
    strict = replace(WEIGHTS, stale_after_days=30, fresh=0.25, stale_penalty=3.0)
    fresh = only_option(provider("x", verified_days_ago=30), strict)
    stale = only_option(provider("x", verified_days_ago=31), strict)
    assert said(fresh, "freshness") == [(0.25, note("recently_verified", days=30), False)]
    assert said(stale, "freshness") == [(-3.0, note("stale_entry", days=30), True)]


# --- proximity: exactly `far_km` is near; remote lines get a share ----------------------------


def nearness(km, weights=WEIGHTS):
    return weights.distance / (1.0 + km / weights.distance_scale_km)


def test_proximity_scores_and_says_it_is_within_the_far_limit():
    clinic = provider("x", km_east=2.34)
    km = distance_of(clinic)
    [(points, said_note, warning)] = said(only_option(clinic), "proximity")
    assert points == pytest.approx(nearness(km))
    assert (said_note, warning) == (note("near", distance=WEIGHTS.far_km), False)


def test_exactly_far_km_is_near_and_beyond_it_is_far():
    clinic = provider("x", km_east=15)
    km = distance_of(clinic)
    at_limit = replace(WEIGHTS, far_km=km)
    just_inside = replace(WEIGHTS, far_km=km - 1e-9)
    assert said(only_option(clinic, at_limit), "proximity")[0][1:] == (
        note("near", distance=km),
        False,
    )
    assert said(only_option(clinic, just_inside), "proximity")[0][1:] == (
        note("far_away", distance=km - 1e-9),
        True,
    )


def test_the_distance_scale_halves_the_component():
    clinic = provider("x", km_east=5)
    km = distance_of(clinic)
    scaled = replace(WEIGHTS, distance=4.0, distance_scale_km=km)
    [(points, _, _)] = said(only_option(clinic, scaled), "proximity")
    assert points == pytest.approx(2.0)


PROXIMITY_WITHOUT_DISTANCE = [
    (
        "a phone line gets a share of the distance weight",
        provider("x", at=None, modality=Modality.REMOTE, service_area=CITY),
        [(1.5, note("remote"), False)],
    ),
    (
        "a mobile team without a location gets none",
        provider("x", at=None, modality=Modality.MOBILE, service_area=CITY),
        [],
    ),
]


@pytest.mark.parametrize(
    ("case", "kept", "expected"),
    PROXIMITY_WITHOUT_DISTANCE,
    ids=[r[0] for r in PROXIMITY_WITHOUT_DISTANCE],
)
def test_proximity_without_a_distance(case, kept, expected):
    assert said(only_option(kept), "proximity") == expected, case


def test_a_confidential_provider_is_placed_in_a_band_even_when_far():
    safe_house = provider("x", ("safety.shelter",), km_east=20, visibility=Visibility.RESTRICTED)
    option = only_option(safe_house, needs=("safety",))
    km = option.facts.seen.distance_km
    assert km > WEIGHTS.far_km
    [(points, said_note, warning)] = said(option, "proximity")
    assert points == pytest.approx(nearness(km))
    assert (said_note, warning) == (note("within_band"), False)


# --- coverage --------------------------------------------------------------------------------

COVERAGE = [
    ("a declared radius", provider("x", service_area=ServiceArea(radius_km=5)), True),
    ("a mobile team", provider("x", modality=Modality.MOBILE), True),
    ("a static place without an area", provider("x"), False),
]


@pytest.mark.parametrize(("case", "kept", "covers"), COVERAGE, ids=[r[0] for r in COVERAGE])
def test_coverage(case, kept, covers):
    expected = [(0.0, note("covers_area"), False)] if covers else []
    assert said(only_option(kept), "covers_area") == expected, case


# --- opening: exactly `opens_soon_minutes` is soon; exactly `closes_soon_minutes` warns -------

SOON = note("opens_soon", minutes=120)
CLOSED = (0.0, note("closed_now"), True)
# The moment it next opens is the provider's own: in its fields and summary, not the note.
OPENING = [
    ("open 24/7", "24/7", [(2.0, note("open_24_7"), False)], None),
    ("open now", "Mo-Fr 08:00-18:00", [(2.0, note("open_now"), False)], at_bangui(18)),
    ("hours unknown", None, [(0.0, note("hours_unknown"), True)], None),
    ("opens in exactly 120 minutes", "Mo-Fr 12:00-16:00", [(1.0, SOON, False)], at_bangui(12)),
    ("opens in 121 minutes", "Mo-Fr 12:01-16:00", [CLOSED], at_bangui(12, 1)),
    ("opens next week", "Mo-Fr 08:00-09:00", [CLOSED], at_bangui(8, day=30)),
    ("never opens again", "off", [CLOSED], None),
]


@pytest.mark.parametrize(
    ("case", "hours", "expected", "next_change"), OPENING, ids=[r[0] for r in OPENING]
)
def test_opening(case, hours, expected, next_change):
    option = only_option(provider("x", opening_hours=hours))
    assert said(option, "opening") == expected, case
    assert option.facts.seen.hours.next_change_at == next_change, case


def test_opens_soon_minutes_is_the_deployments():
    later = replace(WEIGHTS, opens_soon_minutes=121, opens_soon=0.75)
    option = only_option(provider("x", opening_hours="Mo-Fr 12:01-16:00"), later)
    assert said(option, "opening") == [(0.75, note("opens_soon", minutes=121), False)]


CLOSING_SOON = [
    ("closes in exactly 60 minutes", "Mo-Fr 08:00-11:00", at_bangui(11)),
    ("closes in 61 minutes", "Mo-Fr 08:00-11:01", None),
    ("open 24/7", "24/7", None),
    ("closed, opening within the hour", "Mo-Fr 10:30-12:00", None),
    ("hours unknown", None, None),
    ("open until the end of the day", "Mo-Fr 08:00-24:00", None),
]


@pytest.mark.parametrize(("case", "hours", "at"), CLOSING_SOON, ids=[r[0] for r in CLOSING_SOON])
def test_closing_soon(case, hours, at):
    option = only_option(provider("x", opening_hours=hours))
    expected = [] if at is None else [(0.0, note("closes_soon", minutes=60), True)]
    assert said(option, "closing_soon") == expected, case
    if at is not None:
        assert option.facts.seen.hours.next_change_at == at, case


def test_closes_soon_minutes_is_the_deployments():
    longer = replace(WEIGHTS, closes_soon_minutes=61)
    option = only_option(provider("x", opening_hours="Mo-Fr 08:00-11:01"), longer)
    assert said(option, "closing_soon") == [(0.0, note("closes_soon", minutes=61), True)]


# --- language, accessibility, child-friendly --------------------------------------------------

# The note names the survivor's languages, any one of which the place speaks.
LANGUAGE = [
    ("no language given", (), ("sg",), False),
    ("both spoken", ("sg", "fr"), ("fr", "sg"), True),
    ("one of two spoken", ("en", "sg"), ("sg",), True),
    ("none spoken", ("en",), ("fr",), False),
]


@pytest.mark.parametrize(
    ("case", "wanted", "spoken", "fires"), LANGUAGE, ids=[r[0] for r in LANGUAGE]
)
def test_language(case, wanted, spoken, fires):
    option = only_option(provider("x", languages=spoken), profile=Profile(languages=wanted))
    expected = [(1.5, note("speaks_language", languages=wanted), False)] if fires else []
    assert said(option, "language") == expected, case


ACCESSIBILITY = [
    ("every feature asked", ("wheelchair",), ("braille", "wheelchair"), True),
    ("one feature missing", ("wheelchair", "braille"), ("wheelchair",), False),
    ("nothing asked", (), ("wheelchair",), False),
]


@pytest.mark.parametrize(
    ("case", "asked", "offered", "fires"), ACCESSIBILITY, ids=[r[0] for r in ACCESSIBILITY]
)
def test_accessibility(case, asked, offered, fires):
    option = only_option(provider("x", accessibility=offered), profile=Profile(accessibility=asked))
    expected = [(1.0, note("accessible", features=asked), False)] if fires else []
    assert said(option, "accessibility") == expected, case


FRIENDLY = Eligibility(child_friendly=True)
CHILD_FRIENDLY = [
    ("a child of 17", (Service("medical.general", FRIENDLY),), 17, True),
    ("an adult of 18", (Service("medical.general", FRIENDLY),), 18, False),
    ("age unknown", (Service("medical.general", FRIENDLY),), None, False),
    ("not child-friendly", (Service("medical.general"),), 12, False),
    (
        "child-friendly for another need only",
        (Service("medical.general"), Service("psychosocial.pss", FRIENDLY)),
        12,
        False,
    ),
]


@pytest.mark.parametrize(
    ("case", "services", "age", "fires"), CHILD_FRIENDLY, ids=[r[0] for r in CHILD_FRIENDLY]
)
def test_child_friendly(case, services, age, fires):
    option = only_option(provider("x", services=services), profile=Profile(age=age))
    expected = [(1.0, note("child_friendly"), False)] if fires else []
    assert said(option, "child_friendly") == expected, case


# --- cost: each matched need, on its own ---------------------------------------------------

FREE = [(1.0, note("free_of_charge"), False)]


# The warning leaves which services are paid to their own `cost`.
FEE = [(0.0, note("fee"), True)]


COST = [
    ("all free", (Service("medical.general"),), ("medical",), FREE),
    (
        "the one matched service has a fee",
        (Service("medical.general", cost=Cost.FEE),),
        ("medical",),
        FEE,
    ),
    (
        "a free service answers the need beside a paying one",
        (Service("medical.general", cost=Cost.FEE), Service("medical.pep")),
        ("medical",),
        FREE,
    ),
    (
        "the fee is for a service not asked for",
        (Service("medical.general"), Service("legal.aid", cost=Cost.FEE)),
        ("medical",),
        FREE,
    ),
    (
        "one of two needs has only paying services",
        (Service("medical.general"), Service("psychosocial.pss", cost=Cost.FEE)),
        ("medical", "psychosocial"),
        FEE,
    ),
    (
        "every paying service of a need is named, in order",
        (Service("medical.pep", cost=Cost.FEE), Service("medical.general", cost=Cost.FEE)),
        ("medical",),
        FEE,
    ),
    (
        "a service answering two asked needs is named once",
        (Service("medical.general", cost=Cost.FEE),),
        ("medical", "medical.general"),
        FEE,
    ),
]


@pytest.mark.parametrize(("case", "services", "needs", "expected"), COST, ids=[r[0] for r in COST])
def test_cost(case, services, needs, expected):
    assert said(only_option(provider("x", services=services), needs=needs), "cost") == expected


def test_the_free_weight_is_the_deployments():
    generous = replace(WEIGHTS, free_of_charge=2.5)
    mixed = (Service("medical.general"), Service("legal.aid", cost=Cost.FEE))
    for services in [(Service("medical.general"),), mixed]:
        option = only_option(provider("x", services=services), generous)
        assert said(option, "cost") == [(2.5, note("free_of_charge"), False)]


# --- one-stop: each further matched need is one step of `one_stop` ----------------------------

THREE_NEEDS = ("medical", "psychosocial", "legal")
ONE_STOP = [
    ("one need asked", ("medical.general", "psychosocial.pss"), ("medical",), None),
    ("one of three matched", ("medical.general",), THREE_NEEDS, None),
    ("two of three matched", ("medical.general", "psychosocial.pss"), THREE_NEEDS, 1.0),
    ("three of three", ("medical.general", "psychosocial.pss", "legal.aid"), THREE_NEEDS, 2.0),
    ("two of two", ("medical.general", "psychosocial.pss"), ("medical", "psychosocial"), 2.0),
]


@pytest.mark.parametrize(
    ("case", "offered", "needs", "points"), ONE_STOP, ids=[r[0] for r in ONE_STOP]
)
def test_one_stop(case, offered, needs, points):
    option = only_option(provider("x", offered), needs=needs)
    expected = [] if points is None else [(points, note("one_stop"), False)]
    assert said(option, "one_stop") == expected, case


def test_one_stop_steps_follow_the_weight():
    option = only_option(
        provider("x", ("medical.general", "psychosocial.pss")),
        replace(WEIGHTS, one_stop=3.0),
        needs=THREE_NEEDS,
    )
    assert said(option, "one_stop") == [(1.5, note("one_stop"), False)]


# --- safe entry, access, police -------------------------------------------------------------

SAFE_ENTRY = [
    ("case management", provider("x", ("case_management",)), ("case_management",), True),
    (
        "a remote psychosocial line",
        provider("x", ("psychosocial.pss",), at=None, modality=Modality.REMOTE, service_area=CITY),
        ("psychosocial",),
        True,
    ),
    ("a clinic", provider("x"), ("medical",), False),
]


@pytest.mark.parametrize(
    ("case", "kept", "needs", "fires"), SAFE_ENTRY, ids=[r[0] for r in SAFE_ENTRY]
)
def test_safe_entry(case, kept, needs, fires):
    # What the provider is, not a reason: the answer's card says it (`safe_entry_point`).
    assert only_option(kept, needs=needs).is_safe_entry is fires, case


ACCESS = [
    ("walk in", (Service("medical.general"),), []),
    ("call first", (Service("medical.general", access=Access.CALL_FIRST),), ["call_first"]),
    (
        "every way in that a matched service asks, in a fixed order",
        (
            Service("medical.pep", access=Access.CASE_MANAGEMENT_ONLY),
            Service("medical.general", access=Access.REFERRAL_FORM),
            Service("medical.cmr", access=Access.CALL_FIRST),
        ),
        ["call_first", "referral_form", "case_management_only"],
    ),
    (
        "a service not asked for asks a form",
        (Service("medical.general"), Service("legal.aid", access=Access.REFERRAL_FORM)),
        [],
    ),
]


@pytest.mark.parametrize(("case", "services", "codes"), ACCESS, ids=[r[0] for r in ACCESS])
def test_access(case, services, codes):
    option = only_option(provider("x", services=services))
    assert said(option, "access") == [(0.0, note(code), True) for code in codes], case


POLICE = [
    ("police, safety asked", ("legal.police",), ("safety", "legal.police"), False),
    ("police, only safety asked", ("legal.police", "safety.security"), ("safety",), True),
    ("a court, legal asked", ("legal.justice",), ("legal",), False),
    (
        "police, legal aid asked beside",
        ("legal.police", "safety.security"),
        ("safety", "legal.aid"),
        False,
    ),
    ("a shelter", ("safety.shelter",), ("safety",), False),
]


@pytest.mark.parametrize(("case", "offered", "needs", "warns"), POLICE, ids=[r[0] for r in POLICE])
def test_police_not_first(case, offered, needs, warns):
    expected = [(0.0, note("police_if_wished"), True)] if warns else []
    option = only_option(provider("x", offered), needs=needs)
    assert said(option, "police_not_first") == expected, case


# --- urgency: PEP within 72 h (or unknown), emergency contraception from 72 to 120 h ---------

PEP, NO_PEP = note("pep_within_72h"), note("no_pep_here")
EC, NO_EC = note("ec_within_120h"), note("no_ec_here")
ROUND_THE_CLOCK = (1.5, note("urgent_round_the_clock"), False)
DAYTIME = "Mo-Fr 08:00-18:00"
URGENCY = [
    (
        "PEP at any hour, within 72 h",
        provider("x", ("medical.pep",)),
        TimeSinceIncident.LT72H,
        [(0.0, PEP, False), ROUND_THE_CLOCK],
        0,
    ),
    (
        "PEP and EC by day, time unknown",
        provider("x", ("medical.pep",), capabilities=("ec",), opening_hours=DAYTIME),
        TimeSinceIncident.UNKNOWN,
        [(0.0, PEP, False), (0.0, EC, False)],
        0,
    ),
    (
        "no PEP, within 72 h",
        provider("x", ("medical.general",), opening_hours=DAYTIME),
        TimeSinceIncident.LT72H,
        [(0.0, NO_PEP, True)],
        1,
    ),
    (
        "EC at any hour, 72 to 120 h",
        provider("x", ("medical.ec",)),
        TimeSinceIncident.FROM72TO120H,
        [(0.0, EC, False), ROUND_THE_CLOCK],
        0,
    ),
    (
        "PEP but no EC, 72 to 120 h",
        provider("x", ("medical.pep",), opening_hours=DAYTIME),
        TimeSinceIncident.FROM72TO120H,
        [(0.0, NO_EC, True)],
        1,
    ),
    ("past 120 h", provider("x", ("medical.general",)), TimeSinceIncident.GT120H, [], 0),
]


@pytest.mark.parametrize(
    ("case", "kept", "window", "expected", "tier"), URGENCY, ids=[r[0] for r in URGENCY]
)
def test_urgency(case, kept, window, expected, tier):
    option = only_option(kept, time_since_incident=window)
    assert said(option, "urgency") == expected, case
    assert option.tier == tier
    assert option.score == pytest.approx(
        sum(e.points for e in option.facts.effects) + sum(p for p, _, _ in expected)
    )


def test_urgency_orders_only_medical_care():
    listening = provider("x", ("psychosocial.pss",), opening_hours=DAYTIME)
    option = only_option(
        listening, needs=("psychosocial",), time_since_incident=TimeSinceIncident.LT72H
    )
    assert said(option, "urgency") == []
    assert (option.tier, option.score) == (None, sum(e.points for e in option.facts.effects))


def test_round_the_clock_weight_is_the_deployments():
    keen = replace(WEIGHTS, urgent_round_the_clock=4.0)
    option = only_option(
        provider("x", ("medical.pep",)), keen, time_since_incident=TimeSinceIncident.LT72H
    )
    assert said(option, "urgency")[-1] == (4.0, note("urgent_round_the_clock"), False)


# --- hard filters at their limits ------------------------------------------------------------


def excluded_by(providers, weights=WEIGHTS, **fields):
    result = search(index_of(*providers, weights=weights), query(**fields), weights, explain=True)
    assert result.exclusions is not None
    return {code: n for code, n in result.exclusions.items() if n}


AGE_LIMITS = Eligibility(min_age=12, max_age=17)
ELIGIBILITY = [
    ("exactly the youngest age", AGE_LIMITS, Profile(age=12), True),
    ("exactly the oldest age", AGE_LIMITS, Profile(age=17), True),
    ("a year too young", AGE_LIMITS, Profile(age=11), False),
    ("a year too old", AGE_LIMITS, Profile(age=18), False),
    ("the sex served", Eligibility(sexes=(Sex.FEMALE,)), Profile(sex=Sex.FEMALE), True),
    ("another sex", Eligibility(sexes=(Sex.FEMALE,)), Profile(sex=Sex.MALE), False),
    ("the group served", Eligibility(population_groups=("idp",)), Profile(population="idp"), True),
    (
        "another group",
        Eligibility(population_groups=("idp",)),
        Profile(population="refugee"),
        False,
    ),
    ("group unknown", Eligibility(population_groups=("idp",)), Profile(), True),
    ("open to every group", Eligibility(sexes=(Sex.FEMALE,)), Profile(population="idp"), True),
]


@pytest.mark.parametrize(
    ("case", "rule", "profile", "kept"), ELIGIBILITY, ids=[r[0] for r in ELIGIBILITY]
)
def test_eligibility_limits_are_inclusive(case, rule, profile, kept):
    clinic = provider("x", services=(Service("medical.general", rule),))
    expected = {} if kept else {"not_eligible": 1}
    assert excluded_by([clinic], profile=profile) == expected, case


ACTIVE = [
    ("active", {}, True),
    ("closed until yesterday", {"status_until": date(2026, 11, 26)}, True),
    ("closed until today", {"status_until": date(2026, 11, 27)}, False),
    ("closed with no end", {"status_until": None}, False),
]


@pytest.mark.parametrize(("case", "fields", "kept"), ACTIVE, ids=[r[0] for r in ACTIVE])
def test_a_temporary_closure_is_over_the_day_after_it_ends(case, fields, kept):
    if fields:
        fields = {"status": Status.TEMPORARILY_CLOSED, **fields}
    expected = {} if kept else {"not_active": 1}
    assert excluded_by([provider("x", **fields)]) == expected, case


def test_exclusions_count_the_first_filter_failed():
    everything_wrong = provider(
        "x",
        km_east=80,
        status=Status.CLOSED,
        accepting_referrals=False,
        services=(Service("medical.general", Eligibility(sexes=(Sex.FEMALE,))),),
    )
    fields = {"profile": Profile(sex=Sex.MALE), "max_distance_km": 1}
    assert excluded_by([everything_wrong], **fields) == {"not_active": 1}
    reopened = replace(everything_wrong, status=Status.ACTIVE)
    assert excluded_by([reopened], **fields) == {"not_accepting_referrals": 1}
    accepting = replace(reopened, accepting_referrals=True)
    assert excluded_by([accepting], **fields) == {"not_eligible": 1}
    assert excluded_by([accepting], **{**fields, "profile": Profile()}) == {
        "outside_service_area": 1
    }


def test_exactly_the_asked_distance_is_kept():
    clinic = provider("x", km_east=4)
    km = distance_of(clinic)
    assert excluded_by([clinic], max_distance_km=km) == {}
    assert excluded_by([clinic], max_distance_km=km - 1e-9) == {"beyond_max_distance": 1}


def test_a_phone_line_has_no_distance_to_exceed():
    hotline = provider("x", at=None, modality=Modality.REMOTE, service_area=CITY)
    assert excluded_by([hotline], max_distance_km=0.5) == {}


def test_exactly_the_reach_of_a_place_without_an_area_covers():
    clinic = provider("x", km_east=30)
    km = distance_of(clinic)
    assert excluded_by([clinic], replace(WEIGHTS, max_distance_km=km)) == {}
    short = replace(WEIGHTS, max_distance_km=km - 1e-9)
    assert excluded_by([clinic], short) == {"outside_service_area": 1}


def test_exactly_a_declared_radius_covers():
    clinic = provider("x", km_east=3)
    km = distance_of(clinic)
    assert excluded_by([replace(clinic, service_area=ServiceArea(radius_km=km))]) == {}
    short = replace(clinic, service_area=ServiceArea(radius_km=km - 1e-9))
    assert excluded_by([short]) == {"outside_service_area": 1}


def test_a_public_area_is_met_at_the_asked_point_not_at_its_cells_centre():
    # Only confidential providers are ranked against the public view of the place (the
    # centre of its grid cell, once the directory holds any): a small area around the asked
    # point, away from that centre, covers it.
    around_here = ServiceArea(geometry=square(HERE[0] - 0.005, HERE[1] - 0.005, *HERE))
    public_view = GAZETTEER.public_view(GAZETTEER.at_point(*HERE))
    assert not shapely.intersects_xy(shape(around_here.geometry), public_view.lon, public_view.lat)
    clinic = provider("x", service_area=around_here)
    house = provider("house", ("safety.shelter",), km_east=30, visibility=Visibility.RESTRICTED)
    assert excluded_by([clinic, house]) == {"need_not_offered": 1}


@pytest.mark.parametrize(
    ("case", "area", "kept"),
    [
        ("meets the area, not its label point", square(18.58, 4.38, 18.61, 4.41), True),
        ("next to the area", square(18.5, 4.3, 18.59, 4.39), False),
    ],
)
def test_a_declared_shape_covers_a_named_area_it_meets(case, area, kept):
    clinic = provider("x", service_area=ServiceArea(geometry=area))
    expected = {} if kept else {"outside_service_area": 1}
    assert excluded_by([clinic], place=GAZETTEER.at_pcode("CF7114")) == expected, case


def test_a_phone_line_without_a_declared_area_covers_nowhere():
    # It has no distance to measure reach by, and said nothing of where it serves.
    line = provider("line", ("psychosocial.pss",), at=None)
    assert excluded_by([line], needs=("psychosocial",)) == {"outside_service_area": 1}


CONFIDENTIAL_AREA = [
    ("its own cell", {"km_east": 0.5}, True),
    ("a small radius far away", {"km_east": 20}, False),
]


@pytest.mark.parametrize(
    ("case", "fields", "kept"), CONFIDENTIAL_AREA, ids=[r[0] for r in CONFIDENTIAL_AREA]
)
def test_a_confidential_radius_covers_by_cells(case, fields, kept):
    safe_house = provider(
        "x",
        ("safety.shelter",),
        visibility=Visibility.RESTRICTED,
        service_area=ServiceArea(radius_km=1),
        **fields,
    )
    expected = {} if kept else {"outside_service_area": 1}
    assert excluded_by([safe_house], needs=("safety",)) == expected, case


@pytest.mark.parametrize(("pcode", "kept"), [("CF7114", True), ("CF7113", False)])
def test_a_confidential_radius_covers_a_named_area_it_meets(pcode, kept):
    # The house's cells hold no cell of the area's label point, but some of the area's own.
    safe_house = provider(
        "x",
        ("safety.shelter",),
        at=(18.68, 4.48),
        visibility=Visibility.RESTRICTED,
        service_area=ServiceArea(radius_km=1),
    )
    expected = {} if kept else {"outside_service_area": 1}
    place = GAZETTEER.at_pcode(pcode)
    assert excluded_by([safe_house], needs=("safety",), place=place) == expected


# --- safe entry points: the survivor's limits and the caller's distance first -----------------


def entry_points(providers, **fields):
    return [
        (o.facts.entry.provider.name, [n for n in o.warnings if n.code in LIST_WARNINGS])
        for o in answer(providers, needs=("legal.aid",), **fields).safe_entry_points
    ]


LIST_WARNINGS = {"not_for_sex", "not_for_age", "beyond_asked_distance", "outside_service_area"}
WOMEN = Eligibility(sexes=(Sex.FEMALE,))
GIRLS = Eligibility(sexes=(Sex.FEMALE,), max_age=17)
MAN = Profile(sex=Sex.MALE, age=40)


ANYONE = Eligibility()


def case_management(key, eligibility=ANYONE, **fields):
    return provider(key, services=(Service("case_management", eligibility),), **fields)


SAFE_ENTRY_LIMITS = [
    (
        "one open to him comes before a nearer one that is not",
        [case_management("women", WOMEN), case_management("anyone", km_east=8)],
        {"profile": MAN},
        [("anyone", [])],
    ),
    (
        "none open to him: the best is given, saying which limits it breaks",
        [case_management("girls", GIRLS)],
        {"profile": MAN},
        [("girls", [note("not_for_sex"), note("not_for_age")])],
    ),
    (
        "one service of the place open to him: no limit broken",
        [
            provider(
                "mixed",
                km_east=3,
                services=(Service("case_management", WOMEN), Service("psychosocial.pss")),
            )
        ],
        {"profile": MAN, "max_distance_km": 2},
        [("mixed", [note("beyond_asked_distance", limit=2)])],
    ),
    (
        "only the one within the asked distance",
        [case_management("near", km_east=1.5), case_management("beyond", km_east=2.5)],
        {"max_distance_km": 2},
        [("near", [])],
    ),
    (
        "none within the asked distance",
        [case_management("beyond", km_east=3)],
        {"max_distance_km": 2},
        [("beyond", [note("beyond_asked_distance", limit=2)])],
    ),
    (
        "none covers the place: the nearest anywhere, with every limit it breaks",
        [case_management("far", WOMEN, km_east=120)],
        {"profile": MAN},
        [("far", [note("outside_service_area"), note("not_for_sex")])],
    ),
]


@pytest.mark.parametrize(
    ("case", "providers", "fields", "expected"),
    SAFE_ENTRY_LIMITS,
    ids=[r[0] for r in SAFE_ENTRY_LIMITS],
)
def test_safe_entry_points_keep_to_the_limits_when_they_can(case, providers, fields, expected):
    assert entry_points(providers, **fields) == expected, case


def test_at_most_three_entry_points_in_either_list():
    strict = [case_management(f"cm{n}", km_east=n) for n in range(5)]
    relaxed = [case_management(f"cm{n}", WOMEN, km_east=n) for n in range(5)]
    assert [name for name, _ in entry_points(strict)] == ["cm0", "cm1", "cm2"]
    assert [name for name, _ in entry_points(relaxed, profile=MAN)] == ["cm0", "cm1", "cm2"]


def test_the_nearest_entry_point_anywhere_is_ranked_for_its_case_management():
    far = provider(
        "far",
        km_east=120,
        services=(Service("case_management"), Service("medical.general", cost=Cost.FEE)),
        opening_hours=DAYTIME,
    )
    [option] = answer(
        [far], needs=("legal.aid",), time_since_incident=TimeSinceIncident.LT72H
    ).safe_entry_points
    km = option.facts.seen.distance_km
    assert option.rank == 1
    # Not a medical option, and in no list urgency orders: no tier, no urgency words; its
    # sort keys agree with its score, as those of the options `evaluate` makes.
    facts = option.facts
    assert (option.tier, facts.urgency, facts.tier, facts.urgent_score) == (
        None,
        (),
        0,
        facts.score,
    )
    key = sort_score(facts.score), facts.entry.id_text
    assert (facts.order, facts.plain_order) == ((0, *key), key)
    assert [s.need for s in option.facts.seen.services] == ["case_management"]
    assert km > WEIGHTS.far_km
    assert option.warnings == (
        note("far_away", distance=WEIGHTS.far_km),
        note("outside_service_area"),
    )
    assert option.score == pytest.approx(sum(e.points for e in option.facts.effects))


def test_a_phone_line_anywhere_is_offered_for_what_makes_it_an_entry_point():
    line = provider(
        "line",
        ("psychosocial.pss", "legal.aid"),
        at=None,
        modality=Modality.REMOTE,
        service_area=ServiceArea(pcodes=("CF11",)),
    )
    [option] = answer([line], needs=("medical",)).safe_entry_points
    assert option.facts.seen.matched_needs == ("psychosocial",)
    assert [s.need for s in option.facts.seen.services] == ["psychosocial.pss"]
    assert option.warnings == (note("outside_service_area"),)


@pytest.mark.parametrize("km_east", [0, 120], ids=["covering the place", "only one, far away"])
def test_a_confidential_entry_point_is_placed_in_a_band(km_east):
    safe_house = case_management(
        "safe-house",
        km_east=km_east,
        visibility=Visibility.RESTRICTED,
        service_area=ServiceArea(radius_km=3),
    )
    [option] = answer([safe_house], needs=("medical",)).safe_entry_points
    assert [n.code for n in option.reasons][:1] == ["within_band"]


def test_entry_points_that_cannot_take_a_referral_are_left_out():
    closed = case_management("closed", status=Status.CLOSED)
    reopened = case_management(
        "reopened", km_east=120, status=Status.TEMPORARILY_CLOSED, status_until=date(2026, 11, 1)
    )
    assert [name for name, _ in entry_points([closed, case_management("open", km_east=2)])] == [
        "open"
    ]
    assert [name for name, _ in entry_points([closed, reopened])] == ["reopened"]


def test_an_entry_point_exactly_at_the_asked_distance_is_not_beyond_it():
    women_only = case_management("women", WOMEN, km_east=3)
    km = answer([women_only]).safe_entry_points[0].facts.seen.distance_km
    expected = [("women", [note("not_for_sex")])]
    assert entry_points([women_only], profile=MAN, max_distance_km=km) == expected


def test_brute_force_finds_what_search_finds_beside_a_safe_house():
    providers = [
        provider("clinic", km_east=2),
        provider(
            "safe-house",
            ("medical.general",),
            visibility=Visibility.RESTRICTED,
            service_area=ServiceArea(radius_km=3),
        ),
    ]
    index, asked = index_of(*providers), query()
    expected = [f.entry.id_text for f in brute_force(index, asked, WEIGHTS)]
    assert [o.facts.entry.id_text for o in search(index, asked, WEIGHTS).options] == expected
    assert len(expected) == 2


def test_entry_points_are_numbered_from_one():
    strict = [case_management(f"cm{n}", km_east=n) for n in range(3)]
    relaxed = [case_management(f"cm{n}", WOMEN, km_east=n) for n in range(3)]
    for providers, profile in [(strict, Profile()), (relaxed, MAN)]:
        ranks = [o.rank for o in answer(providers, profile=profile).safe_entry_points]
        assert ranks == [1, 2, 3]


# --- the lists of the answer -----------------------------------------------------------------


def test_every_provider_a_filter_excludes_is_counted_and_the_rest_still_seen():
    closed = [provider(f"closed{n}", status=Status.CLOSED) for n in range(2)]
    full = [provider(f"full{n}", accepting_referrals=False) for n in range(2)]
    women = [provider(f"women{n}", services=(Service("medical.general", WOMEN),)) for n in range(2)]
    far = [provider(f"far{n}", km_east=10 + n) for n in range(2)]
    shut = [provider(f"shut{n}", opening_hours="Mo-Fr 14:00-16:00") for n in range(2)]
    kept = provider("kept")
    result = search(
        index_of(*closed, *full, *women, *far, *shut, kept),
        query(profile=Profile(sex=Sex.MALE), max_distance_km=5, open_now=True),
        WEIGHTS,
        explain=True,
    )
    assert [o.facts.entry.provider.name for o in result.options] == ["kept"]
    assert result.exclusions == {
        "need_not_offered": 0,
        "not_active": 2,
        "not_accepting_referrals": 2,
        "not_eligible": 2,
        "outside_service_area": 0,
        "beyond_max_distance": 2,
        "closed_now": 2,
    }
    assert result.considered == 11


def test_an_answer_without_explain_has_no_counts_and_one_need_no_pathway():
    result = answer([provider("x")])
    assert (result.exclusions, result.pathway, result.one_stop) == (None, (), ())


def test_police_give_way_to_the_first_other_option_only():
    police = [
        provider(f"police{n}", ("legal.police", "safety.security"), km_east=0.1 * n)
        for n in range(1, 3)
    ]
    shelters = [provider(f"shelter{n}", ("safety.shelter",), km_east=2 * n) for n in range(1, 3)]
    result = answer([*police, *shelters], needs=("safety",))
    names = [o.facts.entry.provider.name for o in result.options]
    assert names == ["shelter1", "police1", "police2", "shelter2"]


def test_small_differences_of_score_order_the_list():
    near_to_far = [provider(f"p{n}", ("psychosocial.pss",), km_east=1 + n / 10) for n in range(6)]
    result = answer(near_to_far[::-1], needs=("psychosocial",))
    assert [o.facts.entry.provider.name for o in result.options] == [f"p{n}" for n in range(6)]


def test_round_the_clock_care_outranks_a_nearer_day_clinic_within_72h():
    hospital = provider("hospital", ("medical.pep",), km_east=6)
    clinic = provider("clinic", ("medical.pep",), km_east=1, opening_hours=DAYTIME)
    result = answer([clinic, hospital], time_since_incident=TimeSinceIncident.LT72H)
    assert result.options[1].facts.score > result.options[0].facts.score
    assert [o.facts.entry.provider.name for o in result.options] == ["hospital", "clinic"]


def test_the_pep_tier_orders_only_the_medical_list():
    clinic = provider("clinic", ("medical.general", "psychosocial.pss"), opening_hours=DAYTIME)
    listening = provider("listening", ("psychosocial.pss",), km_east=3)
    result = answer(
        [clinic, listening],
        needs=("medical", "psychosocial"),
        time_since_incident=TimeSinceIncident.LT72H,
    )

    def listed(options):
        return [(o.facts.entry.provider.name, o.tier) for o in options]

    assert listed(result.options) == [("listening", 0), ("clinic", 1)]
    pathway = {step.need: listed(step.options) for step in result.pathway}
    assert pathway == {
        "medical": [("clinic", 1)],
        "psychosocial": [("clinic", None), ("listening", None)],
    }
    medical = result.pathway[0].options[0]
    assert medical.score == medical.facts.urgent_score


def test_limit_caps_the_pathway_and_one_stop():
    both = [provider(f"p{n}", ("medical.general", "psychosocial.pss"), km_east=n) for n in range(4)]
    result = answer(both, needs=("medical", "psychosocial"), limit=2)
    assert [len(step.options) for step in result.pathway] == [2, 2]
    assert len(result.one_stop) == 2


# --- what searches on one snapshot remember ---------------------------------------------------


def test_a_snapshot_searched_with_other_weights_ranks_by_them():
    index = index_of(provider("x", km_east=1))
    first = search(index, query(), WEIGHTS).options[0]
    heavier = replace(WEIGHTS, open_now=5.0)
    again = search(index, query(), heavier).options[0]
    assert again.score == pytest.approx(first.score + 3.0)


def test_what_a_restricted_provider_offers_is_matched_for_each_survivor():
    index = index_of(provider("x", services=(Service("medical.general", WOMEN),)))
    assert len(search(index, query(profile=Profile(sex=Sex.FEMALE)), WEIGHTS).options) == 1
    assert search(index, query(profile=Profile(sex=Sex.MALE)), WEIGHTS).options == ()


def test_an_opening_state_is_not_kept_past_its_change():
    index = index_of(provider("x", opening_hours="Mo-Fr 08:00-11:00"))
    before = search(index, query(at=at_bangui(10)), WEIGHTS).options[0]
    at_change = search(index, query(at=at_bangui(11)), WEIGHTS).options[0]
    assert said(before, "opening") == [(2.0, note("open_now"), False)]
    assert said(at_change, "opening")[0][1].code == "closed_now"
