"""Geometry on WGS84: distances on the sphere, bounding boxes and service-area shapes."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from referral_api.domain.errors import FieldProblem, InvalidInputError

EARTH_RADIUS_KM = 6371.0088
MAX_POLYGON_VERTICES = 1000


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in kilometres (haversine on the mean Earth radius).

    Haversine is within 0.5 % of the geodesic, far below the uncertainty of a referral,
    and an order of magnitude cheaper than geopy's ellipsoidal distance on the hot path.
    """
    return haversine_km(SpherePoint.of(lon1, lat1), SpherePoint.of(lon2, lat2))


class SpherePoint(NamedTuple):
    """A point in radians with the cosine of its latitude: what haversine needs, kept ready.

    Search measures from one place to a hundred providers per query; converting each
    provider once per snapshot instead of once per query halves the cost of a distance.
    """

    lmb: float
    phi: float
    cos_phi: float

    @classmethod
    def of(cls, lon: float, lat: float) -> SpherePoint:
        """The point at `lon`, `lat` in degrees."""
        phi = math.radians(lat)
        return cls(math.radians(lon), phi, math.cos(phi))


def haversine_km(a: SpherePoint, b: SpherePoint) -> float:
    """Great-circle distance in kilometres between two prepared points."""
    h = (
        math.sin((b.phi - a.phi) / 2) ** 2
        + a.cos_phi * b.cos_phi * math.sin((b.lmb - a.lmb) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


# Points as arrays of `SpherePoint` fields: longitudes, latitudes, cosines of latitudes.
Spheres = tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]


def distances_km(centre: SpherePoint | Spheres, points: Spheres) -> NDArray[np.float64]:
    """Great-circle distances from `centre` (one point, or one per point) to `points`.

    The same haversine as `haversine_km`, for a hundred points in the time Python takes for
    a few; a point with a NaN coordinate (no location) gets a NaN distance. A centre per
    point measures from two places in one pass, for the cost of one.
    """
    lmb, phi, cos_phi = points
    lmb0, phi0, cos_phi0 = centre
    h = np.sin((phi - phi0) / 2) ** 2 + cos_phi0 * cos_phi * (np.sin((lmb - lmb0) / 2) ** 2)
    result: NDArray[np.float64] = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    return result


def degrees_around(lat: float, radius_km: float) -> tuple[float, float]:
    """Half-width and half-height in degrees of a box that holds a circle of `radius_km`.

    Longitude degrees shrink with the cosine of the latitude; near the poles the box
    spans every longitude.
    """
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    cos_lat = math.cos(math.radians(min(89.0, abs(lat))))
    dlon = min(180.0, dlat / cos_lat)
    return dlon, dlat


# Degrees as a bbox takes them: ASCII decimals, no exponent, no sign but a minus, spaces
# around.
_DEGREES = re.compile(r" *-?[0-9]{1,3}(?:\.[0-9]+)? *")
_LON = r" *-?(?:(?:[0-9]{1,2}|0[0-9][0-9]|1[0-7][0-9])(?:\.[0-9]+)?|180(?:\.0+)?) *"
_LAT = r" *-?(?:(?:[0-8]?[0-9]|0[0-8][0-9])(?:\.[0-9]+)?|0?90(?:\.0+)?) *"
# What `BBox.parse` reads, ranges included, for the OpenAPI document (a test holds the two
# to each other); the order of the corners it cannot say.
BBOX_PATTERN = f"^{_LON},{_LAT},{_LON},{_LAT}$"


@dataclass(frozen=True, slots=True)
class BBox:
    """A lon/lat bounding box (west, south, east, north), not crossing the antimeridian."""

    west: float
    south: float
    east: float
    north: float

    @classmethod
    def parse(cls, text: str) -> BBox:
        """Parse `west,south,east,north` as given in a query string."""
        parts = text.split(",")
        if len(parts) != 4:
            raise InvalidInputError(
                "bbox must be four numbers: west,south,east,north",
                (FieldProblem(("bbox",), "expected 4 comma-separated numbers"),),
            )
        if not all(_DEGREES.fullmatch(part) for part in parts):
            raise InvalidInputError(
                "bbox must be four numbers: west,south,east,north",
                (FieldProblem(("bbox",), "not a number"),),
            )
        west, south, east, north = (float(part) for part in parts)
        in_range = -180 <= west <= 180 and -180 <= east <= 180
        in_range = in_range and -90 <= south <= 90 and -90 <= north <= 90
        if not in_range:
            raise InvalidInputError(
                "bbox is outside WGS84 ranges",
                (FieldProblem(("bbox",), "longitude in [-180, 180], latitude in [-90, 90]"),),
            )
        if west > east or south > north:
            raise InvalidInputError(
                "bbox must have west <= east and south <= north",
                (FieldProblem(("bbox",), "west > east or south > north"),),
            )
        return cls(west, south, east, north)

    def contains(self, lon: float, lat: float) -> bool:
        """Whether the point lies in the box, borders included."""
        return self.west <= lon <= self.east and self.south <= lat <= self.north


def vertex_count(geometry: BaseGeometry) -> int:
    """How many coordinates the polygon or multipolygon holds, rings closed."""
    polygons = getattr(geometry, "geoms", [geometry])
    return sum(
        len(polygon.exterior.coords) + sum(len(ring.coords) for ring in polygon.interiors)
        for polygon in polygons
    )


Path = tuple[str | int, ...]
# Arrays down to a ring: a Polygon is an array of rings, a MultiPolygon an array of those.
_DEPTHS = {"Polygon": 2, "MultiPolygon": 3}


def _rings(coordinates: Any, depth: int, where: Path) -> list[tuple[Path, list[Any]]]:
    """The rings in `coordinates`, each with its index path, if they are nested as the type
    says; the depth is the type's, never the input's, so no nesting can exhaust the stack."""
    if not isinstance(coordinates, list):
        raise InvalidInputError(
            "The service area is not a readable GeoJSON geometry",
            (FieldProblem(where, "expected an array, nested as the geometry type requires"),),
        )
    if not coordinates:
        raise InvalidInputError("The service area is empty", (FieldProblem(where, "empty"),))
    if depth == 1:
        return [(where, coordinates)]
    return [
        ring
        for index, item in enumerate(coordinates)
        for ring in _rings(item, depth - 1, (*where, index))
    ]


def _position_problem(position: Any) -> str | None:
    if not isinstance(position, list) or len(position) not in (2, 3):
        return "a position is an array of 2 or 3 numbers"
    if not all(isinstance(n, int | float) and not isinstance(n, bool) for n in position):
        return "a position holds numbers only"
    return None


def _check_ring(ring: list[Any], where: Path) -> None:
    for index, position in enumerate(ring):
        problem = _position_problem(position)
        if problem is not None:
            raise InvalidInputError(
                "The service area is not a readable GeoJSON geometry",
                (FieldProblem((*where, index), problem),),
            )
    if len(ring) >= 2 and ring[0] != ring[-1]:
        # shapely would close it silently.
        raise InvalidInputError(
            "A polygon ring must be closed: its last position repeats its first",
            (FieldProblem(where, "ring is not closed"),),
        )
    for index in range(1, len(ring)):
        if abs(ring[index][0] - ring[index - 1][0]) > 180:
            # Read on the plane, such a ring would go the long way round the Earth.
            reason = (
                "crosses the antimeridian (an edge spans more than 180° of longitude): cut it "
                "at 180° into a MultiPolygon of two polygons (RFC 7946, section 3.1.9)"
            )
            raise InvalidInputError(
                f"The service area {reason}", (FieldProblem((*where, index), reason),)
            )


def parse_service_area(geojson: dict[str, Any], where: Path) -> BaseGeometry:
    """A valid Polygon or MultiPolygon from GeoJSON, or an error saying what is wrong."""
    kind = geojson.get("type")
    if kind not in _DEPTHS:
        raise InvalidInputError(
            "A service area must be a GeoJSON Polygon or MultiPolygon",
            (FieldProblem(where, f"geometry type {kind!r} is not Polygon or MultiPolygon"),),
        )
    others = sorted(set(geojson) - {"type", "coordinates"})
    if others:
        # Anything else would be stored and served back unchecked, at any depth.
        raise InvalidInputError(
            "A service area holds only its type and coordinates",
            (FieldProblem((*where, others[0]), "not a member of a service area"),),
        )
    if "coordinates" not in geojson:
        raise InvalidInputError(
            "The service area has no coordinates",
            (FieldProblem((*where, "coordinates"), "required"),),
        )
    for ring_at, ring in _rings(geojson["coordinates"], _DEPTHS[kind], (*where, "coordinates")):
        _check_ring(ring, ring_at)
    try:
        geometry = shape(geojson)
    except (ValueError, TypeError, AttributeError, IndexError) as error:
        raise InvalidInputError(
            "The service area is not a readable GeoJSON geometry",
            (FieldProblem(where, str(error) or "malformed coordinates"),),
        ) from None
    if geometry.is_empty:
        raise InvalidInputError(
            "The service area is empty", (FieldProblem(where, "empty geometry"),)
        )
    if vertex_count(geometry) > MAX_POLYGON_VERTICES:
        raise InvalidInputError(
            f"The service area has more than {MAX_POLYGON_VERTICES} vertices; simplify it",
            (FieldProblem(where, f"more than {MAX_POLYGON_VERTICES} vertices"),),
        )
    west, south, east, north = geometry.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise InvalidInputError(
            "The service area lies outside WGS84 ranges",
            (FieldProblem(where, "coordinates out of range"),),
        )
    if not geometry.is_valid:
        reason = explain_validity(geometry)
        raise InvalidInputError(
            f"The service area is not a valid polygon: {reason}",
            (FieldProblem(where, reason),),
        )
    return geometry
