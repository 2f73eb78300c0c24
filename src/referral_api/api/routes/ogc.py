"""OGC API – Features 1.0 under /ogc: the public directory for QGIS, ArcGIS, GDAL and OWSLib.

Its contract is its own OpenAPI 3.0 document at /ogc/api, so these routes stay out of the
main docs page; they read the query string themselves, since the standard wants 400 (not
422) for an unknown or invalid parameter.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from referral_api import __version__, public_map
from referral_api.api.deps import SessionDep
from referral_api.domain.errors import NotFoundError
from referral_api.interop import ogc
from referral_api.interop.geojson import provider_feature
from referral_api.interop.ogc_openapi import openapi_document

router = APIRouter(prefix="/ogc", include_in_schema=False)

TITLE = "referral-api: GBV service directory"
DESCRIPTION = (
    "Public GBV service providers and the P-code gazetteer as OGC API – Features. "
    "Confidential providers (safe houses) are not part of it. The shipped directory is "
    "illustrative sample data."
)


def _base(request: Request) -> str:
    return f"{str(request.base_url).rstrip('/')}/ogc"


def _checked(request: Request) -> None:
    ogc.checked_parameters(request.query_params.multi_items())


def _json(document: dict[str, Any], media_type: str = ogc.JSON) -> JSONResponse:
    return JSONResponse(document, media_type=media_type)


def _collection_info(collection_id: str) -> ogc.CollectionInfo:
    info = ogc.collection_info(collection_id)
    if info is None:
        raise NotFoundError(f"No collection {collection_id[:40]!r}; see /ogc/collections")
    return info


def _collection(request: Request, session: SessionDep, info: ogc.CollectionInfo) -> dict[str, Any]:
    if info.id == ogc.PROVIDERS:
        extent = public_map.provider_extent(session=session)
    else:
        extent = public_map.area_extent(session=session)
    return ogc.collection(_base(request), info, extent)


@router.get("")
@router.get("/")
def landing_page(request: Request) -> JSONResponse:
    """The landing page."""
    _checked(request)
    return _json(ogc.landing_page(_base(request), TITLE, DESCRIPTION))


@router.get("/conformance")
def conformance(request: Request) -> JSONResponse:
    """The conformance classes."""
    _checked(request)
    return _json(ogc.conformance())


@router.get("/api")
def api_definition(request: Request) -> JSONResponse:
    """The OpenAPI 3.0 definition of these paths."""
    _checked(request)
    return _json(openapi_document(_base(request), __version__), ogc.OPENAPI_JSON)


@router.get("/collections")
def collections(request: Request, session: SessionDep) -> JSONResponse:
    """The collections."""
    _checked(request)
    entries = [_collection(request, session, info) for info in ogc.COLLECTIONS]
    return _json(ogc.collections(_base(request), entries))


@router.get("/collections/{collection_id}")
def collection(collection_id: str, request: Request, session: SessionDep) -> JSONResponse:
    """One collection's metadata."""
    _checked(request)
    return _json(_collection(request, session, _collection_info(collection_id)))


@router.get("/collections/{collection_id}/items")
def items(collection_id: str, request: Request, session: SessionDep) -> JSONResponse:
    """A page of a collection's features."""
    info = _collection_info(collection_id)
    parameters = ogc.parse_items_request(request.query_params.multi_items())
    features: list[dict[str, Any]]
    if info.id == ogc.PROVIDERS:
        providers = public_map.provider_page(session=session, request=parameters)
        features = [provider_feature(provider) for provider in providers.items]
        matched, next_cursor = providers.matched, providers.next_cursor
    else:
        areas = public_map.area_page(session=session, request=parameters)
        features = [ogc.area_feature(area) for area in areas.items]
        matched, next_cursor = areas.matched, areas.next_cursor
    document = ogc.feature_collection(
        base=_base(request),
        collection_id=info.id,
        request=parameters,
        features=features,
        matched=matched,
        next_cursor=next_cursor,
        now=datetime.now(UTC),
    )
    return _json(document, ogc.GEOJSON)


@router.get("/collections/{collection_id}/items/{feature_id}")
def item(
    collection_id: str, feature_id: str, request: Request, session: SessionDep
) -> JSONResponse:
    """One feature."""
    info = _collection_info(collection_id)
    _checked(request)
    if info.id == ogc.PROVIDERS:
        feature = provider_feature(
            public_map.public_provider(session=session, feature_id=feature_id)
        )
    else:
        feature = ogc.area_feature(public_map.area(session=session, pcode=feature_id))
    return _json(ogc.with_links(_base(request), info.id, feature), ogc.GEOJSON)
