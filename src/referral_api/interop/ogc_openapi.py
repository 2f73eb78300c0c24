"""The OpenAPI 3.0 definition of the /ogc paths, which OGC API clients read for parameters.

Written for 3.0 (not FastAPI's 3.1 output relabelled): GDAL reads the `limit` bounds from
it, OWSLib loads it from the landing page's `service-desc` link.
"""

from __future__ import annotations

from typing import Any

from referral_api.interop.ogc import (
    COLLECTION_IDS,
    DEFAULT_LIMIT,
    FORMATS,
    GEOJSON,
    JSON,
    MAX_LIMIT,
)

PROBLEM_JSON = "application/problem+json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: str, description: str, media_type: str = JSON) -> dict[str, Any]:
    return {"description": description, "content": {media_type: {"schema": _ref(schema)}}}


def _problem(description: str) -> dict[str, Any]:
    return _json("problem", description, PROBLEM_JSON)


def _parameter(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


_PARAMETERS: dict[str, Any] = {
    "f": {
        "name": "f",
        "in": "query",
        "required": False,
        "description": "The format of the answer: JSON (GeoJSON for features) is the only one.",
        "schema": {"type": "string", "enum": list(FORMATS)},
        "style": "form",
        "explode": False,
    },
    "collectionId": {
        "name": "collectionId",
        "in": "path",
        "required": True,
        "description": "The collection",
        "schema": {"type": "string", "enum": list(COLLECTION_IDS)},
    },
    "featureId": {
        "name": "featureId",
        "in": "path",
        "required": True,
        "description": "A provider's id (UUID) or an area's P-code",
        "schema": {"type": "string"},
    },
    "limit": {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": "How many features a page may hold; a page holds at most 1000, and "
        "its `next` link leads on.",
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_LIMIT,
            "default": DEFAULT_LIMIT,
        },
        "style": "form",
        "explode": False,
    },
    "bbox": {
        "name": "bbox",
        "in": "query",
        "required": False,
        "description": "Only features whose geometry intersects the box: minimum longitude, "
        "minimum latitude, maximum longitude, maximum latitude in CRS84 (longitude first). "
        "Six numbers give heights too, which are ignored. A box across the antimeridian "
        "is refused.",
        "schema": {
            "type": "array",
            "minItems": 4,
            "maxItems": 6,
            "items": {"type": "number"},
        },
        "style": "form",
        "explode": False,
    },
    "datetime": {
        "name": "datetime",
        "in": "query",
        "required": False,
        "description": "An RFC 3339 date-time or an interval (`start/end`, either end `..` "
        "or empty). Providers are matched by when their entry last changed; areas carry no "
        "time and always match.",
        "schema": {"type": "string"},
        "style": "form",
        "explode": False,
    },
    "cursor": {
        "name": "cursor",
        "in": "query",
        "required": False,
        "description": "Where a page starts: follow the `next` link rather than build it.",
        "schema": {"type": "string"},
        "style": "form",
        "explode": False,
    },
}

_LINK = {
    "type": "object",
    "required": ["href", "rel", "type"],
    "properties": {
        "href": {"type": "string"},
        "rel": {"type": "string"},
        "type": {"type": "string"},
        "title": {"type": "string"},
    },
}
_LINKS = {"type": "array", "items": _ref("link")}

