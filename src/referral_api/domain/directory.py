"""An immutable, spatially indexed view of the directory that search runs on."""

from __future__ import annotations

import copy
import math
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, overload
from uuid import UUID

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely import STRtree, box
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from referral_api.domain.gazetteer import Gazetteer, Place
from referral_api.domain.geometry import SpherePoint, degrees_around, distance_km, distances_km
from referral_api.domain.hours import is_always_open
from referral_api.domain.model import (
    Access,
    Cost,
    Eligibility,
    Modality,
    Provider,
    ServiceArea,
    Status,
)
from referral_api.domain.projection import (
    CELL_HALF_DIAGONAL_KM,
    CellArea,
    public_area,
    public_projection,
)
from referral_api.domain.taxonomy import need_bits

Bounds = tuple[float, float, float, float]  # west, south, east, north
LAW_ENFORCEMENT = frozenset({"legal.police", "legal.justice"})
OPEN_TO_ALL = Eligibility()


class Entry(NamedTuple):
    """A provider with everything search needs precomputed.

    Search sees a confidential provider only through its public projection: `provider` is
    that projection, and every field here is computed from it. `exact` is the entry as
    stored, for rendering to the few callers who may locate it.

    A tuple rather than a frozen dataclass: a search at a million providers makes most of
    the entries it reads (few were read before), and a frozen dataclass sets its 28 fields
    one call each, a quarter of making an entry.
    """

    provider: Provider
    exact: Provider
    confidential: bool
    public_area: CellArea | None  # a confidential provider's polygon or radius, as cells
    id_text: str
    lon: float | None
    lat: float | None
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


class _SharedSets(dict[frozenset[str] | tuple[str, ...], frozenset[str]]):
    """Providers share a few sets of needs, languages and P-codes among thousands. Search
    reads them for every nearby provider: one shared object each stays in the CPU cache,
    where a copy per provider is a memory fetch per provider. A directory and the snapshots
    made from it by writes share one table, dropped with the last of them."""

    def __call__(self, values: Iterable[str]) -> frozenset[str]:
        found = frozenset(values)
        return self.setdefault(found, found)

    def of_tuple(self, values: tuple[str, ...]) -> frozenset[str]:
        """The shared set of a tuple's values, found by the tuple itself: a search at a
        million providers makes most entries it reads, four sets each (a tuple never
        equals a set, so the two kinds of key cannot be confused)."""
        found = self.get(values)
        if found is None:
            found = self[values] = self(values)
        return found


def _is_safe_entry(needs: frozenset[str], modality: Modality) -> bool:
    """Case management, or a remote psychosocial line: where a survivor may start."""
    return "case_management" in needs or (
        modality is Modality.REMOTE and any(need.startswith("psychosocial") for need in needs)
    )


def _ancestors(pcodes: Iterable[str], gazetteer: Gazetteer) -> set[str]:
    """The units above those of an area: a place in any of them may be inside it."""
    ancestors: set[str] = set()
    for pcode in pcodes:
        ancestors.update(gazetteer.chain(pcode)[1:])
    return ancestors


def _entry(exact: Provider, gazetteer: Gazetteer, shared: _SharedSets) -> Entry:
    provider = public_projection(exact, gazetteer.chain, gazetteer.units_of_cell)
    area = provider.service_area
    shape_ = shape(area.geometry) if area.geometry is not None else None
    if shape_ is not None:
        shapely.prepare(shape_)
    # One pass over the services, for what all of them say.
    capabilities: set[str] = set()
    unrestricted = all_free = walk_in_only = True
    for service in provider.services:
        capabilities.update(service.capabilities)
        unrestricted = unrestricted and service.eligibility == OPEN_TO_ALL
        all_free = all_free and service.cost is Cost.FREE
        walk_in_only = walk_in_only and service.access is Access.WALK_IN
    needs = shared.of_tuple(provider.need_codes)
    hours = provider.opening_hours
    # Zone names hold no spaces: the key is unambiguous.
    hours_key = sys.intern(f"{provider.timezone} {hours}") if hours else None
    confidential = exact.is_restricted
    cells = public_area(exact) if confidential else None
    return Entry(
        provider=provider,
        exact=exact,
        confidential=confidential,
        public_area=cells,
        id_text=str(provider.id),
        lon=provider.lon,
        lat=provider.lat,
        needs=needs,
        area_shape=shape_,
        area_pcodes=shared.of_tuple(area.pcodes),
        area_ancestors=shared(_ancestors(area.pcodes, gazetteer)),
        hours_key=hours_key,
        always_open=is_always_open(hours),
        can_pep="medical.pep" in needs or "pep" in capabilities,
        can_ec="medical.ec" in needs or "ec" in capabilities,
        is_law_enforcement=bool(needs & LAW_ENFORCEMENT),
        unrestricted=unrestricted,
        is_active=provider.status is Status.ACTIVE,
        all_free=all_free,
        walk_in_only=walk_in_only,
        languages=shared.of_tuple(provider.languages),
        accessibility=shared.of_tuple(provider.accessibility),
        verified_ts=provider.last_verified_at.timestamp() if provider.last_verified_at else None,
        has_declared_area=area.is_declared or cells is not None,
        is_safe_entry=_is_safe_entry(needs, provider.modality),
    )


