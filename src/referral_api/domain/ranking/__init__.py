"""Rank referral options for a place, needs and a survivor's profile, and say why.

A pure function of (query, directory, weights): no I/O, no clock (the moment is in the
query), deterministic (ties break by provider id). `query` holds the question and the
weights, `rules` every rule with the words it owes, `evaluate` applies them to the
providers near a place, and `answer` orders the lists of the answer.
"""

from referral_api.domain.ranking.answer import (
    SAFE_ENTRY_NEEDS,
    NeedOptions,
    Option,
    SearchResult,
    brute_force,
    rank,
    search,
)
from referral_api.domain.ranking.evaluate import EXCLUSIONS, Facts
from referral_api.domain.ranking.query import (
    Profile,
    RankingWeights,
    SearchQuery,
    TimeSinceIncident,
)

__all__ = [
    "EXCLUSIONS",
    "SAFE_ENTRY_NEEDS",
    "Facts",
    "NeedOptions",
    "Option",
    "Profile",
    "RankingWeights",
    "SearchQuery",
    "SearchResult",
    "TimeSinceIncident",
    "brute_force",
    "rank",
    "search",
]
