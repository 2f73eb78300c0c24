"""Evaluate the providers near a place: hard filters, then every rule's effects.

It runs over every nearby provider of every search, so the loop reads what the query
fixes once, and what does not change between queries (the services a provider open to
everyone offers for a set of needs, opening states) is remembered by the snapshot's memo.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from operator import attrgetter
from typing import NamedTuple

from referral_api.domain import taxonomy
from referral_api.domain.directory import DirectoryIndex, Entry
from referral_api.domain.gazetteer import Place
from referral_api.domain.hours import UNKNOWN, OpenState, open_state
from referral_api.domain.model import Service
from referral_api.domain.ranking.query import RankingWeights, SearchQuery, TimeSinceIncident
from referral_api.domain.ranking.rules import (
    MEDICAL_CODES,
    Case,
    Effect,
    Seen,
    Tables,
    active,
    covers,
    eligible,
    situational_effects,
    standing_effects,
    urgency,
    within_asked_distance,
)

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
    """A provider that passed every hard filter, with what each rule made of it."""

    seen: Seen
    effects: tuple[Effect, ...]  # the rules of the case as a whole
    score: float
    urgency: tuple[Effect, ...]  # empty unless it matched a medical need
    urgent_score: float  # the score where urgency orders the list
    tier: int  # 1 when urgency demotes it, where urgency orders the list
    order: tuple[int, int, str]  # where urgency orders the list: tier, best score, id
    plain_order: tuple[int, str]  # elsewhere: best score, id

    @property
    def entry(self) -> Entry:
        """The provider's entry."""
        return self.seen.entry


class _NeedsPlan(NamedTuple):
    wanted: frozenset[str]
    wanted_bits: int
    # For providers open to everyone, what matches depends on the provider and the needs
    # alone, and so do the standing effects: by id(entry), which the snapshot keeps alive
    # as long as this memo.
    matches: dict[int, tuple[tuple[Service, ...], tuple[str, ...], tuple[Effect, ...]]]


# Bounds on what a memo keeps, so that no stream of odd requests grows memory without end.
NEEDS_SETS_KEPT = 32
MATCHES_KEPT_PER_NEEDS = 10_000
HOURS_KEPT = 8192
# Without a next change in sight, trust a state a day: the parser's lookahead is approximate.
UNCHANGING_TRUST_SECONDS = 86400.0


class SearchMemo:
    """What searches on one directory snapshot remember between queries; it lives and dies
    with the snapshot (see `memo_of`), so nothing of an old directory is ever reused."""

    def __init__(self) -> None:
        self._plans: dict[tuple[str, ...], _NeedsPlan] = {}
        # Opening states, each with the span of moments it holds for: searches come at
        # ever-new moments, yet a state stays the same for hours.
        self._hours: dict[str, tuple[float, float, OpenState]] = {}
        self._tables: Tables | None = None

    def case(self, query: SearchQuery, weights: RankingWeights) -> Case:
        """The query read for the rules, with the effects they give out kept for `weights`."""
        tables = self._tables
        if tables is None or tables.weights is not weights:
            tables = self._tables = Tables(weights)
            self._plans.clear()  # their standing effects were weighed with other weights
        return Case(query, tables)

    def plan(self, needs: tuple[str, ...]) -> _NeedsPlan:
        """What a set of requested needs means for matching."""
        found = self._plans.get(needs)
        if found is None:
            if len(self._plans) >= NEEDS_SETS_KEPT:
                self._plans.clear()
            wanted = frozenset[str]().union(*(taxonomy.expand(need) for need in needs))
            found = self._plans[needs] = _NeedsPlan(wanted, taxonomy.need_bits(wanted), {})
        return found

    def hours(self, entry: Entry, at_ts: float, query: SearchQuery) -> OpenState:
        """The entry's opening state at the query's moment."""
        key = entry.hours_key
        if key is None:
            return UNKNOWN
        known = self._hours.get(key)
        if known is not None and known[0] <= at_ts < known[1]:
            return known[2]
        provider = entry.provider
        state = open_state(provider.opening_hours, provider.timezone, query.at)
        if state.is_open is not None:
            change = state.next_change_ts
            until = change if change is not None else at_ts + UNCHANGING_TRUST_SECONDS
            if len(self._hours) >= HOURS_KEPT:
                self._hours.clear()
            self._hours[key] = (at_ts, until, state)
        return state


_MEMOS: weakref.WeakKeyDictionary[DirectoryIndex, SearchMemo] = weakref.WeakKeyDictionary()