class Sketch(NamedTuple):
    """What places a provider in the index. A snapshot reads it for every provider when it
    is built; the whole provider is decoded only when a search first looks at it."""

    id: UUID
    lon: float | None
    lat: float | None
    needs: frozenset[str]
    modality: Modality
    service_area: ServiceArea
    restricted: bool

    @classmethod
    def of(cls, provider: Provider) -> Sketch:
        """The sketch of a provider at hand."""
        return cls(
            provider.id,
            provider.lon,
            provider.lat,
            frozenset(provider.need_codes),
            provider.modality,
            provider.service_area,
            provider.is_restricted,
        )


class StoredProviders(NamedTuple):
    """A directory as a snapshot is built from it: the sketch of each provider, by row, and
    the whole provider of a row, made when it is asked for."""

    sketches: Sequence[Sketch]
    provider: Callable[[int], Provider]

    @classmethod
    def of(cls, providers: Sequence[Provider]) -> StoredProviders:
        """Providers at hand, as a directory to build from."""
        return cls([Sketch.of(provider) for provider in providers], providers.__getitem__)


RowValues = tuple[float, float, float, int, bool, bool, bool]


def _row_values(
    needs: frozenset[str],
    safe: bool,
    confidential: bool,
    lon: float | None,
    lat: float | None,
    declared: bool,
) -> RowValues:
    """A row's values in the fields of `RowArrays` (but `live`)."""
    bits = need_bits(needs)
    if lon is None or lat is None:
        return math.nan, math.nan, math.nan, bits, safe, False, confidential
    lmb, phi, cos_phi = SpherePoint.of(lon, lat)
    return lmb, phi, cos_phi, bits, safe, not declared, confidential


def _entry_row_values(entry: Entry) -> RowValues:
    return _row_values(
        entry.needs,
        entry.is_safe_entry,
        entry.confidential,
        entry.lon,
        entry.lat,
        entry.has_declared_area,
    )


class _Placement(NamedTuple):
    """Where a row goes in the spatial indexes, and its values in the row arrays."""

    values: RowValues
    confidential: bool
    lon: float | None
    lat: float | None
    is_safe_entry: bool
    bounds: Bounds | None  # of its box in the area tree, when it has one
    in_point_tree: bool
    pcodes: frozenset[str]
    ancestors: frozenset[str]


def _box(
    bounds: Bounds | None,
    lon: float | None,
    lat: float | None,
    radius_km: float | None,
    has_pcodes: bool,
    confidential: bool,
    reach: float,
) -> tuple[Bounds | None, bool]:
    """The box of a row in the area tree, given that of its area if it has one, or
    whether it goes in the point tree instead."""
    if bounds is not None or lon is None or lat is None:
        return bounds, False
    if radius_km is not None:
        return _reach(lon, lat, radius_km), False
    if not has_pcodes and confidential:
        # Reach is measured from the public view of the place, up to a cell away from the
        # place itself: a box of its own, not the point tree.
        return _reach(lon, lat, reach), False
    return None, not has_pcodes


class Unplaced(NamedTuple):
    """The placement of a provider shown where it is, but for the units above its area:
    a load works it out in the process that reads the provider, and the gazetteer of the
    directory it fills completes it."""

    values: RowValues
    lon: float | None
    lat: float | None
    is_safe_entry: bool
    bounds: Bounds | None
    in_point_tree: bool
    pcodes: tuple[str, ...]

    @classmethod
    def of(cls, sketch: Sketch) -> Unplaced:
        """The placement of a sketch that is not confidential, as its entry would place it."""
        if sketch.restricted:
            raise ValueError("a confidential provider is placed by its public projection")
        area, lon, lat = sketch.service_area, sketch.lon, sketch.lat
        safe = _is_safe_entry(sketch.needs, sketch.modality)
        area_bounds = shape(area.geometry).bounds if area.geometry is not None else None
        bounds, in_point_tree = _box(
            area_bounds, lon, lat, area.radius_km, bool(area.pcodes), False, 0.0
        )
        values = _row_values(sketch.needs, safe, False, lon, lat, area.is_declared)
        return cls(values, lon, lat, safe, bounds, in_point_tree, area.pcodes)

    def placed(self, gazetteer: Gazetteer, shared: _SharedSets) -> _Placement:
        """The whole placement, with the units above its area in `gazetteer`."""
        return _Placement(
            self.values,
            False,
            self.lon,
            self.lat,
            self.is_safe_entry,
            self.bounds,
            self.in_point_tree,
            shared.of_tuple(self.pcodes),
            shared(_ancestors(self.pcodes, gazetteer)),
        )


