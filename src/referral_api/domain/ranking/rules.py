"""The ranking rules, each in one place with the words it owes.

A hard filter says whether a provider may be offered at all, and if not, under which code
it is counted. A scoring rule returns its effects: each effect carries its share of the
score *and* the reason or warning a caseworker reads, so a rule cannot move an option
without saying why. Urgency rules set the tier (PEP within 72 h, emergency contraception
within 120 h) and apply only where medical care is being ordered.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import shapely

from referral_api.domain import taxonomy
from referral_api.domain.directory import Entry
from referral_api.domain.explanations import Note, note
from referral_api.domain.gazetteer import Place
from referral_api.domain.hours import OpenState
from referral_api.domain.model import Access, Cost, Modality, Service, Status
from referral_api.domain.projection import cell_of
from referral_api.domain.ranking.query import (
    Profile,
    RankingWeights,
    SearchQuery,
    TimeSinceIncident,
)

# The medical sector and its codes: the 72 h and 120 h windows are about medical care.
MEDICAL_CODES = taxonomy.expand("medical")


class Effect(NamedTuple):
    """What one rule did to one option."""

    rule: str  # the rule that fired
    points: float  # its share of the score; negative demotes
    note: Note  # what it owes the caseworker
    warning: bool
    demotes: bool = False  # puts the option in the urgency tier below


class Seen(NamedTuple):
    """What the hard filters learnt of a provider for one query: the ground of its effects."""

    entry: Entry
    services: tuple[Service, ...]  # the services that answer the request
    matched_needs: tuple[str, ...]
    distance_km: float | None
    hours: OpenState


Effects = tuple[Effect, ...]
NONE: Effects = ()


class Tables:
    """Effects that rules give again and again, made once per weights for a snapshot."""

    def __init__(self, weights: RankingWeights) -> None:
        w = self.weights = weights
        self.open = (Effect("opening", w.open_now, note("open_now"), False),)
        self.always = (Effect("opening", w.open_now, note("open_24_7"), False),)
        soon = note("opens_soon", minutes=w.opens_soon_minutes)
        self.opens_soon = (Effect("opening", w.opens_soon, soon, False),)
        self.closed = (Effect("opening", 0.0, note("closed_now"), True),)
        closes = note("closes_soon", minutes=w.closes_soon_minutes)
        self.closes_soon = (Effect("closing_soon", 0.0, closes, True),)
        self.remote = (Effect("proximity", w.distance * w.remote_proximity, note("remote"), False),)
        self.near = note("near", distance=w.far_km)
        self.far_away = note("far_away", distance=w.far_km)
        self.free = (Effect("cost", w.free_of_charge, note("free_of_charge"), False),)
        self.fee = (Effect("cost", 0.0, note("fee"), True),)
        self.child = (Effect("child_friendly", w.child_friendly, note("child_friendly"), False),)
        self.never = (Effect("freshness", -w.stale_penalty, note("never_verified"), True),)
        days = w.stale_after_days
        self.stale = (Effect("freshness", -w.stale_penalty, note("stale_entry", days=days), True),)
        self.fresh = (Effect("freshness", w.fresh, note("recently_verified", days=days), False),)


class Case:
    """One query and the weights, with what every rule reads worked out once."""

    def __init__(self, query: SearchQuery, tables: Tables) -> None:
        self.query = query
        self.tables = tables
        self.weights = weights = tables.weights
        self.at_ts = query.at.timestamp()
        # Stale once more than `stale_after_days` whole days have passed.
        self.stale_before = self.at_ts - (weights.stale_after_days + 1) * 86400
        self.expansions = {need: taxonomy.expand(need) for need in query.needs}
        self.languages = query.profile.languages
        self.accessibility = frozenset(query.profile.accessibility)
        self.child = query.profile.age is not None and query.profile.age < 18
        steps = len(query.needs) - 1
        step = weights.one_stop / steps if steps else 0.0
        self.legal_asked = any(taxonomy.matches("legal", need) for need in query.needs)
        self.window = query.time_since_incident
        self.one_stop = {
            count: (Effect("one_stop", step * (count - 1), note("one_stop"), False),)
            for count in range(2, len(query.needs) + 1)
        }
        self.accessible = (
            Effect(
                "accessibility",
                weights.accessibility,
                note("accessible", features=tuple(query.profile.accessibility)),
                False,
            ),
        )
        self.speaks = (
            Effect(
                "language",
                weights.language,
                note("speaks_language", languages=self.languages),
                False,
            ),
        )

    def minutes_until(self, hours: OpenState) -> float | None:
        """Minutes from the query's moment to the next opening or closing."""
        change = hours.next_change_ts
        return None if change is None else (change - self.at_ts) / 60


