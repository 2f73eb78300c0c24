"""Rank referral options for a place, needs and a survivor's profile, and say why.

A pure function of (query, directory, weights): no I/O, no clock (the moment is in the
query), deterministic (ties break by provider id). Hard filters exclude; then options are
ordered by urgency tier, then score, then id. The weights live in `RankingWeights`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from operator import attrgetter
from typing import NamedTuple
from zoneinfo import ZoneInfo

import shapely

from referral_api.domain import taxonomy
from referral_api.domain.directory import DirectoryIndex, Entry, Nearby
from referral_api.domain.explanations import Note, note
from referral_api.domain.gazetteer import Place
from referral_api.domain.hours import UNKNOWN, OpenState, open_state
from referral_api.domain.model import Access, Cost, Modality, Service, Sex, Status
from referral_api.domain.projection import cell_of


class TimeSinceIncident(StrEnum):
    """How long ago the incident was, as a bucket: never a timestamp."""

    LT72H = "lt72h"
    FROM72TO120H = "72to120h"
    GT120H = "gt120h"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class RankingWeights:
    """Every weight and threshold of the ranking, in one place; a deployment may change them.

    Scores add up weighted components in [0, 1]; what must always win (PEP within 72 h,
    emergency contraception within 120 h) is a tier above the score, not a weight.
    """

    distance: float = 3.0
    distance_scale_km: float = 5.0  # at this distance the distance component is one half
    remote_proximity: float = 0.5  # share of the distance weight a phone line gets
    open_now: float = 2.0
    opens_soon: float = 1.0
    opens_soon_minutes: int = 120
    urgent_round_the_clock: float = 1.5  # 24/7 medical care in the 72 h / 120 h windows
    language: float = 1.5
    accessibility: float = 1.0
    free_of_charge: float = 1.0
    child_friendly: float = 1.0
    fresh: float = 0.5
    stale_penalty: float = 2.0
    stale_after_days: int = 90
    one_stop: float = 2.0
    closes_soon_minutes: int = 60
    far_km: float = 15.0
    max_distance_km: float = 50.0  # static providers without a declared area reach this far


@dataclass(frozen=True, slots=True)
class Profile:
    """What is known of the survivor; every field optional, none identifying."""

    age: int | None = None
    sex: Sex | None = None
    languages: tuple[str, ...] = ()
    accessibility: tuple[str, ...] = ()
    population: str | None = None


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A referral question, its location already resolved and held in memory only."""

    place: Place
    needs: tuple[str, ...]
    at: datetime
    profile: Profile = field(default_factory=Profile)
    time_since_incident: TimeSinceIncident = TimeSinceIncident.UNKNOWN
    open_now: bool = False
    max_distance_km: float | None = None
    limit: int = 10


# Hard filters in the order they apply; an excluded provider counts under the first it fails.
EXCLUSIONS = (
    "need_not_offered",
    "not_active",
    "not_accepting_referrals",
    "not_eligible",
    "outside_service_area",
    "beyond_max_distance",
    "closed_now",
)


class Facts(NamedTuple):
    """What was learnt about one provider for one query: the ground of score and notes."""

    entry: Entry
    services: tuple[Service, ...]
    matched_needs: tuple[str, ...]
    distance_km: float | None
    hours: OpenState
    tier: int
    score: float
    order: tuple[int, float, str]  # urgency tier, then best score, then id: see `rank`


class Option(NamedTuple):
    """A ranked referral option (a tuple: an answer holds a dozen and builds them fast)."""

    rank: int
    facts: Facts
    reasons: tuple[Note, ...]
    warnings: tuple[Note, ...]
    is_safe_entry: bool


