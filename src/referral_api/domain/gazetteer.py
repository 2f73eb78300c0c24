"""Where a survivor is: P-codes for a point, and places for a name, all offline."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import compress

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely import STRtree, box
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from referral_api.domain.errors import AmbiguousPlaceError, FieldProblem, InvalidInputError
from referral_api.domain.model import AdminArea
from referral_api.domain.projection import (
    Cell,
    CellArea,
    cell_bounds,
    cell_of,
    centre_of,
    footprint,
)


@dataclass(frozen=True, slots=True)
class Locality:
    """A named place without a P-code of its own (a quartier, a town inside a commune)."""

    name: str
    lon: float
    lat: float
    adm3_pcode: str | None


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved location: a point, the admin chain it lies in, and the area when one was named.

    `pcodes` lists the P-codes from the most precise up (adm3, adm2, adm1); `area` is the
    polygon of a named admin area, so that coverage can be tested against the whole area.
    """

    lon: float
    lat: float
    pcodes: tuple[str, ...]
    label: str
    area: BaseGeometry | None = None
    footprint: CellArea | None = None  # the grid cells of `area`, in a place's public view


def normalize(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces: how names are compared."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", stripped.lower()).split())


MAX_CANDIDATES = 12
_ORDINALS = {1: ("1er", "1re", "1st", "premier"), 2: ("2nd", "2e", "2eme", "deuxieme")}
_ARRONDISSEMENT = re.compile(r"^arrondissement (\d)$")


def _aliases(area: AdminArea) -> set[str]:
    names = {normalize(area.name)}
    if area.name_ref:
        names.add(normalize(area.name_ref))
    match = _ARRONDISSEMENT.match(normalize(area.name))
    if match:
        n = int(match.group(1))
        suffixes = {f"{n}e", f"{n}eme", f"{n}th", f"{n}rd", f"{n}nd", f"{n}st", f"{n}"}
        suffixes.update(_ORDINALS.get(n, ()))
        for suffix in suffixes:
            names |= {f"{suffix} arrondissement", f"{suffix} arr", f"arrondissement {suffix}"}
            names |= {f"bangui {suffix}", f"bangui {suffix} arrondissement"}
    return names


@dataclass(frozen=True, slots=True)
class _Entry:
    label: str
    pcode: str | None
    lon: float
    lat: float
    level: int


# Grid cells whose areas are remembered: a country of 600,000 km² has about 20,000.
CELLS_KEPT = 65_536


@dataclass(frozen=True, slots=True)
class _CellAreas:
    """The areas with a polygon that meet a closed grid cell, as `pcodes_at` lists them.

    An area that covers the whole closed cell holds each of its points; only those whose
    boundary crosses the cell (at `crossing_at` in `pcodes`) are asked about each point.
    Away from boundaries, a point's areas are then a look-up, not a polygon test each.
    """

    pcodes: tuple[str, ...]
    crossing_at: NDArray[np.int64] | None  # None when none crosses: most cells, kept small
    crossing: NDArray[np.object_] | None
    centre: tuple[str, ...] = ()  # the areas of the cell's centre, its public view

    def of_point(self, lon: float, lat: float) -> tuple[str, ...]:
        """The P-codes of a point of the closed cell."""
        if self.crossing_at is None or self.crossing is None:
            return self.pcodes
        inside = np.ones(len(self.pcodes), dtype=np.bool_)
        inside[self.crossing_at] = shapely.intersects_xy(self.crossing, lon, lat)
        return tuple(compress(self.pcodes, inside.tolist()))