def _placement(
    entry: Entry | None, sketch: Sketch, gazetteer: Gazetteer, shared: _SharedSets, reach: float
) -> _Placement:
    """The placement of a row: from its entry when one was made (a confidential provider is
    placed by its public projection), else from its sketch, as the entry would place it.

    `reach` is the index's largest search distance: a confidential entry without a declared
    area is found by a box of that size, measured from the public view of a place.
    """
    if entry is None:
        return Unplaced.of(sketch).placed(gazetteer, shared)
    lon, lat, confidential = entry.lon, entry.lat, entry.confidential
    cells, area_shape = entry.public_area, entry.area_shape
    area_bounds = (
        cells.bounds()
        if cells is not None
        else area_shape.bounds
        if area_shape is not None
        else None
    )
    bounds, in_point_tree = _box(
        area_bounds,
        lon,
        lat,
        entry.provider.service_area.radius_km,
        bool(entry.area_pcodes),
        confidential,
        reach,
    )
    return _Placement(
        _row_values(
            entry.needs, entry.is_safe_entry, confidential, lon, lat, entry.has_declared_area
        ),
        confidential,
        lon,
        lat,
        entry.is_safe_entry,
        bounds,
        in_point_tree,
        entry.area_pcodes,
        entry.area_ancestors,
    )


def placed_new(
    ids: Sequence[bytes] | NDArray[np.bytes_],
    placing: Sequence[Unplaced | Provider],
    gazetteer: Gazetteer,
    *,
    max_distance_km: float,
) -> Placed:
    """The placement of providers placed, but for their gazetteer, where they were read:
    by id, each as its `Unplaced`, or the provider itself if it is confidential (placed by
    its projection). It is what a build of the same providers places."""
    shared = _SharedSets()

    def placement(of: Unplaced | Provider) -> _Placement:
        if isinstance(of, Unplaced):
            return of.placed(gazetteer, shared)
        entry = _entry(of, gazetteer, shared)
        return _placement(entry, Sketch.of(of), gazetteer, shared, max_distance_km)

    return Placed.of(ids, [placement(of) for of in placing])


class Nearby(NamedTuple):
    """Rows of the entries that may serve a place, each with its distance from it in km
    (NaN for an entry without a location, such as a hotline).
    """

    rows: NDArray[np.int64]
    distances: NDArray[np.float64]


_NO_ROWS: NDArray[np.int64] = np.array([], dtype=np.int64)


def _distinct(parts: list[NDArray[np.int64]]) -> NDArray[np.int64]:
    """The rows of all parts, sorted, each once: np.unique's result at half its cost."""
    rows = np.concatenate(parts)
    rows.sort()
    first = np.ones(len(rows), dtype=np.bool_)
    np.not_equal(rows[1:], rows[:-1], out=first[1:])
    return rows[first]


class RowArrays(NamedTuple):
    """What the array steps of a search read about each entry, one item per row."""

    lmb: NDArray[np.float64]  # the entry's point in radians, NaN where it has none
    phi: NDArray[np.float64]
    cos_phi: NDArray[np.float64]
    need_bits: NDArray[np.int64]  # the needs it offers, as taxonomy.need_bits
    is_safe_entry: NDArray[np.bool_]
    reach_only: NDArray[np.bool_]  # covers a place only by being within reach of it
    confidential: NDArray[np.bool_]  # measured from the public view of a place
    live: NDArray[np.bool_]  # False once removed

    @classmethod
    def of(cls, rows: Sequence[RowValues]) -> RowArrays:
        """The arrays of these rows' values, every row live."""
        columns = list(zip(*rows, strict=True)) or [()] * 7
        return cls(
            np.array(columns[0], dtype=np.float64),
            np.array(columns[1], dtype=np.float64),
            np.array(columns[2], dtype=np.float64),
            np.array(columns[3], dtype=np.int64),
            np.array(columns[4], dtype=np.bool_),
            np.array(columns[5], dtype=np.bool_),
            np.array(columns[6], dtype=np.bool_),
            np.ones(len(rows), dtype=np.bool_),
        )


