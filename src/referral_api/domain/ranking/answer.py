"""The answer to a referral question: options overall, per need, one-stop, and entry points.

Options are ordered by urgency tier where medical care is being ordered, then score, then
id; police and courts never lead a list unless legal help was asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from referral_api.domain import taxonomy
from referral_api.domain.directory import DirectoryIndex, Entry, Nearby
from referral_api.domain.explanations import Note, note
from referral_api.domain.gazetteer import Place
from referral_api.domain.ranking.evaluate import (
    Facts,
    SearchMemo,
    evaluate,
    memo_of,
    no_exclusions,
    standalone_facts,
)
from referral_api.domain.ranking.query import RankingWeights, SearchQuery
from referral_api.domain.ranking.rules import (
    Case,
    Effect,
    Seen,
    active,
    ineligible_by,
    is_medical,
    situational_effects,
    standing_effects,
)


class Option(NamedTuple):
    """A ranked referral option (a tuple: an answer holds a dozen and builds them fast)."""

    rank: int
    facts: Facts
    urgent: bool  # urgency orders the list the option is in
    # What a list adds of its own: the limit an entry point offered for want of any other breaks.
    list_warnings: tuple[Note, ...] = ()

    @property
    def score(self) -> float:
        """The score it was ranked by in its list."""
        return self.facts.urgent_score if self.urgent else self.facts.score

    @property
    def tier(self) -> int | None:
        """Its urgency tier in its list: 0 first, 1 after (it cannot give PEP or EC in time);
        none where urgency does not order the list."""
        return self.facts.tier if self.urgent else None

    @property
    def reasons(self) -> tuple[Note, ...]:
        """Why it is offered: urgency first, then every other rule that spoke for it."""
        return self.notes()[0]

    @property
    def warnings(self) -> tuple[Note, ...]:
        """What the caseworker should know before referring: its own, then its list's."""
        return self.own_warnings + self.list_warnings

    @property
    def own_warnings(self) -> tuple[Note, ...]:
        """The warnings of the rules about the provider itself, whatever list it is in."""
        return self.notes()[1]

    def notes(self) -> tuple[tuple[Note, ...], tuple[Note, ...]]:
        """Its reasons and its own warnings, sorted out in one pass over its effects."""
        reasons: list[Note] = []
        warnings: list[Note] = []
        for effect in self._effects():
            (warnings if effect.warning else reasons).append(effect.note)
        return tuple(reasons), tuple(warnings)

    def _effects(self) -> tuple[Effect, ...]:
        # Urgency speaks where it orders the list: not of PEP in the psychosocial list.
        return (*self.facts.urgency, *self.facts.effects) if self.urgent else self.facts.effects

    @property
    def is_safe_entry(self) -> bool:
        """Whether it is a safe entry point (case management or a hotline)."""
        return self.facts.entry.is_safe_entry


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


def _by_urgency(facts: Facts) -> tuple[int, int, str]:
    return facts.order


def _by_score(facts: Facts) -> tuple[int, str]:
    return facts.plain_order


def rank(facts: Iterable[Facts], needs: Sequence[str]) -> list[Facts]:
    """Options in the order they should be offered for `needs`."""
    urgent = is_medical(tuple(needs))
    ranked = sorted(facts, key=_by_urgency if urgent else _by_score)
    return _police_not_first(ranked)


def _police_not_first(ranked: list[Facts]) -> list[Facts]:
    # Where the rule `police_not_first` warned on the first option, it does not lead.
    if not ranked or not any(e.rule == "police_not_first" for e in ranked[0].effects):
        return ranked
    for position, facts in enumerate(ranked):
        if not facts.entry.is_law_enforcement:
            return [facts, *ranked[:position], *ranked[position + 1 :]]
    return ranked


def _options(ranked: Sequence[Facts], needs: Sequence[str], limit: int) -> tuple[Option, ...]:
    urgent = is_medical(tuple(needs))
    return tuple(Option(n, facts, urgent) for n, facts in enumerate(ranked[:limit], start=1))


SAFE_ENTRY_NEEDS = ("case_management", "psychosocial")
SAFE_ENTRY_COUNT = 3


