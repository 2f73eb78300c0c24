"""The public projection of a confidential provider: all that may be learnt of where it is.

A caller who may not locate a safe house observes it only through what search, listings,
the change feed and every other read path compute from this projection, never from the
exact entry: so no probing, however many queries it takes, learns more than the projection
holds. The projection is a grid of cells `GRID_DEGREES` wide (about 5.5 km at the equator):

- its point is the centre of the cell the provider lies in;
- its service area is a set of cells: its own cell, and each cell whose centre lies within
  the declared radius of the own cell's centre (a confidential entry may not declare a
  polygon: anything computed from one tells where it is); served P-codes count as their
  adm2 units, with every unit the own cell touches; no admin unit of its own shows;
- the query is seen through the same grid: a confidential provider is ranked against the
  centre of the query's cell (and the areas containing that centre), or, for a named area,
  against the cells the area touches. Two places in one cell get the same answer about it.

See docs/confidentiality.md for the reasons behind the grid and what it still reveals.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from referral_api.domain.geometry import (
    SpherePoint,
    degrees_around,
    distances_km,
)
from referral_api.domain.model import AdminCodes, Provider, ServiceArea

GRID_DEGREES = 0.05
# Half the diagonal of a cell in km, at most: how far a point lies from its cell's centre.
CELL_HALF_DIAGONAL_KM = 4.0
# An area spanning more cells than this (about 300,000 km² at the equator, half the Central
# African Republic) is not listed cell by cell: it stands for every cell of its bounding
# span, a superset, which is safe (it can only make a provider show in more places) and
# keeps each provider's share of memory under a megabyte.
MAX_LISTED_CELLS = 10_000

# Service P-codes of confidential providers count no finer than this admin level.
PUBLIC_PCODE_LEVEL = 2

Cell = tuple[int, int]


def cell_of(lon: float, lat: float) -> Cell:
    """The grid cell holding a point: cells are [i·G, (i+1)·G) in each direction."""
    return math.floor(lon / GRID_DEGREES), math.floor(lat / GRID_DEGREES)


def centre_of(cell: Cell) -> tuple[float, float]:
    """The centre of a cell, as lon, lat in degrees (6 decimals, within WGS84 ranges)."""
    lon = min(180.0, max(-180.0, (cell[0] + 0.5) * GRID_DEGREES))
    lat = min(90.0, max(-90.0, (cell[1] + 0.5) * GRID_DEGREES))
    return round(lon, 6), round(lat, 6)


def snap(lon: float, lat: float) -> tuple[float, float]:
    """The public form of a point: the centre of its cell."""
    return centre_of(cell_of(lon, lat))


@dataclass(frozen=True, slots=True)
class CellArea:
    """A set of grid cells: listed one by one, or every cell of `span` when too many to list.

    `span` is (west, south, east, north) cell indices, inclusive; None for no cell at all.
    """

    span: tuple[int, int, int, int] | None
    cells: frozenset[Cell] | None

    def __contains__(self, cell: object) -> bool:
        if self.cells is not None:
            return cell in self.cells
        if self.span is None or not isinstance(cell, tuple):
            return False
        column, row = cell
        west, south, east, north = self.span
        return bool(west <= column <= east and south <= row <= north)

    def meets(self, other: CellArea) -> bool:
        """Whether the two share a cell."""
        if self.cells is not None and other.cells is not None:
            small, large = sorted((self.cells, other.cells), key=len)
            return not large.isdisjoint(small)
        if self.cells is not None or other.cells is not None:
            listed, spanned = (self, other) if self.cells is not None else (other, self)
            assert listed.cells is not None
            return any(cell in spanned for cell in listed.cells)
        if self.span is None or other.span is None:
            return False
        a, b = self.span, other.span
        return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]

    def bounds(self) -> tuple[float, float, float, float] | None:
        """The area's bounding box in degrees (west, south, east, north)."""
        if self.span is None:
            return None
        west, south, east, north = self.span
        return (
            west * GRID_DEGREES,
            south * GRID_DEGREES,
            (east + 1) * GRID_DEGREES,
            (north + 1) * GRID_DEGREES,
        )


def _span_of(cells: Iterable[Cell]) -> tuple[int, int, int, int] | None:
    listed = list(cells)
    if not listed:
        return None
    columns, rows = zip(*listed, strict=True)
    return min(columns), min(rows), max(columns), max(rows)


CellTest = Callable[[NDArray[np.float64], NDArray[np.float64]], NDArray[np.bool_]]


def _cells_where(
    bounds: tuple[float, float, float, float], keep: CellTest, extra: Iterable[Cell]
) -> CellArea:
    """The cells of `bounds` whose centres `keep` accepts, and the `extra` ones."""
    west, south, east, north = bounds
    (i0, j0), (i1, j1) = cell_of(west, south), cell_of(east, north)
    extra = frozenset(extra)
    if (i1 - i0 + 1) * (j1 - j0 + 1) > MAX_LISTED_CELLS:
        corners = [(i0, j0), (i1, j1), *extra]
        return CellArea(_span_of(corners), None)
    grid = np.meshgrid(np.arange(i0, i1 + 1), np.arange(j0, j1 + 1), indexing="ij")
    columns, rows = grid[0].ravel(), grid[1].ravel()
    lon = np.round(np.clip((columns + 0.5) * GRID_DEGREES, -180.0, 180.0), 6)
    lat = np.round(np.clip((rows + 0.5) * GRID_DEGREES, -90.0, 90.0), 6)
    kept = keep(lon, lat)
    cells = frozenset(zip(columns[kept].tolist(), rows[kept].tolist(), strict=True)) | extra
    return CellArea(_span_of(cells), cells)


