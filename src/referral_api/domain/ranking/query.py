"""What a referral question says, and the weights a deployment ranks its answers with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from referral_api.domain.gazetteer import Place
from referral_api.domain.model import Sex


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
