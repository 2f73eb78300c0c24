"""The listing's filters, as the API parses them and storage answers them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from referral_api.domain.geometry import BBox
from referral_api.domain.model import Status


@dataclass(frozen=True, slots=True)
class ProviderQuery:
    """Filters of the provider listing; None means "any"."""

    need: str | None = None
    pcode: str | None = None
    bbox: BBox | None = None
    status: Status | None = None
    modified_after: datetime | None = None
    # Inclusive bounds on updated_at, for OGC API's datetime intervals.
    modified_from: datetime | None = None
    modified_until: datetime | None = None
    # Only public entries with a point: all a public map (OGC API – Features) shows, so that
    # a safe house is not in it at all, not even counted.
    public_located: bool = False
