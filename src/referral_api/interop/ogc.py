"""OGC API – Features 1.0 (Core, GeoJSON, OpenAPI 3.0): its documents and query parameters.

Pure: builds the landing page, conformance, collection and feature documents from values,
and parses the query parameters the standard defines. Every link carries a `type`, and a
parameter the API does not declare, or a malformed one, is an `InvalidParameterError` (400).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import shapely
from shapely.geometry import box, shape

from referral_api.domain.errors import FieldProblem, InvalidInputError, InvalidParameterError
from referral_api.domain.geometry import BBox
from referral_api.domain.model import AdminArea
from referral_api.domain.validation import moment_problem

JSON = "application/json"
GEOJSON = "application/geo+json"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
)

DEFAULT_LIMIT = 10
# The standard's bounds for `limit`; a page holds at most PAGE_MAX features whatever is asked
# (the standard lets a server return fewer), and a `next` link leads on.
MAX_LIMIT = 10_000
PAGE_MAX = 1000

PROVIDERS = "providers"
ADMIN_AREAS = "admin_areas"


@dataclass(frozen=True, slots=True)
class CollectionInfo:
    """What the collections list says of one collection."""

    id: str
    title: str
    description: str


COLLECTIONS = (
    CollectionInfo(
        PROVIDERS,
        "GBV service providers",
        "Public service points of the referral directory (medical, psychosocial, legal, safety, "
        "case management) with their services, hours and contacts. Confidential providers "
        "(safe houses) and remote services without a location are not part of this collection.",
    ),
    CollectionInfo(
        ADMIN_AREAS,
        "Administrative areas (P-codes)",
        "The units of the OCHA COD-AB gazetteer the directory uses that have a boundary "
        "(the quartiers, known by their label point, are listed at /v1/areas).",
    ),
)
COLLECTION_IDS = tuple(collection.id for collection in COLLECTIONS)


def collection_info(collection_id: str) -> CollectionInfo | None:
    """The collection with that id, if there is one."""
    return next((c for c in COLLECTIONS if c.id == collection_id), None)


def link(href: str, rel: str, media_type: str, title: str) -> dict[str, str]:
    """A link object; the standard wants the media type on every link."""
    return {"href": href, "rel": rel, "type": media_type, "title": title}


# --- query parameters ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemsRequest:
    """The parameters of an items request, parsed and checked."""

    bbox: BBox | None = None
    limit: int = DEFAULT_LIMIT
    start: datetime | None = None
    end: datetime | None = None
    datetime_text: str | None = None
    bbox_text: str | None = None
    cursor: str | None = None

    @property
    def page_size(self) -> int:
        """How many features one page holds."""
        return min(self.limit, PAGE_MAX)

    def query_string(self, cursor: str | None) -> str:
        """The query string of this request resumed at `cursor`, for self and next links."""
        pairs = [("limit", str(self.limit))]
        if self.bbox_text is not None:
            pairs.append(("bbox", self.bbox_text))
        if self.datetime_text is not None:
            pairs.append(("datetime", self.datetime_text))
        if cursor is not None:
            pairs.append(("cursor", cursor))
        return urlencode(pairs, safe=",/:")


ITEMS_PARAMETERS = ("bbox", "limit", "datetime", "cursor", "f")
FORMATS = ("json", "geojson")


def _invalid(name: str, message: str, detail: str | None = None) -> InvalidParameterError:
    return InvalidParameterError(
        detail or f"Query parameter {name!r}: {message}", (FieldProblem(("query", name), message),)
    )


def checked_parameters(
    pairs: Sequence[tuple[str, str]], allowed: Sequence[str] = ("f",)
) -> dict[str, str]:
    """The query parameters as a mapping, or an error naming one unknown, repeated or bad."""
    found: dict[str, str] = {}
    for name, value in pairs:
        if name not in allowed:
            known = ", ".join(allowed)
            raise _invalid(name, "unknown parameter", f"Unknown query parameter; known: {known}")
        if name in found:
            raise _invalid(name, "given more than once")
        found[name] = value
    if "f" in found and found["f"] not in FORMATS:
        raise _invalid("f", "only json (or geojson) is served")
    return found


def parse_bbox(text: str) -> BBox:
    """`minlon,minlat,maxlon,maxlat` in CRS84 (or six numbers, heights ignored)."""
    parts = text.split(",")
    if len(parts) == 6:
        parts = [parts[0], parts[1], parts[3], parts[4]]
    try:
        return BBox.parse(",".join(parts))
    except InvalidInputError as error:
        raise _invalid(
            "bbox",
            error.problems[0].message if error.problems else error.detail,
            f"{error.detail} (CRS84: longitude first, then latitude)",
        ) from None


def parse_limit(text: str) -> int:
    """A page size between 1 and MAX_LIMIT."""
    try:
        limit = int(text)
    except ValueError:
        raise _invalid("limit", "not an integer") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise _invalid("limit", f"must lie between 1 and {MAX_LIMIT}")
    return limit


def _moment(text: str) -> datetime:
    # RFC 3339: a full date and time with its offset; a bare date is not a date-time.
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _invalid("datetime", f"{text[:40]!r} is not an RFC 3339 date-time") from None
    if "T" not in text.upper() or moment.tzinfo is None:
        raise _invalid("datetime", "a date-time with its offset, e.g. 2026-12-01T00:00:00Z")
    problem = moment_problem(moment)
    if problem is not None:
        raise _invalid("datetime", problem)
    return moment.astimezone(UTC)


def parse_datetime(text: str) -> tuple[datetime | None, datetime | None]:
    """An instant or an interval (`a/b`, `../b`, `a/..`, `/b`, `a/`), as inclusive bounds."""
    if "/" not in text:
        instant = _moment(text)
        return instant, instant
    first, _, last = text.partition("/")
    start = None if first in ("", "..") else _moment(first)
    end = None if last in ("", "..") else _moment(last)
    if start is None and end is None:
        raise _invalid("datetime", "an interval needs at least one end")
    if start is not None and end is not None and start > end:
        raise _invalid("datetime", "the interval ends before it starts")
    return start, end


def parse_items_request(pairs: Sequence[tuple[str, str]]) -> ItemsRequest:
    """The parameters of an items request, or an error naming the first bad one."""
    found = checked_parameters(pairs, ITEMS_PARAMETERS)
    start = end = None
    if "datetime" in found:
        start, end = parse_datetime(found["datetime"])
    return ItemsRequest(
        bbox=parse_bbox(found["bbox"]) if "bbox" in found else None,
        limit=parse_limit(found["limit"]) if "limit" in found else DEFAULT_LIMIT,
        start=start,
        end=end,
        datetime_text=found.get("datetime"),
        bbox_text=found.get("bbox"),
        cursor=found.get("cursor") or None,
    )


# --- documents -----------------------------------------------------------------------------


def landing_page(base: str, title: str, description: str) -> dict[str, Any]:
    """The landing page at `base` (the /ogc root URL)."""
    return {
        "title": title,
        "description": description,
        "links": [
            link(base, "self", JSON, "This document"),
            link(f"{base}/api", "service-desc", OPENAPI_JSON, "The API definition (OpenAPI 3.0)"),
            link(f"{base}/conformance", "conformance", JSON, "Conformance classes"),
            link(f"{base}/collections", "data", JSON, "The collections"),
        ],
    }


def conformance() -> dict[str, Any]:
    """The conformance declaration."""
    return {"conformsTo": list(CONFORMANCE)}


def _instant(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class CollectionExtent:
    """Where and when a collection's features lie."""

    bbox: BBox | None
    first: datetime | None = None
    last: datetime | None = None