class _Entries(Sequence[Entry]):
    """The entries of a snapshot by row, made on first reading."""

    def __init__(self, entry_at: Callable[[int], Entry], size: int) -> None:
        self._entry_at, self._size = entry_at, size

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, row: int) -> Entry: ...
    @overload
    def __getitem__(self, row: slice) -> Sequence[Entry]: ...
    def __getitem__(self, row: int | slice) -> Entry | Sequence[Entry]:
        if isinstance(row, slice):
            return [self[index] for index in range(*row.indices(self._size))]
        if row < 0:
            row += self._size
        if not 0 <= row < self._size:
            raise IndexError(row)
        return self._entry_at(row)


class _RowTable(NamedTuple):
    """The row arrays of a snapshot: those of its build, shared unchanged by every snapshot
    a write makes from it, with the few rows changed since patched over them on reading.
    A write then costs the size of the change, not of the directory."""

    base: RowArrays
    patch_rows: NDArray[np.int64]  # sorted: rows changed, added (past the base) or removed
    patch: RowArrays  # their values, one item per patched row

    @classmethod
    def of(cls, rows: Sequence[RowValues]) -> _RowTable:
        return cls(RowArrays.of(rows), _NO_ROWS, RowArrays.of(()))

    def take(self, rows: NDArray[np.int64], fields: Sequence[str]) -> list[NDArray[Any]]:
        """The values of `rows` in each of `fields` (of `RowArrays`), one item per row.

        A step takes only the fields it reads: a search reads a few of each nearby row.
        """
        if not len(self.patch_rows):
            return [getattr(self.base, name)[rows] for name in fields]
        where = self._where(rows)
        return [
            self._patched(getattr(self.base, name), getattr(self.patch, name), rows, where)
            for name in fields
        ]

    def take_column(self, name: str, rows: NDArray[np.int64]) -> NDArray[Any]:
        """The values of one field (of `RowArrays`) for `rows`."""
        if not len(self.patch_rows):
            column: NDArray[Any] = getattr(self.base, name)
            return column[rows]
        return self.take(rows, (name,))[0]

    def _gathered(self, rows: NDArray[np.int64]) -> RowArrays:
        """As `take`, for any rows: those past the base and not patched read as blanks."""
        where = self._where(rows)
        return RowArrays._make(
            self._patched(column, patched, rows, where)
            for column, patched in zip(self.base, self.patch, strict=True)
        )

    def _where(self, rows: NDArray[np.int64]) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
        """Which of `rows` are patched, and their positions in the patch."""
        if not len(self.patch_rows):
            return np.zeros(len(rows), dtype=np.bool_), _NO_ROWS
        at = np.minimum(np.searchsorted(self.patch_rows, rows), len(self.patch_rows) - 1)
        hit = self.patch_rows[at] == rows
        return hit, at[hit]

    @staticmethod
    def _patched(
        column: NDArray[Any],
        patched: NDArray[Any],
        rows: NDArray[np.int64],
        where: tuple[NDArray[np.bool_], NDArray[np.int64]],
    ) -> NDArray[Any]:
        hit, from_patch = where
        # Rows past the base are patched: any base value stands in until overwritten.
        if len(column):
            values = column[np.minimum(rows, len(column) - 1)]
        else:
            values = np.zeros(len(rows), column.dtype)
        values[hit] = patched[from_patch]
        return values

    def all_rows(self) -> NDArray[np.int64]:
        """Every row, removed ones included, in order."""
        size = len(self.base.live)
        return np.concatenate(
            [np.arange(size, dtype=np.int64), self.patch_rows[self.patch_rows >= size]]
        )

    def updated(self, changed: dict[int, Entry], removed: Iterable[int]) -> _RowTable:
        """The table with rows changed, added (past the end) or removed."""
        gone = set(removed)
        rows = np.array(sorted({*self.patch_rows.tolist(), *changed, *gone}), dtype=np.int64)
        patch = self._gathered(rows)  # copies: the current snapshot keeps reading its own
        for position, row in enumerate(rows.tolist()):
            entry = changed.get(row)
            if entry is not None:
                for column, value in zip(patch, (*_entry_row_values(entry), True), strict=True):
                    column[position] = value
            elif row in gone:
                patch.live[position] = False
        return _RowTable(self.base, rows, patch)


def _reach(lon: float, lat: float, radius_km: float) -> Bounds:
    """A box holding every point within `radius_km` of the point."""
    _, dlat = degrees_around(lat, radius_km)
    # Longitude degrees shrink towards the pole: take their width at the box's poleward edge.
    dlon, _ = degrees_around(min(90.0, abs(lat) + dlat), radius_km)
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


