"""An immutable, spatially indexed view of the directory that search runs on."""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely import STRtree, box
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from referral_api.domain.gazetteer import Gazetteer, Place
from referral_api.domain.geometry import SpherePoint, degrees_around, distance_km, within_km
from referral_api.domain.hours import is_always_open
from referral_api.domain.model import Access, Cost, Eligibility, Modality, Provider, Status

LAW_ENFORCEMENT = frozenset({"legal.police", "legal.justice"})
OPEN_TO_ALL = Eligibility()
# Confidential providers are ranked from a point snapped to this grid (about 5.5 km), so
# that distance bands and order, probed from many places, cannot pin the real place down.
CONFIDENTIAL_GRID_DEGREES = 0.05


def _snap(value: float) -> float:
    return round(round(value / CONFIDENTIAL_GRID_DEGREES) * CONFIDENTIAL_GRID_DEGREES, 6)


@dataclass(frozen=True, slots=True)
class Entry:
    """A provider with everything search needs precomputed."""

    provider: Provider
    id_text: str
    lon: float | None
    lat: float | None
    point: SpherePoint | None
    needs: frozenset[str]
    area_shape: BaseGeometry | None  # prepared: point tests on it are fast
    area_pcodes: frozenset[str]
    area_ancestors: frozenset[str]
    hours_key: str | None  # time zone and opening hours in one string (its hash is kept)
    always_open: bool
    can_pep: bool
    can_ec: bool
    is_law_enforcement: bool
    is_safe_entry: bool
    unrestricted: bool
    is_active: bool
    all_free: bool
    walk_in_only: bool
    languages: frozenset[str]
    accessibility: frozenset[str]
    verified_ts: float | None
    has_declared_area: bool


# Providers share a few sets of needs, languages and hours among thousands. Search reads
# them for every nearby provider: one shared object each stays in the CPU cache, where a
# copy per provider is a memory fetch per provider.
_SHARED_SETS: dict[frozenset[str], frozenset[str]] = {}


def _shared(values: Iterable[str]) -> frozenset[str]:
    found = frozenset(values)
    return _SHARED_SETS.setdefault(found, found)


def _entry(provider: Provider, gazetteer: Gazetteer) -> Entry:
    area = provider.service_area
    shape_ = shape(area.geometry) if area.geometry is not None else None
    if shape_ is not None:
        shapely.prepare(shape_)
    ancestors: set[str] = set()
    for pcode in area.pcodes:
        ancestors.update(gazetteer.chain(pcode)[1:])
    capabilities = {cap for service in provider.services for cap in service.capabilities}
    needs = _shared(provider.need_codes)
    hours = provider.opening_hours
    # Zone names hold no spaces: the key is unambiguous.
    hours_key = sys.intern(f"{provider.timezone} {hours}") if hours else None
    lon, lat = provider.lon, provider.lat
    if provider.is_restricted and lon is not None and lat is not None:
        lon, lat = _snap(lon), _snap(lat)
    return Entry(
        provider=provider,
        id_text=str(provider.id),
        lon=lon,
        lat=lat,
        point=SpherePoint.of(lon, lat) if lon is not None and lat is not None else None,
        needs=needs,
        area_shape=shape_,
        area_pcodes=_shared(area.pcodes),
        area_ancestors=_shared(ancestors),
        hours_key=hours_key,
        always_open=is_always_open(hours),
        can_pep="medical.pep" in needs or "pep" in capabilities,
        can_ec="medical.ec" in needs or "ec" in capabilities,
        is_law_enforcement=bool(needs & LAW_ENFORCEMENT),
        unrestricted=all(service.eligibility == OPEN_TO_ALL for service in provider.services),
        is_active=provider.status is Status.ACTIVE,
        all_free=all(service.cost is Cost.FREE for service in provider.services),
        walk_in_only=all(service.access is Access.WALK_IN for service in provider.services),
        languages=_shared(provider.languages),
        accessibility=_shared(provider.accessibility),
        verified_ts=provider.last_verified_at.timestamp() if provider.last_verified_at else None,
        has_declared_area=area.is_declared,
        is_safe_entry="case_management" in needs
        or (
            provider.modality is Modality.REMOTE
            and any(need.startswith("psychosocial") for need in needs)
        ),
    )