_COVERS = (Effect("covers_area", 0.0, note("covers_area"), False),)
_HOURS_UNKNOWN = (Effect("opening", 0.0, note("hours_unknown"), True),)
_POLICE = (Effect("police_not_first", 0.0, note("police_if_wished"), True),)
_ACCESS_WARNINGS = (
    (Access.CALL_FIRST, Effect("access", 0.0, note("call_first"), True)),
    (Access.REFERRAL_FORM, Effect("access", 0.0, note("referral_form"), True)),
    (Access.CASE_MANAGEMENT_ONLY, Effect("access", 0.0, note("case_management_only"), True)),
)


_WITHIN_BAND = note("within_band")


# --- hard filters: each returns whether the provider passes ----------------------------------


def eligible(service: Service, profile: Profile) -> bool:
    """Whether the survivor may use the service: sex, age and population group."""
    return not ineligible_by(service, profile) and not (
        profile.population is not None
        and service.eligibility.population_groups
        and profile.population not in service.eligibility.population_groups
    )


def ineligible_by(service: Service, profile: Profile) -> tuple[str, ...]:
    """The hard limits of sex and age the survivor falls outside of, if any."""
    rule, broken = service.eligibility, []
    if profile.sex is not None and rule.sexes and profile.sex not in rule.sexes:
        broken.append("sex")
    age = profile.age
    if age is not None and (
        (rule.min_age is not None and age < rule.min_age)
        or (rule.max_age is not None and age > rule.max_age)
    ):
        broken.append("age")
    return tuple(broken)


def active(entry: Entry, at: datetime) -> bool:
    """Active, or closed for a while that is over by the query's day."""
    if entry.is_active:
        return True
    provider = entry.provider
    until = provider.status_until
    return provider.status is Status.TEMPORARILY_CLOSED and until is not None and until < at.date()


def covers(entry: Entry, place: Place, distance: float | None, reach_km: float) -> bool:
    """Whether the entry serves `place` (for a confidential entry: the place's public view)."""
    if not entry.has_declared_area:
        return distance is not None and distance <= reach_km
    area = entry.provider.service_area
    cells = entry.public_area
    if cells is not None:
        if cell_of(place.lon, place.lat) in cells:
            return True
        return place.footprint is not None and cells.meets(place.footprint)
    if entry.area_shape is not None:
        # A point is covered by a shape exactly when it intersects it (boundary included).
        if shapely.intersects_xy(entry.area_shape, place.lon, place.lat):
            return True
        return place.area is not None and entry.area_shape.intersects(place.area)
    if area.radius_km is not None:
        return distance is not None and distance <= area.radius_km
    if entry.area_pcodes.intersection(place.pcodes):
        return True
    return place.area is not None and bool(place.pcodes) and place.pcodes[0] in entry.area_ancestors


def within_asked_distance(distance: float | None, most_km: float | None) -> bool:
    """Not beyond the distance the caller asked for (remote services have none)."""
    return most_km is None or distance is None or distance <= most_km


# --- scoring rules: each returns its effects --------------------------------------------------


def proximity(case: Case, seen: Seen) -> Effects:
    """Nearer is better; a confidential provider is placed in a band, never at a distance."""
    distance, w = seen.distance_km, case.weights
    if distance is None:
        return case.tables.remote if seen.entry.provider.modality is Modality.REMOTE else NONE
    points = w.distance / (1.0 + distance / w.distance_scale_km)
    if seen.entry.confidential:
        said, warning = _WITHIN_BAND, False
    elif distance > w.far_km:
        said, warning = case.tables.far_away, True
    else:
        said, warning = case.tables.near, False
    # Made for most nearby providers of every search: tuple.__new__ skips a Python frame.
    return (tuple.__new__(Effect, ("proximity", points, said, warning, False)),)


def coverage(case: Case, seen: Seen) -> Effects:  # noqa: ARG001 - every rule reads the case
    """Says that a mobile team or a declared area reaches the place."""
    entry = seen.entry
    if entry.has_declared_area or entry.provider.modality is Modality.MOBILE:
        return _COVERS
    return NONE


def opening(case: Case, seen: Seen) -> Effects:
    """Open now is best, opening soon next; closed or unknown hours are said."""
    hours = seen.hours
    if seen.entry.always_open:
        return case.tables.always
    if hours.is_open:
        return case.tables.open
    if hours.is_open is None:
        return _HOURS_UNKNOWN
    minutes = case.minutes_until(hours)
    if minutes is not None and minutes <= case.weights.opens_soon_minutes:
        return case.tables.opens_soon
    return case.tables.closed


def closing_soon(case: Case, seen: Seen) -> Effects:
    """Warns that an open place closes within the hour."""
    hours = seen.hours
    if not hours.is_open or seen.entry.always_open:
        return NONE
    minutes = case.minutes_until(hours)
    if minutes is None or minutes > case.weights.closes_soon_minutes:
        return NONE
    return case.tables.closes_soon