class _Layer(NamedTuple):
    """Spatial and P-code indexes over some of the rows: trees map positions to rows."""

    point_ids: NDArray[np.int64]
    point_tree: STRtree | None
    area_ids: NDArray[np.int64]
    area_tree: STRtree | None
    by_pcode: dict[str, NDArray[np.int64]]
    by_ancestor: dict[str, NDArray[np.int64]]

    def rows_near(self, place: Place, probes: NDArray[np.object_]) -> list[NDArray[np.int64]]:
        """The rows whose entries may cover `place`, in parts, possibly repeated; `probes`
        are its window and spot (`_probes`)."""
        found = []
        # Queried with an array, a tree answers (probe, position) pairs: positions are [1].
        if self.point_tree is not None:
            found.append(self.point_ids[self.point_tree.query(probes[:1])[1]])
        if self.area_tree is not None:
            found.append(self.area_ids[self.area_tree.query(probes[1:2])[1]])
        for pcode in place.pcodes:
            found.append(self.by_pcode.get(pcode, _NO_ROWS))
        if place.area is not None and place.pcodes:
            found.append(self.by_ancestor.get(place.pcodes[0], _NO_ROWS))
        return found


def _probes(place: Place, public: Place, reach_km: float) -> NDArray[np.object_]:
    """What the trees are queried with, for `place` and then for `public`: a window holding
    every point within `reach_km` of it, and its spot (its area, else its point).

    A tree query compares extents only, so a box of no size at the point finds what the
    point would. One call makes all four, where a shapely object each cost more than the
    queries did; and an array skips the steps shapely takes to wrap one geometry into one.
    """
    dlon, dlat = degrees_around(place.lat, reach_km)
    plon, plat = degrees_around(public.lat, reach_km)
    probes: NDArray[np.object_] = shapely.box(
        (place.lon - dlon, place.lon, public.lon - plon, public.lon),
        (place.lat - dlat, place.lat, public.lat - plat, public.lat),
        (place.lon + dlon, place.lon, public.lon + plon, public.lon),
        (place.lat + dlat, place.lat, public.lat + plat, public.lat),
    )
    if place.area is not None:
        probes[1] = place.area
    if public.area is not None:
        probes[3] = public.area
    return probes


# The fields of a row that place it: its point on the sphere, and from which view of a
# place it is measured.
_PLACED = ("lmb", "phi", "cos_phi", "confidential")