class DirectoryIndex:
    """Providers with a spatial index: which of them could serve a place, fast.

    `candidates` returns a superset of the providers that cover a place; search then checks
    each exactly, so the index only decides speed, never the answer.
    """

    def __init__(
        self,
        providers: Sequence[Provider],
        gazetteer: Gazetteer,
        *,
        max_distance_km: float,
        revision: int = 0,
        last_sequence: int = 0,
    ) -> None:
        self.gazetteer = gazetteer
        self.max_distance_km = max_distance_km
        self.revision = revision
        self.last_sequence = last_sequence
        # Entries changed since the trees were built (always candidates) and removed ones.
        self._extra: frozenset[int] = frozenset()
        self._removed: frozenset[int] = frozenset()
        self.entries: list[Entry] = [_entry(p, gazetteer) for p in providers]
        self.by_id = {str(entry.provider.id): index for index, entry in enumerate(self.entries)}
        point_ids: list[int] = []
        points: list[Point] = []
        area_ids: list[int] = []
        envelopes: list[BaseGeometry] = []
        self._by_pcode: dict[str, list[int]] = {}
        self._by_ancestor: dict[str, list[int]] = {}
        for index, entry in enumerate(self.entries):
            area = entry.provider.service_area
            if entry.area_shape is not None:
                area_ids.append(index)
                envelopes.append(entry.area_shape.envelope)
            elif area.radius_km is not None and entry.lon is not None and entry.lat is not None:
                dlon, dlat = degrees_around(entry.lat, area.radius_km)
                area_ids.append(index)
                envelopes.append(
                    box(entry.lon - dlon, entry.lat - dlat, entry.lon + dlon, entry.lat + dlat)
                )
            elif entry.lon is not None and entry.lat is not None and not area.pcodes:
                point_ids.append(index)
                points.append(Point(entry.lon, entry.lat))
            for pcode in entry.area_pcodes:
                self._by_pcode.setdefault(pcode, []).append(index)
            for pcode in entry.area_ancestors:
                self._by_ancestor.setdefault(pcode, []).append(index)
        # Tree positions map to rows through arrays, so a query's hits convert in one call.
        self._point_ids = np.array(point_ids, dtype=np.int64)
        phi = np.radians([point.y for point in points])
        self._point_spheres = (np.radians([point.x for point in points]), phi, np.cos(phi))
        self._point_tree = STRtree(points) if points else None
        self._area_ids = np.array(area_ids, dtype=np.int64)
        self._area_tree = STRtree(envelopes) if envelopes else None
        self.safe_entry_rows = frozenset(
            index for index, entry in enumerate(self.entries) if entry.is_safe_entry
        )
        located_entries = [
            index
            for index, entry in enumerate(self.entries)
            if entry.is_safe_entry and entry.lon is not None and entry.lat is not None
        ]
        self._safe_ids = located_entries
        self._safe_tree = (
            STRtree([Point(self.entries[i].lon, self.entries[i].lat) for i in located_entries])
            if located_entries
            else None
        )
        self._safe_unlocated = [
            index
            for index, entry in enumerate(self.entries)
            if entry.is_safe_entry and (entry.lon is None or entry.lat is None)
        ]

    def __len__(self) -> int:
        return len(self.entries) - len(self._removed)

    def live_entries(self) -> Iterable[Entry]:
        """Every provider of the directory (removed ones left out)."""
        removed = self._removed
        return (entry for row, entry in enumerate(self.entries) if row not in removed)

    @property
    def changes_since_build(self) -> int:
        """How many entries changed since the spatial indexes were built."""
        return len(self._extra) + len(self._removed)

    def with_changes(
        self,
        changed: Sequence[Provider],
        removed: Iterable[str],
        *,
        revision: int,
        last_sequence: int,
    ) -> DirectoryIndex:
        """A new snapshot with some providers changed, added or removed, sharing the trees.

        Changed and new entries are checked on every search besides what the trees return
        (their old tree positions only make the candidates a larger superset), so a write
        costs a few dictionary updates, not a rebuild.
        """
        new = copy.copy(self)
        new.entries = list(self.entries)
        new.by_id = dict(self.by_id)
        extra, gone = set(self._extra), set(self._removed)
        safe = set(self.safe_entry_rows)
        for provider in changed:
            entry = _entry(provider, self.gazetteer)
            row = new.by_id.get(entry.id_text)
            if row is None:
                row = new.by_id[entry.id_text] = len(new.entries)
                new.entries.append(entry)
            else:
                new.entries[row] = entry
            extra.add(row)
            gone.discard(row)
            if entry.is_safe_entry:
                safe.add(row)
            else:
                safe.discard(row)
        for id_text in removed:
            row = new.by_id.get(id_text)
            if row is not None:
                gone.add(row)
                extra.discard(row)
                safe.discard(row)
        new._extra, new._removed = frozenset(extra), frozenset(gone)
        new.safe_entry_rows = frozenset(safe)
        new.revision, new.last_sequence = revision, last_sequence
        return new

    def nearest_safe_entry(
        self, lon: float, lat: float, usable: Callable[[Entry], bool]
    ) -> tuple[Entry, float | None] | None:
        """The usable safe entry point nearest on the sphere, whatever its declared area.

        Boxes in degrees widen until one holds a usable entry within its inscribed circle,
        so the answer is the great-circle nearest, not the planar one. Entries without a
        location (hotlines) come last, nearest first by id.
        """
        if self._safe_tree is not None:
            radius = 25.0
            while True:
                dlon, dlat = degrees_around(lat, radius)
                window = box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)
                best: tuple[float, str, Entry] | None = None
                rows = {self._safe_ids[int(found)] for found in self._safe_tree.query(window)}
                for row in (rows | self._extra) - self._removed:
                    entry = self.entries[row]
                    if not entry.is_safe_entry or entry.lon is None or entry.lat is None:
                        continue
                    if not usable(entry):
                        continue
                    key = (distance_km(lon, lat, entry.lon, entry.lat), entry.id_text, entry)
                    if best is None or key[:2] < best[:2]:
                        best = key
                whole_earth = dlon >= 180 and dlat >= 90
                if best is not None and (best[0] <= radius or whole_earth):
                    return best[2], best[0]
                if whole_earth:
                    break
                radius *= 4
        rows = (set(self._safe_unlocated) | self._extra) - self._removed
        unlocated = sorted(
            (
                self.entries[row]
                for row in rows
                if self.entries[row].is_safe_entry
                and self.entries[row].lon is None
                and usable(self.entries[row])
            ),
            key=lambda entry: entry.id_text,
        )
        return (unlocated[0], None) if unlocated else None

    def candidates(self, place: Place, max_distance_km: float) -> set[int]:
        """Indexes of every entry that may cover `place` (each at most once)."""
        found: set[int] = set()
        if self._point_tree is not None:
            dlon, dlat = degrees_around(place.lat, max_distance_km)
            window = box(place.lon - dlon, place.lat - dlat, place.lon + dlon, place.lat + dlat)
            hits = self._point_tree.query(window)
            # The box's corners hold a fifth of its points; they are out of reach, and
            # dropping them here at once saves looking at each of them in Python.
            spheres = self._point_spheres
            near = within_km(
                SpherePoint.of(place.lon, place.lat),
                (spheres[0][hits], spheres[1][hits], spheres[2][hits]),
                max_distance_km,
            )
            found.update(self._point_ids[hits[near]].tolist())
        if self._area_tree is not None:
            probe: BaseGeometry = (
                place.area if place.area is not None else Point(place.lon, place.lat)
            )
            found.update(self._area_ids[self._area_tree.query(probe)].tolist())
        for pcode in place.pcodes:
            found.update(self._by_pcode.get(pcode, ()))
        if place.area is not None and place.pcodes:
            found.update(self._by_ancestor.get(place.pcodes[0], ()))
        found |= self._extra
        found -= self._removed
        return found