@dataclass(frozen=True, slots=True)
class NeedOptions:
    """The best options for one requested need."""

    need: str
    options: tuple[Option, ...]


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The answer: options overall, per need (a pathway), one-stop, and safe entry points."""

    options: tuple[Option, ...]
    pathway: tuple[NeedOptions, ...]
    one_stop: tuple[Option, ...]
    safe_entry_points: tuple[Option, ...]
    considered: int
    exclusions: dict[str, int] | None = None


def _eligible(service: Service, profile: Profile) -> bool:
    rule = service.eligibility
    if profile.sex is not None and rule.sexes and profile.sex not in rule.sexes:
        return False
    if profile.age is not None:
        if rule.min_age is not None and profile.age < rule.min_age:
            return False
        if rule.max_age is not None and profile.age > rule.max_age:
            return False
    return not (
        profile.population is not None
        and rule.population_groups
        and profile.population not in rule.population_groups
    )


def _covers(entry: Entry, place: Place, distance: float | None, reach_km: float) -> bool:
    """Whether the entry serves `place` (for a confidential entry: the place's public view)."""
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
    if area.pcodes:
        if entry.area_pcodes.intersection(place.pcodes):
            return True
        return (
            place.area is not None
            and bool(place.pcodes)
            and (place.pcodes[0] in entry.area_ancestors)
        )
    return distance is not None and distance <= reach_km


def _active(entry: Entry, at: datetime) -> bool:
    if entry.is_active:
        return True
    provider = entry.provider
    until = provider.status_until
    return provider.status is Status.TEMPORARILY_CLOSED and until is not None and until < at.date()


# The medical sector and its codes: the 72 h and 120 h windows are about medical care.
MEDICAL_CODES = taxonomy.expand("medical")


class _Needs(NamedTuple):
    """What a set of requested needs means for matching, worked out once per distinct set."""

    expansions: dict[str, frozenset[str]]
    wanted: frozenset[str]
    wanted_bits: int
    single: tuple[str, ...] | None  # with one need, whatever matches matches exactly that one
    medical: frozenset[str]
    # For providers open to everyone, what matches depends on the provider and the needs
    # alone. Keyed by id(entry), each value holds the entry itself, so that an id reused by
    # a later entry is never taken for it, then the matched services and needs.
    matches: dict[int, tuple[Entry, tuple[Service, ...], tuple[str, ...]]]


# Bounds on what is remembered: at most this many matches for at most this many sets of
# needs, so that no stream of odd requests can grow memory without end.
MATCHES_KEPT_PER_NEEDS = 10_000
NEEDS_SETS_KEPT = 32


@lru_cache(maxsize=NEEDS_SETS_KEPT)
def _needs_plan(needs: tuple[str, ...]) -> _Needs:
    expansions = {need: taxonomy.expand(need) for need in needs}
    wanted = frozenset[str]().union(*expansions.values())
    return _Needs(
        expansions=expansions,
        wanted=wanted,
        wanted_bits=taxonomy.need_bits(wanted),
        single=needs if len(needs) == 1 else None,
        medical=MEDICAL_CODES.intersection(needs),
        matches={},
    )


class _Context:
    """What one query computes once: its needs, opening states and the public view of its
    place, which confidential providers are ranked against."""

    def __init__(
        self, query: SearchQuery, public_place: Place, hours_of: _Context | None = None
    ) -> None:
        self.public_place = public_place
        self.at = query.at
        self.at_ts = query.at.timestamp()
        plan = _needs_plan(query.needs)
        self.expansions, self.wanted, self.single = plan.expansions, plan.wanted, plan.single
        self.wanted_bits = plan.wanted_bits
        self.medical_needs, self.matches = plan.medical, plan.matches
        if len(self.matches) >= MATCHES_KEPT_PER_NEEDS:
            self.matches.clear()  # entries of older snapshots go too
        self.languages = frozenset(query.profile.languages)
        self.accessibility = frozenset(query.profile.accessibility)
        self.urgent = query.time_since_incident is not TimeSinceIncident.GT120H
        # Queries at the same moment share opening states: they depend on nothing else.
        self.known_hours: dict[str, OpenState] = hours_of.known_hours if hours_of else {}

    def hours(self, entry: Entry) -> OpenState:
        """The entry's opening state at the query's moment."""
        key = entry.hours_key
        if key is None:
            return UNKNOWN
        state = self.known_hours.get(key)
        if state is None:
            provider = entry.provider
            state = open_state(provider.opening_hours, provider.timezone, self.at)
            self.known_hours[key] = state
        return state


def _minutes_until(hours: OpenState, at_ts: float) -> float | None:
    change = hours.next_change_ts
    return None if change is None else (change - at_ts) / 60


def _verified_days_ago(entry: Entry, at_ts: float) -> int | None:
    if entry.verified_ts is None:
        return None
    return max(0, int((at_ts - entry.verified_ts) // 86400))


def evaluate(
    found: Iterable[tuple[Entry, float | None]],
    query: SearchQuery,
    weights: RankingWeights,
    context: _Context,
    excluded: dict[str, int],
) -> list[Facts]:
    """The facts of the providers `found` (each with its distance from the place) that pass
    every hard filter; the others are counted in `excluded` under the first filter they fail.

    It runs over every nearby provider of every search, so it is written flat: one loop,
    everything the query and the weights fix read into local names before it starts.
    """
    wanted, expansions, single = context.wanted, context.expansions, context.single
    matches = context.matches
    needs, profile, place, public = query.needs, query.profile, query.place, context.public_place
    reach, most = weights.max_distance_km, query.max_distance_km
    open_only, hours_of, at, at_ts = query.open_now, context.hours, query.at, context.at_ts
    known_hours = context.known_hours
    window, medical_needs, urgent = query.time_since_incident, context.medical_needs, context.urgent
    languages, accessibility = context.languages, context.accessibility
    child = profile.age is not None and profile.age < 18
    # Stale once more than `stale_after_days` whole days have passed, as _verified_days_ago counts.
    stale_before = at_ts - (weights.stale_after_days + 1) * 86400
    one_stop_step = weights.one_stop / (len(needs) - 1) if len(needs) > 1 else 0.0
    w_distance, w_scale = weights.distance, weights.distance_scale_km
    w_remote = weights.distance * weights.remote_proximity
    w_open, w_soon, soon_minutes = weights.open_now, weights.opens_soon, weights.opens_soon_minutes
    facts: list[Facts] = []
    for entry, distance in found:
        provider = entry.provider
        offered_codes = entry.needs
        if offered_codes.isdisjoint(wanted):
            excluded["need_not_offered"] += 1
            continue
        if not entry.is_active and not _active(entry, at):
            excluded["not_active"] += 1
            continue
        if not provider.accepting_referrals:
            excluded["not_accepting_referrals"] += 1
            continue
        known = matches.get(id(entry)) if entry.unrestricted else None
        if known is not None and known[0] is entry:
            services, matched = known[1], known[2]
        else:
            kept = [
                service
                for service in provider.services
                if service.need in wanted and (entry.unrestricted or _eligible(service, profile))
            ]
            if not kept:
                excluded["not_eligible"] += 1
                continue
            services = tuple(kept)
            offered = {service.need for service in services}
            matched = single or tuple(n for n in needs if not offered.isdisjoint(expansions[n]))
            if entry.unrestricted and len(matches) < MATCHES_KEPT_PER_NEEDS:
                matches[id(entry)] = (entry, services, matched)

        if entry.has_declared_area:
            if not _covers(entry, public if entry.confidential else place, distance, reach):
                excluded["outside_service_area"] += 1
                continue
        elif distance is None or distance > reach:
            excluded["outside_service_area"] += 1
            continue
        if most is not None and distance is not None and distance > most:
            excluded["beyond_max_distance"] += 1
            continue
        key = entry.hours_key
        hours = UNKNOWN if key is None else (known_hours.get(key) or hours_of(entry))
        is_open = hours.is_open
        if open_only and is_open is False:
            excluded["closed_now"] += 1
            continue

        medical = not medical_needs.isdisjoint(matched)
        tier = 0
        if medical:
            if window is TimeSinceIncident.FROM72TO120H:
                tier = 0 if entry.can_ec else 1
            elif window is not TimeSinceIncident.GT120H:
                tier = 0 if entry.can_pep else 1

        score = 0.0
        if distance is not None:
            score += w_distance / (1.0 + distance / w_scale)
        elif provider.modality is Modality.REMOTE:
            score += w_remote
        if is_open:
            score += w_open
        elif is_open is False:
            minutes = _minutes_until(hours, at_ts)
            if minutes is not None and minutes <= soon_minutes:
                score += w_soon
        if medical and urgent and entry.always_open:
            score += weights.urgent_round_the_clock
        if languages and not languages.isdisjoint(entry.languages):
            score += weights.language
        if accessibility and accessibility.issubset(entry.accessibility):
            score += weights.accessibility
        if entry.all_free or all(service.cost is Cost.FREE for service in services):
            score += weights.free_of_charge
        if child and any(service.eligibility.child_friendly for service in services):
            score += weights.child_friendly
        verified_ts = entry.verified_ts
        if verified_ts is None or verified_ts <= stale_before:
            score -= weights.stale_penalty
        else:
            score += weights.fresh
        if one_stop_step:
            score += one_stop_step * (len(matched) - 1)
        order = (tier, -round(score, 9), entry.id_text)
        facts.append(Facts(entry, services, matched, distance, hours, tier, score, order))
    return facts


def _no_exclusions() -> dict[str, int]:
    return dict.fromkeys(EXCLUSIONS, 0)


_BY_ORDER = attrgetter("order")


def _local_time(moment: datetime | None, timezone: str) -> str:
    if moment is None:
        return "?"
    local = moment.astimezone(ZoneInfo(timezone))
    return local.strftime("%a %H:%M")


def notes_for(
    facts: Facts, query: SearchQuery, weights: RankingWeights
) -> tuple[tuple[Note, ...], tuple[Note, ...]]:
    """The reasons and warnings of an option, from its facts."""
    entry, provider, hours = facts.entry, facts.entry.provider, facts.hours
    at_ts = query.at.timestamp()
    reasons: list[Note] = [_offers_needs(facts.matched_needs)]
    warnings: list[Note] = []
    window = query.time_since_incident
    medical = not MEDICAL_CODES.isdisjoint(facts.matched_needs)
    if medical and window in (TimeSinceIncident.LT72H, TimeSinceIncident.UNKNOWN):
        if entry.can_pep:
            reasons.append(note("pep_within_72h"))
        else:
            warnings.append(note("no_pep_here"))
    if medical and window is not TimeSinceIncident.GT120H and entry.can_ec:
        reasons.append(note("ec_within_120h"))
    if entry.always_open:
        reasons.append(note("open_24_7"))
    elif hours.is_open:
        reasons.append(note("open_now"))
        minutes = _minutes_until(hours, at_ts)
        if minutes is not None and minutes <= weights.closes_soon_minutes:
            at = _local_time(hours.next_change_at, provider.timezone)
            warnings.append(note("closes_soon", at=at))
    elif hours.is_open is False:
        at = _local_time(hours.next_change_at, provider.timezone)
        minutes = _minutes_until(hours, at_ts)
        if minutes is not None and minutes <= weights.opens_soon_minutes:
            reasons.append(note("opens_soon", at=at))
        else:
            warnings.append(note("closed_now", at=at))
    else:
        warnings.append(note("hours_unknown"))
    covers_area = provider.modality is Modality.MOBILE or entry.has_declared_area
    if facts.distance_km is not None:
        if provider.is_restricted:
            covers_area = True
        elif facts.distance_km > weights.far_km:
            warnings.append(note("far_away", distance=f"{facts.distance_km:.1f}"))
        else:
            reasons.append(note("near", distance=f"{facts.distance_km:.1f}"))
    elif provider.modality is Modality.REMOTE:
        reasons.append(note("remote"))
    if covers_area:
        reasons.append(note("covers_area"))
    if query.profile.languages:
        spoken = [lang for lang in query.profile.languages if lang in entry.languages]
        if spoken:
            reasons.append(note("speaks_language", languages=", ".join(spoken)))
    wanted = query.profile.accessibility
    if wanted and entry.accessibility.issuperset(wanted):
        reasons.append(note("accessible", features=", ".join(wanted)))
    if entry.all_free or all(service.cost is Cost.FREE for service in facts.services):
        reasons.append(note("free_of_charge"))
    else:
        warnings.append(note("fee"))
    age = query.profile.age
    if age is not None and age < 18 and any(s.eligibility.child_friendly for s in facts.services):
        reasons.append(note("child_friendly"))
    if len(facts.matched_needs) > 1:
        reasons.append(note("one_stop"))
    if entry.is_safe_entry:
        reasons.append(note("safe_entry_point"))
    days = _verified_days_ago(entry, at_ts)
    if days is None:
        warnings.append(note("never_verified"))
    elif days > weights.stale_after_days:
        warnings.append(note("stale_entry", days=days))
    else:
        reasons.append(note("recently_verified", days=days))
    if not entry.walk_in_only:
        accesses = {service.access for service in facts.services}
        warnings.extend(note(code) for access, code in _ACCESS_WARNINGS if access in accesses)
    return tuple(reasons), tuple(warnings)


_ACCESS_WARNINGS = (
    (Access.CALL_FIRST, "call_first"),
    (Access.REFERRAL_FORM, "referral_form"),
    (Access.CASE_MANAGEMENT_ONLY, "case_management_only"),
)


@lru_cache(maxsize=1024)
def _offers_needs(matched_needs: tuple[str, ...]) -> Note:
    return note("offers_need", needs=", ".join(matched_needs))


def _options(
    ranked: Sequence[Facts],
    query: SearchQuery,
    weights: RankingWeights,
    limit: int,
    notes: dict[int, tuple[tuple[Note, ...], tuple[Note, ...]]],
) -> tuple[Option, ...]:
    out = []
    for rank, facts in enumerate(ranked[:limit], start=1):
        # The same provider often appears in several lists of one answer: explain it once.
        key = id(facts)
        if key not in notes:
            notes[key] = notes_for(facts, query, weights)
        reasons, warnings = notes[key]
        out.append(Option(rank, facts, reasons, warnings, facts.entry.is_safe_entry))
    return tuple(out)


def _police_not_first(ranked: list[Facts], needs: Sequence[str]) -> list[Facts]:
    # Police and courts help only when the survivor chooses to report: they never lead
    # a list unless the request itself asked for legal help.
    if any(taxonomy.matches("legal", need) for need in needs) or not ranked:
        return ranked
    if not ranked[0].entry.is_law_enforcement:
        return ranked
    for position, facts in enumerate(ranked):
        if not facts.entry.is_law_enforcement:
            return [facts, *ranked[:position], *ranked[position + 1 :]]
    return ranked


def rank(facts: Iterable[Facts], needs: Sequence[str]) -> list[Facts]:
    """Options in the order they should be offered."""
    return _police_not_first(sorted(facts, key=_BY_ORDER), needs)


SAFE_ENTRY_NEEDS = ("case_management", "psychosocial")
SAFE_ENTRY_COUNT = 3


def _safe_entry_points(
    index: DirectoryIndex,
    query: SearchQuery,
    weights: RankingWeights,
    nearby: Nearby,
    context: _Context,
) -> tuple[Option, ...]:
    # Whatever the filters, the caller gets at least one way in: case management, or a
    # hotline that covers the place. The survivor's profile does not narrow this list.
    entry_query = SearchQuery(
        place=query.place,
        needs=SAFE_ENTRY_NEEDS,
        at=query.at,
        time_since_incident=query.time_since_incident,
        limit=SAFE_ENTRY_COUNT,
    )
    context = _Context(entry_query, context.public_place, hours_of=context)
    found = evaluate(index.safe_entries(nearby), entry_query, weights, context, _no_exclusions())
    options = _options(rank(found, SAFE_ENTRY_NEEDS), entry_query, weights, SAFE_ENTRY_COUNT, {})
    return options or _nearest_entry_anywhere(index, entry_query, weights, context)


def _nearest_entry_anywhere(
    index: DirectoryIndex, query: SearchQuery, weights: RankingWeights, context: _Context
) -> tuple[Option, ...]:
    def usable(entry: Entry) -> bool:
        return _active(entry, query.at) and entry.provider.accepting_referrals

    nearest = index.nearest_safe_entry(query.place, context.public_place, usable)
    if nearest is None:
        return ()
    entry, distance = nearest
    services = tuple(s for s in entry.provider.services if s.need == "case_management")
    services = services or entry.provider.services
    facts = Facts(
        entry=entry,
        services=services,
        matched_needs=tuple(s.need for s in services),
        distance_km=distance,
        hours=context.hours(entry),
        tier=0,
        score=0.0,
        order=(0, 0.0, entry.id_text),
    )
    reasons, warnings = notes_for(facts, query, weights)
    return (Option(1, facts, reasons, (note("outside_service_area"), *warnings), True),)


def search(
    index: DirectoryIndex,
    query: SearchQuery,
    weights: RankingWeights,
    *,
    explain: bool = False,
) -> SearchResult:
    """Ranked options for the query; with `explain`, how many providers each filter excluded."""
    place = query.place
    public = index.public_view(place)
    context = _Context(query, public)
    reach = weights.max_distance_km
    if query.max_distance_km is not None:
        reach = min(reach, query.max_distance_km)
    nearby = index.candidates(place, public, weights.max_distance_km)
    if explain:
        # Explaining counts every provider of the directory, not only the nearby ones.
        found = index.entries_of(index.everywhere(place, public))
    else:
        # Providers offering none of the needs are left out in one array step; `evaluate`
        # would exclude them too, one by one.
        within = (
            nearby if reach >= weights.max_distance_km else index.candidates(place, public, reach)
        )
        found = index.offering(within, context.wanted_bits)
    exclusions = _no_exclusions()
    kept = evaluate(found, query, weights, context, exclusions)
    ranked = rank(kept, query.needs)
    notes: dict[int, tuple[tuple[Note, ...], tuple[Note, ...]]] = {}
    pathway: tuple[NeedOptions, ...] = ()
    one_stop: tuple[Option, ...] = ()
    if len(query.needs) > 1:
        pathway = tuple(
            NeedOptions(
                need,
                _options(
                    rank((f for f in ranked if need in f.matched_needs), (need,)),
                    query,
                    weights,
                    query.limit,
                    notes,
                ),
            )
            for need in query.needs
        )
        multi = [facts for facts in ranked if len(facts.matched_needs) > 1]
        one_stop = _options(multi, query, weights, query.limit, notes)
    return SearchResult(
        options=_options(ranked, query, weights, query.limit, notes),
        pathway=pathway,
        one_stop=one_stop,
        safe_entry_points=_safe_entry_points(index, query, weights, nearby, context),
        considered=sum(exclusions.values()) + len(kept),
        exclusions=exclusions if explain else None,
    )


def brute_force(index: DirectoryIndex, query: SearchQuery, weights: RankingWeights) -> list[Facts]:
    """Every provider evaluated without the spatial index: the reference the index must match."""
    public = index.public_view(query.place)
    everything = index.entries_of(index.everywhere(query.place, public))
    kept = evaluate(everything, query, weights, _Context(query, public), _no_exclusions())
    return rank(kept, query.needs)