def public_area(provider: Provider) -> CellArea | None:
    """The cells a confidential provider's declared radius stands for in public: those
    whose centres lie within it of the centre of the provider's own cell, and that cell.

    None for any other area. A confidential entry may not declare a polygon (validation
    refuses one), and one stored before that rule counts for nothing: which cells a polygon
    holds, its extent and even its area (a buffer clipped at a border shrinks as the place
    nears the border) are functions of where the place is.
    """
    radius = provider.service_area.radius_km
    if radius is None or provider.lon is None or provider.lat is None:
        return None
    own = cell_of(provider.lon, provider.lat)
    lon0, lat0 = centre_of(own)
    dlon, dlat = degrees_around(lat0, radius)
    centre = SpherePoint.of(lon0, lat0)

    def within(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
        phi = np.radians(lat)
        distances = distances_km(centre, (np.radians(lon), phi, np.cos(phi)))
        near: NDArray[np.bool_] = distances <= radius
        return near

    box = (
        max(-180.0, lon0 - dlon),
        max(-90.0, lat0 - dlat),
        min(180.0, lon0 + dlon),
        min(90.0, lat0 + dlat),
    )
    return _cells_where(box, within, [own])


def cell_bounds(cell: Cell) -> tuple[float, float, float, float]:
    """The cell's box in degrees (west, south, east, north)."""
    return (
        cell[0] * GRID_DEGREES,
        cell[1] * GRID_DEGREES,
        (cell[0] + 1) * GRID_DEGREES,
        (cell[1] + 1) * GRID_DEGREES,
    )


# A P-code and its ancestors, most precise first (`Gazetteer.chain`).
Chain = Callable[[str], tuple[str, ...]]


def public_pcodes(
    pcodes: Iterable[str], chain: Chain, units_of_cell: Iterable[str] = ()
) -> tuple[str, ...]:
    """A confidential provider's service P-codes as search uses them.

    Each is raised to its adm2 unit: a house that serves one arrondissement of a few km²
    most likely lies in it. And when it serves any, it serves too every unit its own cell
    touches (`units_of_cell`, raised alike): a cell straddling Bangui and Bimbo would
    otherwise tell, by the side it serves, on which side of the line the house is.
    """

    def raised(pcode: str) -> str:
        found = chain(pcode)
        return found[-PUBLIC_PCODE_LEVEL] if len(found) > PUBLIC_PCODE_LEVEL else pcode

    declared = [raised(pcode) for pcode in pcodes]
    if not declared:
        return ()
    return tuple(dict.fromkeys([*declared, *map(raised, units_of_cell)]))


def footprint(geometry: BaseGeometry) -> CellArea:
    """The cells a named area (a polygon of the gazetteer) touches."""
    west, south, east, north = geometry.bounds
    shapely.prepare(geometry)

    def touched(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
        half = GRID_DEGREES / 2
        boxes = shapely.box(lon - half, lat - half, lon + half, lat + half)
        found: NDArray[np.bool_] = shapely.intersects(geometry, boxes)
        return found

    return _cells_where((west, south, east, north), touched, ())


def public_projection(
    provider: Provider, chain: Chain, units_at: Callable[[Cell], Iterable[str]]
) -> Provider:
    """What a confidential provider is, as far as anyone who may not locate it is concerned.

    The point becomes its cell's centre; the address and admin units go (a cell may straddle
    units of any level: which one holds the house would split it); the polygon and radius
    go too, a radius's public form being `public_area`; service P-codes become
    `public_pcodes`, with `units_at` giving the P-codes of the units a cell touches. Its
    services, hours and contact route stay: they make the referral. A public provider is
    its own projection.
    """
    if not provider.is_restricted:
        return provider
    coarse = _coarsened(provider)
    located = provider.lon is not None and provider.lat is not None
    units = units_at(cell_of(provider.lon, provider.lat)) if located else ()  # type: ignore[arg-type]
    pcodes = public_pcodes(provider.service_area.pcodes, chain, units)
    return replace(coarse, service_area=replace(coarse.service_area, pcodes=pcodes))


def _coarsened(provider: Provider) -> Provider:
    lon, lat = provider.lon, provider.lat
    if lon is not None and lat is not None:
        lon, lat = snap(lon, lat)
    return replace(
        provider,
        lon=lon,
        lat=lat,
        address=None,
        admin=AdminCodes(cod_version=provider.admin.cod_version),
        service_area=replace(provider.service_area, geometry=None, radius_km=None),
    )


def withheld(provider: Provider) -> Provider:
    """The entry as documents show it to whoever may not locate it, whatever its visibility
    (a version from before it became confidential is withheld too): its projection without
    the cell's centre, since a document has no use for a point that is not the place, and
    without its service area, whose P-codes a document cannot raise to adm2 as search does.
    """
    coarse = _coarsened(provider)
    return replace(coarse, lon=None, lat=None, service_area=ServiceArea())