def _safe_entry_points(
    index: DirectoryIndex,
    query: SearchQuery,
    weights: RankingWeights,
    nearby: Nearby,
    public: Place,
    memo: SearchMemo,
) -> tuple[Option, ...]:
    # Whatever the filters, the caller gets at least one way in: case management, or a
    # hotline that covers the place, open to this survivor and within the asked distance.
    # When none is, the nearest is given with a warning saying which limit it breaks.
    profile = query.profile
    strict = SearchQuery(
        place=query.place,
        needs=SAFE_ENTRY_NEEDS,
        at=query.at,
        # Sex and age are hard limits of an entry point; population groups are not. Neither
        # urgency nor a list's length applies: its needs are not medical, it keeps three.
        profile=replace(profile, population=None),
        max_distance_km=query.max_distance_km,
    )
    case = memo.case(strict, weights)
    found = evaluate(index.safe_entries(nearby), case, public, memo, no_exclusions())
    if found:
        return _options(rank(found, SAFE_ENTRY_NEEDS), SAFE_ENTRY_NEEDS, SAFE_ENTRY_COUNT)
    relaxed = replace(
        strict,
        profile=replace(profile, age=None, sex=None, population=None),
        max_distance_km=None,
    )
    case = memo.case(relaxed, weights)
    found = evaluate(index.safe_entries(nearby), case, public, memo, no_exclusions())
    if found:
        best = rank(found, SAFE_ENTRY_NEEDS)[:SAFE_ENTRY_COUNT]
        return tuple(
            Option(n, facts, False, _broken_limits(facts, strict))
            for n, facts in enumerate(best, start=1)
        )
    return _nearest_entry_anywhere(index, strict, case, public, memo)


def _broken_limits(facts: Facts, strict: SearchQuery) -> tuple[Note, ...]:
    """The warnings an entry point owes for the limits of the survivor or the caller it breaks."""
    warnings: list[Note] = []
    broken = [ineligible_by(service, strict.profile) for service in facts.seen.services]
    # Only when no service it matched is open to the survivor: one that is will take them.
    if broken and all(broken):
        limits = {limit for each in broken for limit in each}
        warnings.extend(note(f"not_for_{limit}") for limit in ("sex", "age") if limit in limits)
    most, distance = strict.max_distance_km, facts.seen.distance_km
    if most is not None and distance is not None and distance > most:
        warnings.append(note("beyond_asked_distance", limit=most))
    return tuple(warnings)


def _nearest_entry_anywhere(
    index: DirectoryIndex, strict: SearchQuery, case: Case, public: Place, memo: SearchMemo
) -> tuple[Option, ...]:
    def usable(entry: Entry) -> bool:
        return active(entry, strict.at) and entry.provider.accepting_referrals

    nearest = index.nearest_safe_entry(strict.place, public, usable)
    if nearest is None:
        return ()
    entry, distance = nearest
    answering = {need: taxonomy.expand(need) for need in SAFE_ENTRY_NEEDS}
    services = tuple(
        s for s in entry.provider.services if any(s.need in codes for codes in answering.values())
    )
    matched = tuple(n for n, codes in answering.items() if any(s.need in codes for s in services))
    hours = memo.hours(entry, case.at_ts, strict)
    seen = Seen(entry, services, matched, distance, hours)
    facts = standalone_facts(seen, situational_effects(case, seen) + standing_effects(case, seen))
    warnings = (note("outside_service_area"), *_broken_limits(facts, strict))
    return (Option(1, facts, False, warnings),)


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
    memo = memo_of(index)
    case = memo.case(query, weights)
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
        found = index.offering(within, memo.plan(query.needs).wanted_bits)
    exclusions = no_exclusions()
    kept = evaluate(found, case, public, memo, exclusions)
    ranked = rank(kept, query.needs)
    pathway: tuple[NeedOptions, ...] = ()
    one_stop: tuple[Option, ...] = ()
    if len(query.needs) > 1:
        pathway = tuple(
            NeedOptions(
                need,
                _options(
                    rank((f for f in kept if need in f.seen.matched_needs), (need,)),
                    (need,),
                    query.limit,
                ),
            )
            for need in query.needs
        )
        multi = [facts for facts in ranked if len(facts.seen.matched_needs) > 1]
        one_stop = _options(multi, query.needs, query.limit)
    return SearchResult(
        options=_options(ranked, query.needs, query.limit),
        pathway=pathway,
        one_stop=one_stop,
        safe_entry_points=_safe_entry_points(index, query, weights, nearby, public, memo),
        considered=sum(exclusions.values()) + len(kept),
        exclusions=exclusions if explain else None,
    )


def brute_force(index: DirectoryIndex, query: SearchQuery, weights: RankingWeights) -> list[Facts]:
    """Every provider evaluated without the spatial index: the reference the index must match."""
    public = index.public_view(query.place)
    everything = index.entries_of(index.everywhere(query.place, public))
    memo = memo_of(index)
    kept = evaluate(everything, memo.case(query, weights), public, memo, no_exclusions())
    return rank(kept, query.needs)