_SCHEMAS: dict[str, Any] = {
    "link": _LINK,
    "landingPage": {
        "type": "object",
        "required": ["links"],
        "properties": {
            "title": {"type": "string"},
            "description": {"type": "string"},
            "links": _LINKS,
        },
    },
    "confClasses": {
        "type": "object",
        "required": ["conformsTo"],
        "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
    },
    "extent": {
        "type": "object",
        "properties": {
            "spatial": {
                "type": "object",
                "properties": {
                    "bbox": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "array",
                            "minItems": 4,
                            "maxItems": 6,
                            "items": {"type": "number"},
                        },
                    },
                    "crs": {"type": "string"},
                },
            },
            "temporal": {
                "type": "object",
                "properties": {
                    "interval": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "array",
                            "minItems": 2,
                            "maxItems": 2,
                            "items": {"type": "string", "format": "date-time", "nullable": True},
                        },
                    },
                    "trs": {"type": "string"},
                },
            },
        },
    },
    "collection": {
        "type": "object",
        "required": ["id", "links"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "links": _LINKS,
            "extent": _ref("extent"),
            "itemType": {"type": "string"},
            "crs": {"type": "array", "items": {"type": "string"}},
        },
    },
    "collections": {
        "type": "object",
        "required": ["links", "collections"],
        "properties": {
            "links": _LINKS,
            "collections": {"type": "array", "items": _ref("collection")},
        },
    },
    "geometryGeoJSON": {
        "type": "object",
        "required": ["type", "coordinates"],
        "properties": {
            "type": {"type": "string", "enum": ["Point", "Polygon", "MultiPolygon"]},
            "coordinates": {"type": "array"},
        },
    },
    "featureGeoJSON": {
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "geometry": _ref("geometryGeoJSON"),
            "properties": {"type": "object"},
            "id": {"type": "string"},
            "links": _LINKS,
        },
    },
    "featureCollectionGeoJSON": {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": _ref("featureGeoJSON")},
            "links": _LINKS,
            "timeStamp": {"type": "string", "format": "date-time"},
            "numberMatched": {"type": "integer", "minimum": 0},
            "numberReturned": {"type": "integer", "minimum": 0},
        },
    },
    "problem": {
        "type": "object",
        "description": "RFC 9457 problem details",
        "required": ["type", "title", "status"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "object"}},
        },
    },
}


def _get(
    operation_id: str,
    summary: str,
    ok: dict[str, Any],
    parameters: list[str],
    *,
    not_found: bool = False,
) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": ok, "400": _problem("An unknown or invalid parameter")}
    if not_found:
        responses["404"] = _problem("No such collection or feature")
    responses["503"] = _problem("The directory is unavailable; retry later")
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "tags": ["Features"],
            "parameters": [_parameter(name) for name in parameters],
            "responses": responses,
        }
    }


def openapi_document(server_url: str, version: str) -> dict[str, Any]:
    """The OpenAPI 3.0.3 definition of the API served at `server_url` (the /ogc root)."""
    items = ["collectionId", "limit", "bbox", "datetime", "cursor", "f"]
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "referral-api: OGC API – Features",
            "version": version,
            "description": "The public GBV service directory as OGC API – Features 1.0 "
            "(Core, GeoJSON). Confidential providers are never part of it.",
            "license": {"name": "MIT"},
        },
        "servers": [{"url": server_url}],
        "tags": [{"name": "Features"}],
        "paths": {
            "/": _get("getLandingPage", "Landing page", _json("landingPage", "Links"), ["f"]),
            "/conformance": _get(
                "getConformanceDeclaration",
                "Conformance classes",
                _json("confClasses", "The conformance classes"),
                ["f"],
            ),
            "/api": _get(
                "getAPIDefinition",
                "This API definition",
                {
                    "description": "OpenAPI 3.0",
                    "content": {
                        "application/vnd.oai.openapi+json;version=3.0": {
                            "schema": {"type": "object"}
                        }
                    },
                },
                ["f"],
            ),
            "/collections": _get(
                "getCollections", "The collections", _json("collections", "Collections"), ["f"]
            ),
            "/collections/{collectionId}": _get(
                "describeCollection",
                "One collection",
                _json("collection", "The collection's metadata"),
                ["collectionId", "f"],
                not_found=True,
            ),
            "/collections/{collectionId}/items": _get(
                "getFeatures",
                "The features of a collection",
                _json("featureCollectionGeoJSON", "A page of features", GEOJSON),
                items,
                not_found=True,
            ),
            "/collections/{collectionId}/items/{featureId}": _get(
                "getFeature",
                "One feature",
                _json("featureGeoJSON", "The feature", GEOJSON),
                ["collectionId", "featureId", "f"],
                not_found=True,
            ),
        },
        "components": {"parameters": _PARAMETERS, "schemas": _SCHEMAS},
    }