def memo_of(index: DirectoryIndex) -> SearchMemo:
    """The memo of a snapshot, made on its first search and dropped with it."""
    memo = _MEMOS.get(index)
    if memo is None:
        memo = _MEMOS[index] = SearchMemo()
    return memo


def evaluate(
    found: Iterable[tuple[Entry, float | None]],
    case: Case,
    public: Place,
    memo: SearchMemo,
    excluded: dict[str, int],
) -> list[Facts]:
    """The facts of the providers `found` (each with its distance from the place) that pass
    every hard filter; the others are counted in `excluded` under the first filter they fail.
    """
    query, weights = case.query, case.weights
    medical = MEDICAL_CODES
    plan = memo.plan(query.needs)
    wanted, matches = plan.wanted, plan.matches
    needs, profile, place = query.needs, query.profile, query.place
    expansions, single = case.expansions, query.needs if len(query.needs) == 1 else None
    reach, most, open_only, at, at_ts = (
        weights.max_distance_km,
        query.max_distance_km,
        query.open_now,
        query.at,
        case.at_ts,
    )
    urgent = case.window is not TimeSinceIncident.GT120H
    facts: list[Facts] = []
    # Plain tuples: `NamedTuple.__new__` is a Python frame, made twice per provider.
    new, hours_of = tuple.__new__, memo.hours
    for entry, distance in found:
        if entry.needs.isdisjoint(wanted):
            excluded["need_not_offered"] += 1
            continue
        if not entry.is_active and not active(entry, at):
            excluded["not_active"] += 1
            continue
        if not entry.provider.accepting_referrals:
            excluded["not_accepting_referrals"] += 1
            continue
        known = matches.get(id(entry)) if entry.unrestricted else None
        if known is not None:
            services, matched, standing = known
        else:
            standing = None
            if entry.unrestricted and entry.needs <= wanted:
                kept = entry.provider.services  # each of them answers the request
            else:
                kept = tuple(
                    [
                        service
                        for service in entry.provider.services
                        if service.need in wanted
                        and (entry.unrestricted or eligible(service, profile))
                    ]
                )
            if not kept:
                excluded["not_eligible"] += 1
                continue
            services = kept
            offered = {service.need for service in services}
            matched = single or tuple(n for n in needs if not offered.isdisjoint(expansions[n]))
        if not covers(entry, public if entry.confidential else place, distance, reach):
            excluded["outside_service_area"] += 1
            continue
        if most is not None and not within_asked_distance(distance, most):
            excluded["beyond_max_distance"] += 1
            continue
        hours = hours_of(entry, at_ts, query)
        if open_only and hours.is_open is False:
            excluded["closed_now"] += 1
            continue
        seen = new(Seen, (entry, services, matched, distance, hours))
        if standing is None:
            standing = standing_effects(case, seen)
            if entry.unrestricted and len(matches) < MATCHES_KEPT_PER_NEEDS:
                matches[id(entry)] = (services, matched, standing)
        effects = situational_effects(case, seen) + standing
        score = sum(map(_POINTS, effects))
        if urgent and not medical.isdisjoint(matched):
            urgent_effects = urgency(case, seen)
            urgent_score = score + sum(map(_POINTS, urgent_effects))
            tier = 1 if any(map(_DEMOTES, urgent_effects)) else 0
        else:
            urgent_effects, urgent_score, tier = (), score, 0
        plain = sort_score(score)
        facts.append(
            new(
                Facts,
                (
                    seen,
                    effects,
                    score,
                    urgent_effects,
                    urgent_score,
                    tier,
                    (tier, sort_score(urgent_score) if urgent_effects else plain, entry.id_text),
                    (plain, entry.id_text),
                ),
            )
        )
    return facts


def standalone_facts(seen: Seen, effects: tuple[Effect, ...]) -> Facts:
    """The facts of a provider offered on its own, outside urgency, as `evaluate` would
    make them: its sort keys agree with its score, should it ever be ranked with others."""
    score = sum(map(_POINTS, effects))
    plain = sort_score(score)
    key = seen.entry.id_text
    return Facts(seen, effects, score, (), score, 0, (0, plain, key), (plain, key))


def sort_score(score: float) -> int:
    """A score as lists sort on it, best first: in billionths, so that scores equal but for
    float noise tie and break by id (`round` to an integer costs a fifth of `round(x, 9)`)."""
    return -round(score * 1e9)


_POINTS = attrgetter("points")
_DEMOTES = attrgetter("demotes")


def no_exclusions() -> dict[str, int]:
    """A count of zero for every hard filter."""
    return dict.fromkeys(EXCLUSIONS, 0)