class Gazetteer:
    """Admin areas (with polygons where known) and localities, indexed for look-ups."""

    def __init__(self, areas: Sequence[AdminArea], localities: Sequence[Locality] = ()) -> None:
        self._areas = {area.pcode: area for area in areas}
        polygons = [(a, shape(a.geometry)) for a in areas if a.geometry is not None]
        self._polygon_areas = [area for area, _ in polygons]
        self._shapes: list[BaseGeometry] = [geometry for _, geometry in polygons]
        self._tree = STRtree(self._shapes) if self._shapes else None
        # A tree lists what a query finds in one order, that of its leaves, whatever the
        # query: P-codes come most precise first, then in that order (a point on a border
        # is in both areas), as a query of the tree for the point would list them.
        leaves = (
            self._tree.query(box(*shapely.total_bounds(self._shapes)))
            if self._tree is not None
            else []
        )
        rank = {at: n for n, at in enumerate(np.asarray(leaves).tolist())}
        self._order = [(-area.level, rank[at]) for at, area in enumerate(self._polygon_areas)]
        self._footprints: dict[str, CellArea] = {}
        self._polygons: dict[str, BaseGeometry] = {}
        self._cells: dict[Cell, _CellAreas] = {}
        self._names: dict[str, list[_Entry]] = {}
        for area in areas:
            entry = _Entry(area.name, area.pcode, area.label_lon, area.label_lat, area.level)
            for alias in _aliases(area):
                self._names.setdefault(alias, []).append(entry)
        for locality in localities:
            entry = _Entry(locality.name, locality.adm3_pcode, locality.lon, locality.lat, 5)
            self._names.setdefault(normalize(locality.name), []).append(entry)

    def __len__(self) -> int:
        return len(self._areas)

    def area(self, pcode: str) -> AdminArea | None:
        """The admin area with that P-code."""
        return self._areas.get(pcode)

    def chain(self, pcode: str) -> tuple[str, ...]:
        """The P-code and its ancestors, most precise first."""
        out: list[str] = []
        current = self._areas.get(pcode)
        while current is not None and current.pcode not in out:
            out.append(current.pcode)
            current = self._areas.get(current.parent_pcode) if current.parent_pcode else None
        return tuple(out)

    def pcodes_at(self, lon: float, lat: float) -> tuple[str, ...]:
        """P-codes of the areas containing the point, most precise first (empty outside)."""
        if self._tree is None:
            return ()
        cell = cell_of(lon, lat)
        return self._pcodes_in(self._cell(cell), cell, lon, lat)

    def _pcodes_in(self, areas: _CellAreas, cell: Cell, lon: float, lat: float) -> tuple[str, ...]:
        """`pcodes_at` for a point found in `cell`, whose areas are `areas`."""
        west, south, east, north = cell_bounds(cell)
        if west <= lon <= east and south <= lat <= north:
            return areas.of_point(lon, lat)
        # Rounding put the point an ulp outside the cell it was found in: ask the tree.
        # A point intersects a polygon exactly when the polygon covers it (boundary included).
        assert self._tree is not None
        found = self._tree.query(Point(lon, lat), predicate="intersects")
        return tuple(self._polygon_areas[at].pcode for at in self._ordered(found))

    def _ordered(self, found: NDArray[np.int64]) -> list[int]:
        """Positions of the polygons found, most precise first, then in the tree's order."""
        return sorted(found.tolist(), key=self._order.__getitem__)

    def _cell(self, cell: Cell) -> _CellAreas:
        """The areas meeting `cell`, remembered: every search from a cell asks for them."""
        known = self._cells.get(cell)
        if known is not None:
            return known
        assert self._tree is not None
        closed = box(*cell_bounds(cell))
        ordered = self._ordered(self._tree.query(closed, predicate="intersects"))
        shapes = self._tree.geometries.take(ordered)
        crossing_at = np.flatnonzero(~shapely.covers(shapes, closed))
        # Left unprepared: a prepared polygon builds its index lazily, at its first test,
        # which two searches on two threads could then do at once.
        pcodes = tuple(self._polygon_areas[at].pcode for at in ordered)
        known = (
            _CellAreas(pcodes, crossing_at, shapes[crossing_at])
            if len(crossing_at)
            else _CellAreas(pcodes, None, None)
        )
        centre = self._pcodes_in(known, cell, *centre_of(cell))
        if len(self._cells) >= CELLS_KEPT:
            self._cells.clear()
        known = self._cells[cell] = replace(known, centre=centre)
        return known

    def units_of_cell(self, cell: Cell) -> tuple[str, ...]:
        """P-codes of the areas a grid cell of the public projection touches."""
        if self._tree is None:
            return ()
        return tuple(sorted(self._cell(cell).pcodes))

    def at_point(self, lon: float, lat: float) -> Place:
        """The place for a point given as coordinates."""
        pcodes = self.pcodes_at(lon, lat)
        area = self._areas.get(pcodes[0]) if pcodes else None
        return Place(lon, lat, pcodes, area.name if area else "")

    def at_pcode(self, pcode: str) -> Place:
        """The place for a P-code: its label point, its chain, and its polygon if known."""
        area = self._areas.get(pcode)
        if area is None:
            raise InvalidInputError(
                f"Unknown P-code {pcode!r}; see GET /v1/areas",
                (FieldProblem(("pcode",), "not in the gazetteer"),),
            )
        return Place(
            area.label_lon, area.label_lat, self.chain(pcode), area.name, self._polygon(area)
        )

    def _polygon(self, area: AdminArea) -> BaseGeometry | None:
        """The polygon of a named area, read once: a prefecture's thousands of vertices took
        longer to read than a search. Its own object, not the tree's, made whole (prepared
        by its footprint) before any search can share it."""
        if area.geometry is None:
            return None
        known = self._polygons.get(area.pcode)
        if known is None:
            known = shape(area.geometry)
            self._footprints.setdefault(area.pcode, footprint(known))
            self._polygons[area.pcode] = known
        return known

    def public_view(self, place: Place) -> Place:
        """The place as confidential providers are ranked against it (see `projection`).

        A point becomes the centre of its grid cell, in the areas that contain that centre;
        a named area keeps its P-codes and polygon and gains the cells the polygon touches.
        """
        cell = cell_of(place.lon, place.lat)
        lon, lat = centre_of(cell)
        if place.area is None or not place.pcodes:
            pcodes = self._cell(cell).centre if self._tree is not None else ()
            return Place(lon, lat, pcodes, place.label)
        pcode = place.pcodes[0]
        cells = self._footprints.get(pcode)
        if cells is None:  # at most one per area of the gazetteer
            cells = self._footprints[pcode] = footprint(place.area)
        return Place(lon, lat, place.pcodes, place.label, place.area, cells)

    def _most_precise(self, entries: Iterable[_Entry]) -> list[_Entry]:
        # "Bimbo" is both a sous-préfecture and its only commune, "Bangui" a préfecture and
        # its city: when every match lies on one chain of nested areas, the deepest wins.
        unique = {(e.pcode, e.label, e.lon, e.lat): e for e in entries}
        found = sorted(unique.values(), key=lambda e: -e.level)
        deepest = found[0]
        chain = set(self.chain(deepest.pcode)) if deepest.pcode else set()
        if all(e is deepest or (e.pcode in chain and e.level < deepest.level) for e in found):
            return [deepest]
        return found

    def _describe(self, entry: _Entry) -> str:
        parent = self._areas.get(entry.pcode or "")
        if entry.pcode and entry.level <= 4:
            return f"{entry.label} ({entry.pcode})"
        return f"{entry.label} ({parent.name})" if parent else entry.label

    def resolve(self, name: str) -> Place:
        """The one place a typed name means, or an error listing what it could mean."""
        key = normalize(name)
        entries = self._names.get(key, [])
        if not entries:
            containing = [alias for alias in self._names if len(key) >= 3 and key in alias]
            close = difflib.get_close_matches(key, list(self._names), n=5, cutoff=0.75)
            described = {self._describe(e) for a in containing + close for e in self._names[a]}
            candidates = sorted(described)[:MAX_CANDIDATES]
            raise AmbiguousPlaceError(f"Unknown place {name!r}", candidates)
        found = self._most_precise(entries)
        if len(found) > 1:
            candidates = sorted(self._describe(entry) for entry in found)
            raise AmbiguousPlaceError(
                f"{name!r} names {len(found)} places; give a P-code instead", candidates
            )
        entry = found[0]
        if entry.level <= 4 and entry.pcode:
            return self.at_pcode(entry.pcode)
        chain = self.chain(entry.pcode) if entry.pcode else self.pcodes_at(entry.lon, entry.lat)
        return Place(entry.lon, entry.lat, chain, entry.label)