def _point_tree(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> STRtree | None:
    """A tree of points, made in one call rather than a shapely object built per point."""
    return STRtree(shapely.points(lon, lat)) if len(lon) else None


def _rows_of(found: Sequence[int]) -> NDArray[np.int64]:
    return np.array(found, dtype=np.int64)


class LayerColumns(NamedTuple):
    """One layer of a build as arrays, from which its trees are made in a few calls."""

    point_rows: NDArray[np.int64]  # rows in the point tree
    area_rows: NDArray[np.int64]  # rows in the area tree, with the box of each
    area_bounds: NDArray[np.float64]  # (west, south, east, north) of each
    by_pcode: dict[str, NDArray[np.int64]]
    by_ancestor: dict[str, NDArray[np.int64]]

    @classmethod
    def of(cls, placements: Iterable[tuple[int, _Placement]]) -> LayerColumns:
        """The layer of these rows."""
        points: list[int] = []
        areas: list[int] = []
        bounds: list[Bounds] = []
        by_pcode: dict[str, list[int]] = {}
        by_ancestor: dict[str, list[int]] = {}
        for row, placed in placements:
            if placed.bounds is not None:
                areas.append(row)
                bounds.append(placed.bounds)
            elif placed.in_point_tree:
                points.append(row)
            for pcode in placed.pcodes:
                by_pcode.setdefault(pcode, []).append(row)
            for pcode in placed.ancestors:
                by_ancestor.setdefault(pcode, []).append(row)
        return cls(
            _rows_of(points),
            _rows_of(areas),
            np.array(bounds, dtype=np.float64).reshape(-1, 4),
            {pcode: _rows_of(found) for pcode, found in by_pcode.items()},
            {pcode: _rows_of(found) for pcode, found in by_ancestor.items()},
        )

    def layer(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> _Layer:
        """The layer's trees over the rows' points (`lon`, `lat` by row)."""
        # A tree compares extents only: a box per area finds what its geometry would.
        areas = STRtree(shapely.box(*self.area_bounds.T)) if len(self.area_rows) else None
        return _Layer(
            self.point_rows,
            _point_tree(lon[self.point_rows], lat[self.point_rows]),
            self.area_rows,
            areas,
            self.by_pcode,
            self.by_ancestor,
        )


class Placed(NamedTuple):
    """Where a build put every row, as arrays: the index is made from it in a few
    vectorised calls, and a snapshot file holds it."""

    ids: NDArray[np.bytes_]  # each row's provider id, its 16 bytes
    id_order: NDArray[np.int64]  # the rows in the order of their ids
    lon: NDArray[np.float64]  # NaN where a row has no location
    lat: NDArray[np.float64]
    rows: RowArrays
    public: LayerColumns
    confidential: LayerColumns

    @classmethod
    def of(
        cls, ids_bytes: Sequence[bytes] | NDArray[np.bytes_], placements: Sequence[_Placement]
    ) -> Placed:
        """The placement of the providers of these ids, placed one by one."""
        ids = np.array(ids_bytes, dtype="S16")
        located = [(placed.lon, placed.lat) for placed in placements]
        lon, lat = np.array(located, dtype=np.float64).reshape(-1, 2).T
        return cls(
            ids,
            np.argsort(ids, kind="stable"),
            np.ascontiguousarray(lon),
            np.ascontiguousarray(lat),
            RowArrays.of([placed.values for placed in placements]),
            LayerColumns.of((r, p) for r, p in enumerate(placements) if not p.confidential),
            LayerColumns.of((r, p) for r, p in enumerate(placements) if p.confidential),
        )


class _BuiltIds(Mapping[str, int]):
    """The row of each provider id of a build, looked up in its sorted ids: no table of a
    million strings for the few writes that ask."""

    def __init__(self, ids: NDArray[np.bytes_], order: NDArray[np.int64]) -> None:
        self._ids, self._order, self._sorted = ids, order, ids[order]

    def __getitem__(self, id_text: str) -> int:
        try:
            # Compared as numpy compares its fixed-width values: a value read out of the
            # array has lost its trailing zero bytes, and would differ from the id's bytes.
            key = np.array([UUID(id_text).bytes], dtype="S16")
        except ValueError:
            raise KeyError(id_text) from None
        at = int(np.searchsorted(self._sorted, key)[0])
        if at == len(self._sorted) or not self._sorted[at : at + 1] == key:
            raise KeyError(id_text)
        return int(self._order[at])

    def __iter__(self) -> Iterator[str]:
        # numpy drops the trailing zero bytes of a fixed-width value on reading it.
        return (str(UUID(bytes=bytes(item).ljust(16, b"\0"))) for item in self._ids)

    def __len__(self) -> int:
        return len(self._ids)


class _SnapshotIds(Mapping[str, int]):
    """The rows of the ids of a snapshot: those added since its build, then the build's."""

    def __init__(self, added: Mapping[str, int], built: Mapping[str, int]) -> None:
        self._added, self._built = added, built

    def __getitem__(self, id_text: str) -> int:
        row = self._added.get(id_text)
        return self._built[id_text] if row is None else row

    def __iter__(self) -> Iterator[str]:
        yield from self._built
        yield from self._added

    def __len__(self) -> int:
        return len(self._built) + len(self._added)


class DirectoryIndex:
    """Providers with a spatial index: which of them could serve a place, fast.

    `candidates` returns a superset of the providers that cover a place; search then checks
    each exactly, so the index only decides speed, never the answer.

    A build places every provider from its sketch and makes its `Entry` (and decodes the
    provider) when a search first reads it: a search reads a few dozen of a directory's
    rows, and a start that made an object tree for each of a million providers took
    minutes. A build from providers makes the confidential ones at once, since they are
    placed by their projection; one mapped from a file was placed before.
    """

    def __init__(
        self,
        providers: Sequence[Provider] | StoredProviders,
        gazetteer: Gazetteer,
        *,
        max_distance_km: float,
        revision: int = 0,
        last_sequence: int = 0,
    ) -> None:
        stored = (
            providers if isinstance(providers, StoredProviders) else StoredProviders.of(providers)
        )
        sketches = stored.sketches
        self._start(stored.provider, len(sketches), gazetteer, max_distance_km)
        self.revision, self.last_sequence = revision, last_sequence
        placements = [
            _placement(
                self._made_entry(row) if sketch.restricted else None,
                sketch,
                gazetteer,
                self._shared_sets,
                max_distance_km,
            )
            for row, sketch in enumerate(sketches)
        ]
        self._place(Placed.of([sketch.id.bytes for sketch in sketches], placements))

    @classmethod
    def placed(
        cls,
        placed: Placed,
        provider: Callable[[int], Provider],
        gazetteer: Gazetteer,
        *,
        max_distance_km: float,
        revision: int,
        last_sequence: int,
    ) -> DirectoryIndex:
        """The index of a build placed before (read back from a snapshot file), whose
        rows' providers `provider` gives."""
        index = cls.__new__(cls)
        index._start(provider, len(placed.ids), gazetteer, max_distance_km)
        index.revision, index.last_sequence = revision, last_sequence
        index._place(placed)
        return index

    def _start(
        self,
        provider: Callable[[int], Provider],
        size: int,
        gazetteer: Gazetteer,
        max_distance_km: float,
    ) -> None:
        self.gazetteer = gazetteer
        self.max_distance_km = max_distance_km
        # Entries changed since the trees were built (always candidates) and removed ones.
        self._extra: frozenset[int] = frozenset()
        self._extra_rows = _NO_ROWS
        self._removed: frozenset[int] = frozenset()
        self._shared_sets = _SharedSets()
        # Shared by the snapshots that writes make from this one, and only ever filled in:
        # a write records its rows in `_patched` and `_added` instead. The lock makes one
        # entry per row, whichever search made it first: the ranking's memo knows an entry
        # by its identity for as long as the snapshot lives.
        self._provider_at = provider
        self._made: list[Entry | None] = [None] * size
        self._making = threading.Lock()
        self._patched: dict[int, Entry] = {}
        self._added: dict[str, int] = {}

    def _place(self, placed: Placed) -> None:
        self.placement = placed
        self._built_ids = _BuiltIds(placed.ids, placed.id_order)
        self._rows = _RowTable(placed.rows, _NO_ROWS, RowArrays.of(()))
        self._has_confidential = bool(placed.rows.confidential.any())
        self._public = placed.public.layer(placed.lon, placed.lat)
        # Confidential providers are looked up from the public view of a place alone.
        self._confidential = placed.confidential.layer(placed.lon, placed.lat)
        safe = placed.rows.is_safe_entry
        located = ~np.isnan(placed.lon)
        self._safe_ids = np.flatnonzero(safe & located).tolist()
        self._safe_tree = _point_tree(placed.lon[self._safe_ids], placed.lat[self._safe_ids])
        self._safe_unlocated = np.flatnonzero(safe & ~located).tolist()

    def _made_entry(self, row: int) -> Entry:
        """The entry of a row of the build, made on its first reading."""
        entry = self._made[row]
        if entry is None:
            made = _entry(self._provider_at(row), self.gazetteer, self._shared_sets)
            with self._making:
                entry = self._made[row]
                if entry is None:
                    entry = self._made[row] = made
        return entry

    def __len__(self) -> int:
        return len(self._made) + len(self._added) - len(self._removed)

    @property
    def entries(self) -> Sequence[Entry]:
        """Every entry by row, removed ones included."""
        return _Entries(self._entry_at(), len(self._made) + len(self._added))

    @property
    def by_id(self) -> Mapping[str, int]:
        """The row of each provider id, removed ones included."""
        return _SnapshotIds(self._added, self._built_ids)

    def _entry_at(self) -> Callable[[int], Entry]:
        made, make = self._made, self._made_entry
        if not self._patched:
            return lambda row: made[row] or make(row)
        patched = self._patched
        return lambda row: patched.get(row) or made[row] or make(row)

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
        (their old tree positions only make the candidates a larger superset). The entries,
        ids and arrays of the build are shared too, the rows changed since patched over
        them: a write costs the size of the changes since the build, not of the directory.
        """
        new = copy.copy(self)
        patched, added = dict(self._patched), dict(self._added)
        extra, gone = set(self._extra), set(self._removed)
        updated: dict[int, Entry] = {}

        def row_of(id_text: str) -> int | None:
            row = added.get(id_text)
            return self._built_ids.get(id_text) if row is None else row

        for provider in changed:
            entry = _entry(provider, self.gazetteer, self._shared_sets)
            row = row_of(entry.id_text)
            if row is None:
                row = added[entry.id_text] = len(self._made) + len(added)
            patched[row] = updated[row] = entry
            new._has_confidential = new._has_confidential or entry.confidential
            extra.add(row)
            gone.discard(row)
        dropped = []
        for id_text in removed:
            row = row_of(id_text)
            if row is not None:
                dropped.append(row)
                gone.add(row)
                extra.discard(row)
                updated.pop(row, None)
        new._patched, new._added = patched, added
        new._extra, new._removed = frozenset(extra), frozenset(gone)
        new._extra_rows = np.array(sorted(extra), dtype=np.int64)
        new._rows = self._rows.updated(updated, dropped)
        new.revision, new.last_sequence = revision, last_sequence
        return new

    def nearest_safe_entry(
        self, place: Place, public: Place, usable: Callable[[Entry], bool]
    ) -> tuple[Entry, float | None] | None:
        """The usable safe entry point nearest on the sphere, whatever its declared area.

        Boxes in degrees widen until one holds a usable entry within its inscribed circle,
        so the answer is the great-circle nearest, not the planar one. Confidential entries
        are measured from the `public` view of the place, up to a cell away from the place,
        so a box is trusted only that much inside its circle. Entries without a location
        (hotlines) come last, nearest first by id.
        """
        lon, lat = place.lon, place.lat
        entry_at = self._entry_at()
        tree = self._safe_tree
        # Entries changed since the build count even when the build had no located one.
        if tree is not None or self._extra:
            radius = 25.0
            while True:
                dlon, dlat = degrees_around(lat, radius)
                window = box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)
                best: tuple[float, str, Entry] | None = None
                found = tree.query(window).tolist() if tree is not None else []
                rows = {self._safe_ids[position] for position in found}
                for row in (rows | self._extra) - self._removed:
                    entry = entry_at(row)
                    if not entry.is_safe_entry or entry.lon is None or entry.lat is None:
                        continue
                    if not usable(entry):
                        continue
                    origin = public if entry.confidential else place
                    distance = distance_km(origin.lon, origin.lat, entry.lon, entry.lat)
                    key = (distance, entry.id_text, entry)
                    if best is None or key[:2] < best[:2]:
                        best = key
                whole_earth = dlon >= 180 and dlat >= 90
                trusted = radius - CELL_HALF_DIAGONAL_KM if self._has_confidential else radius
                if best is not None and (best[0] <= trusted or whole_earth):
                    return best[2], best[0]
                if whole_earth:
                    break
                radius *= 4
        rows = (set(self._safe_unlocated) | self._extra) - self._removed
        unlocated = sorted(
            (
                entry
                for entry in map(entry_at, rows)
                if entry.is_safe_entry and entry.lon is None and usable(entry)
            ),
            key=lambda entry: entry.id_text,
        )
        return (unlocated[0], None) if unlocated else None

    def candidates(self, place: Place, public: Place, max_distance_km: float) -> Nearby:
        """Every entry that may cover `place` (confidential ones: its `public` view), each
        once, with its distance from it."""
        probes = _probes(place, public, max_distance_km)
        found = [
            self._extra_rows,
            *self._public.rows_near(place, probes[:2]),
            *self._confidential.rows_near(public, probes[2:]),
        ]
        rows, (*placed, reach_only) = self._live(_distinct(found), (*_PLACED, "reach_only"))
        distances = self._measured(place, public, placed)
        # The box's corners hold a fifth of its points, out of reach: dropping them here at
        # once saves looking at each of them in Python.
        kept = ~(reach_only & (distances > max_distance_km))
        return Nearby(rows[kept], distances[kept])

    def everywhere(self, place: Place, public: Place) -> Nearby:
        """Every entry of the directory (removed ones left out), with its distance."""
        rows, placed = self._live(self._rows.all_rows(), _PLACED)
        return Nearby(rows, self._measured(place, public, placed))

    def _live(
        self, rows: NDArray[np.int64], fields: Sequence[str]
    ) -> tuple[NDArray[np.int64], list[NDArray[Any]]]:
        """Those of `rows` not removed, with their values in `fields`."""
        if not self._removed:
            return rows, self._rows.take(rows, fields)
        *columns, live = self._rows.take(rows, (*fields, "live"))
        return rows[live], [column[live] for column in columns]

    def public_view(self, place: Place) -> Place:
        """The view of `place` that confidential providers are ranked against."""
        return self.gazetteer.public_view(place) if self._has_confidential else place

    @staticmethod
    def _measured(place: Place, public: Place, placed: list[NDArray[Any]]) -> NDArray[np.float64]:
        """The distance of each row (its `_PLACED` fields) from `place`, or from `public` for
        a confidential entry."""
        lmb, phi, cos_phi, confidential = placed
        views = np.array(
            (SpherePoint.of(place.lon, place.lat), SpherePoint.of(public.lon, public.lat))
        )
        # The view each row is measured from, picked by index: one pass for both views.
        lmb0, phi0, cos_phi0 = views[confidential.view(np.uint8)].T
        return distances_km((lmb0, phi0, cos_phi0), (lmb, phi, cos_phi))

    def entries_of(
        self, nearby: Nearby, where: NDArray[np.bool_] | None = None
    ) -> Iterator[tuple[Entry, float | None]]:
        """The entries of `nearby` (those `where` marks, if given) with their distances."""
        rows, distances = nearby
        if where is not None:
            rows, distances = rows[where], distances[where]
        listed: list[float | None] = distances.tolist()
        for position in np.flatnonzero(np.isnan(distances)).tolist():
            listed[position] = None
        return zip(map(self._entry_at(), rows.tolist()), listed, strict=True)

    def offering(self, nearby: Nearby, needs: int) -> Iterator[tuple[Entry, float | None]]:
        """The entries of `nearby` that offer any of `needs` (as taxonomy.need_bits)."""
        return self.entries_of(
            nearby, (self._rows.take_column("need_bits", nearby.rows) & needs) != 0
        )

    def safe_entries(self, nearby: Nearby) -> Iterator[tuple[Entry, float | None]]:
        """The safe entry points among the entries of `nearby`."""
        return self.entries_of(nearby, self._rows.take_column("is_safe_entry", nearby.rows))
