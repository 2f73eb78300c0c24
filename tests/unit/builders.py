"""Small builders of domain values for table-driven tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from referral_api.domain.directory import DirectoryIndex, LayerColumns, Placed
from referral_api.domain.gazetteer import Gazetteer
from referral_api.domain.model import (
    AdminArea,
    Eligibility,
    Modality,
    Provider,
    Service,
    ServiceArea,
)
from referral_api.domain.ranking import RankingWeights, SearchQuery

BANGUI = ZoneInfo("Africa/Bangui")
FRIDAY_10H = datetime(2026, 11, 27, 10, 0, tzinfo=BANGUI)
FRIDAY_22H = datetime(2026, 11, 27, 22, 0, tzinfo=BANGUI)
HERE = (18.55, 4.37)


def square(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


AREAS = (
    AdminArea("CF71", "Bangui", 1, None, 18.56, 4.38, "201506", square(18.4, 4.3, 18.7, 4.5)),
    AdminArea("CF711", "Bangui", 2, "CF71", 18.56, 4.38, "201506", square(18.4, 4.3, 18.7, 4.5)),
    AdminArea(
        "CF7113",
        "Arrondissement 3",
        3,
        "CF711",
        18.54,
        4.36,
        "201506",
        square(18.5, 4.3, 18.6, 4.4),
    ),
    AdminArea(
        "CF7114",
        "Arrondissement 4",
        3,
        "CF711",
        18.64,
        4.44,
        "201506",
        square(18.6, 4.4, 18.7, 4.5),
    ),
    AdminArea("CF11", "Ombella M'Poko", 1, None, 18.2, 4.9, "201506", square(17.0, 4.5, 19.0, 6.0)),
)
GAZETTEER = Gazetteer(AREAS)


def provider(
    key: str,
    needs: tuple[str, ...] = ("medical.general",),
    *,
    at: tuple[float, float] | None = HERE,
    km_east: float = 0.0,
    services: tuple[Service, ...] | None = None,
    capabilities: tuple[str, ...] = (),
    verified_days_ago: int | None = 10,
    **fields: Any,
) -> Provider:
    """A provider `km_east` kilometres east of `at` (one degree of longitude is 110.9 km here)."""
    lon = lat = None
    if at is not None:
        lon, lat = at[0] + km_east / 110.9, at[1]
    if services is None:
        services = tuple(Service(need, capabilities=capabilities) for need in needs)
    verified = (
        None
        if verified_days_ago is None
        else datetime(2026, 11, 27, 9, 0, tzinfo=UTC) - timedelta(days=verified_days_ago)
    )
    values: dict[str, Any] = {
        "id": uuid.uuid5(uuid.NAMESPACE_URL, key),
        "organization_id": "org",
        "name": key,
        "modality": Modality.STATIC if at is not None else Modality.REMOTE,
        "services": services,
        "lon": lon,
        "lat": lat,
        "opening_hours": "24/7",
        "languages": ("fr",),
        "last_verified_at": verified,
    }
    values.update(fields)
    return Provider(**values)


def index_of(*providers: Provider, weights: RankingWeights | None = None) -> DirectoryIndex:
    weights = weights or RankingWeights()
    return DirectoryIndex(providers, GAZETTEER, max_distance_km=weights.max_distance_km)


def query(needs: tuple[str, ...] = ("medical",), **fields: Any) -> SearchQuery:
    values: dict[str, Any] = {
        "place": GAZETTEER.at_point(*HERE),
        "needs": needs,
        "at": FRIDAY_10H,
    }
    values.update(fields)
    return SearchQuery(**values)


__all__ = [
    "FRIDAY_10H",
    "FRIDAY_22H",
    "GAZETTEER",
    "HERE",
    "Eligibility",
    "ServiceArea",
    "index_of",
    "provider",
    "query",
    "square",
]


def placement_differences(made: Placed, built: Placed) -> list[str]:
    """The arrays in which two placements differ (NaN equal to NaN), by name."""

    def differs(a: Any, b: Any) -> bool:
        a, b = np.asarray(a), np.asarray(b)
        equal_nan = a.dtype.kind == "f" and b.dtype.kind == "f"
        return a.shape != b.shape or not np.array_equal(a, b, equal_nan=equal_nan)

    found = [
        name
        for name in ("ids", "id_order", "lon", "lat")
        if differs(getattr(made, name), getattr(built, name))
    ]
    found += [
        f"rows.{name}"
        for name, a, b in zip(made.rows._fields, made.rows, built.rows, strict=True)
        if differs(a, b)
    ]
    for layer in ("public", "confidential"):
        ours: LayerColumns = getattr(made, layer)
        theirs: LayerColumns = getattr(built, layer)
        for name in ("point_rows", "area_rows", "area_bounds"):
            if differs(getattr(ours, name), getattr(theirs, name)):
                found.append(f"{layer}.{name}")
        for name in ("by_pcode", "by_ancestor"):
            a, b = getattr(ours, name), getattr(theirs, name)
            if a.keys() != b.keys() or any(differs(a[key], b[key]) for key in a):
                found.append(f"{layer}.{name}")
    return found