def language(case: Case, seen: Seen) -> Effects:
    """A place that speaks one of the survivor's languages."""
    if case.languages and not seen.entry.languages.isdisjoint(case.languages):
        return case.speaks
    return NONE


def accessibility(case: Case, seen: Seen) -> Effects:
    """A place with every access feature the survivor needs."""
    if case.accessibility and case.accessibility.issubset(seen.entry.accessibility):
        return case.accessible
    return NONE


def cost(case: Case, seen: Seen) -> Effects:
    """Free when each matched need has a free service here; else it warns (its services'
    costs say which are paid)."""
    if seen.entry.all_free:
        return case.tables.free
    for need in seen.matched_needs:
        answering = [s for s in seen.services if s.need in case.expansions[need]]
        if not any(service.cost is Cost.FREE for service in answering):
            return case.tables.fee
    return case.tables.free


def child_friendly(case: Case, seen: Seen) -> Effects:
    """A child-friendly service for a survivor under 18."""
    if case.child and any(service.eligibility.child_friendly for service in seen.services):
        return case.tables.child
    return NONE


def freshness(case: Case, seen: Seen) -> Effects:
    """Recently verified entries are trusted; stale or never verified ones are demoted."""
    verified_ts = seen.entry.verified_ts
    if verified_ts is None:
        return case.tables.never
    return case.tables.stale if verified_ts <= case.stale_before else case.tables.fresh


def one_stop(case: Case, seen: Seen) -> Effects:
    """A place answering several of the requested needs at once."""
    return case.one_stop.get(len(seen.matched_needs), NONE)


def access(case: Case, seen: Seen) -> Effects:  # noqa: ARG001 - every rule reads the case
    """How to get in when it is not by walking in."""
    if seen.entry.walk_in_only:
        return NONE
    accesses = {service.access for service in seen.services}
    return tuple(effect for kind, effect in _ACCESS_WARNINGS if kind in accesses)


def police_not_first(case: Case, seen: Seen) -> Effects:
    """Police and courts help when the survivor chooses to report; `rank` never puts them
    first unless legal help was asked for, and they say so."""
    if seen.entry.is_law_enforcement and not case.legal_asked:
        return _POLICE
    return NONE


# Spelt out rather than looped over: they run for every nearby provider of every search,
# and concatenating the small tuples the rules return costs a third of a loop.


def situational_effects(case: Case, seen: Seen) -> Effects:
    """The effects of the rules that read the place, the moment or the survivor. Rules
    about the survivor are not called when the case says nothing they could act on."""
    effects = proximity(case, seen) + opening(case, seen) + closing_soon(case, seen)
    if case.languages:
        effects += language(case, seen)
    if case.accessibility:
        effects += accessibility(case, seen)
    if case.child:
        effects += child_friendly(case, seen)
    return effects + freshness(case, seen)


def standing_effects(case: Case, seen: Seen) -> Effects:
    """The effects of the rules that read only the provider, its matched services and the
    requested needs: the same in every search for those needs, so search remembers them
    for providers open to everyone. As above, a rule the case cannot fire is not called."""
    effects = coverage(case, seen) + cost(case, seen)
    if case.one_stop:
        effects += one_stop(case, seen)
    effects += access(case, seen)
    if not case.legal_asked:
        effects += police_not_first(case, seen)
    return effects


# --- urgency: the tier of medical care within 72 h and 120 h ----------------------------------

_PEP = Effect("urgency", 0.0, note("pep_within_72h"), False)
_NO_PEP = Effect("urgency", 0.0, note("no_pep_here"), True, demotes=True)
_EC = Effect("urgency", 0.0, note("ec_within_120h"), False)
_NO_EC = Effect("urgency", 0.0, note("no_ec_here"), True, demotes=True)


def urgency(case: Case, seen: Seen) -> Effects:
    """Within 72 h (or when unknown) places that give PEP come first; from 72 to 120 h,
    those that give emergency contraception. Medical care at any hour counts extra then."""
    window, entry = case.window, seen.entry
    if window is TimeSinceIncident.GT120H:
        return NONE
    if window is TimeSinceIncident.FROM72TO120H:
        effects: list[Effect] = [_EC if entry.can_ec else _NO_EC]
    else:
        effects = [_PEP if entry.can_pep else _NO_PEP]
        if entry.can_ec:
            effects.append(_EC)
    if entry.always_open:
        w = case.weights.urgent_round_the_clock
        effects.append(Effect("urgency", w, note("urgent_round_the_clock"), False))
    return tuple(effects)


def is_medical(needs: tuple[str, ...]) -> bool:
    """Whether any of `needs` is medical care, which urgency orders."""
    return not MEDICAL_CODES.isdisjoint(needs)