def collection(base: str, info: CollectionInfo, extent: CollectionExtent) -> dict[str, Any]:
    """The metadata of one collection."""
    url = f"{base}/collections/{info.id}"
    document: dict[str, Any] = {
        "id": info.id,
        "title": info.title,
        "description": info.description,
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            link(url, "self", JSON, info.title),
            link(f"{url}/items", "items", GEOJSON, f"{info.title}: features"),
        ],
    }
    spatial = extent.bbox
    extent_document: dict[str, Any] = {
        "spatial": {
            "bbox": [[spatial.west, spatial.south, spatial.east, spatial.north]]
            if spatial is not None
            else [[-180.0, -90.0, 180.0, 90.0]],
            "crs": CRS84,
        }
    }
    if extent.first is not None or extent.last is not None:
        extent_document["temporal"] = {
            "interval": [[_instant(extent.first), _instant(extent.last)]],
            "trs": GREGORIAN,
        }
    document["extent"] = extent_document
    return document


def collections(base: str, entries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The collections list, from each collection's metadata."""
    return {
        "links": [link(f"{base}/collections", "self", JSON, "The collections")],
        "collections": list(entries),
    }


def feature_collection(
    *,
    base: str,
    collection_id: str,
    request: ItemsRequest,
    features: Sequence[dict[str, Any]],
    matched: int,
    next_cursor: str | None,
    now: datetime,
) -> dict[str, Any]:
    """One page of items with its self, collection and (when more follow) next links."""
    items = f"{base}/collections/{collection_id}/items"
    links = [
        link(f"{items}?{request.query_string(request.cursor)}", "self", GEOJSON, "This page"),
        link(f"{base}/collections/{collection_id}", "collection", JSON, "The collection"),
    ]
    if next_cursor is not None:
        links.append(
            link(f"{items}?{request.query_string(next_cursor)}", "next", GEOJSON, "Next page")
        )
    return {
        "type": "FeatureCollection",
        "features": list(features),
        "links": links,
        "numberMatched": matched,
        "numberReturned": len(features),
        "timeStamp": _instant(now),
    }


def with_links(base: str, collection_id: str, feature: dict[str, Any]) -> dict[str, Any]:
    """A feature served on its own, with its self and collection links."""
    url = f"{base}/collections/{collection_id}"
    return {
        **feature,
        "links": [
            link(f"{url}/items/{feature['id']}", "self", GEOJSON, "This feature"),
            link(url, "collection", JSON, "The collection"),
        ],
    }


def area_feature(area: AdminArea) -> dict[str, Any]:
    """A gazetteer unit with a boundary as a feature (see `mapped_areas`)."""
    return {
        "type": "Feature",
        "id": area.pcode,
        "geometry": area.geometry,
        "properties": {
            "pcode": area.pcode,
            "name": area.name,
            "name_ref": area.name_ref,
            "level": area.level,
            "parent_pcode": area.parent_pcode,
            "cod_version": area.cod_version,
            "valid_on": area.valid_on.isoformat() if area.valid_on else None,
            "area_sqkm": area.area_sqkm,
            "label_point": [area.label_lon, area.label_lat],
            "source": area.source,
            "licence": area.licence,
        },
    }


def mapped_areas(areas: Sequence[AdminArea], bbox: BBox | None = None) -> list[AdminArea]:
    """The areas with a boundary (the layer is one of polygons), by P-code, within `bbox`.

    Units known by their label point alone (the quartiers) stay in /v1/areas: a GIS layer
    of mixed points and polygons is one that QGIS splits or drops.
    """
    ordered = sorted((area for area in areas if area.geometry), key=lambda area: area.pcode)
    if bbox is None:
        return ordered
    window = box(bbox.west, bbox.south, bbox.east, bbox.north)
    return [area for area in ordered if shapely.intersects(shape(area.geometry), window)]


def areas_extent(areas: Sequence[AdminArea]) -> CollectionExtent:
    """The bounding box of the mapped areas' boundaries."""
    mapped = mapped_areas(areas)
    if not mapped:
        return CollectionExtent(None)
    bounds = shapely.total_bounds([shape(area.geometry) for area in mapped])
    west, south, east, north = (float(value) for value in bounds)
    return CollectionExtent(BBox(west, south, east, north))
