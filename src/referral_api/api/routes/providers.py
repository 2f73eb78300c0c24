"""Read the provider directory: list with filters, one entry, JSON or GeoJSON."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse

from referral_api import operations
from referral_api.api.auth import ViewerDep
from referral_api.api.deps import SessionDep
from referral_api.api.etags import etag_of
from referral_api.api.filters import ProviderQueryDep
from referral_api.api.openapi import OPTIONAL_KEY
from referral_api.api.preconditions import not_modified
from referral_api.api.problems import KEY_PROBLEMS, PROBLEM_RESPONSES, problem_responses
from referral_api.api.schemas import ProviderList, ProviderOut
from referral_api.domain.access import seen
from referral_api.interop.geojson import provider_feature

GEOJSON = "application/geo+json"
router = APIRouter(prefix="/v1/providers", tags=["Providers"])
# CNHU de Bangui in the shipped sample: a working example on the docs page.
SAMPLE_PROVIDER_ID = "9262887b-9646-54c2-a7e8-64aecbba9052"

_GEOJSON_CONTENT: dict[str, Any] = {GEOJSON: {"schema": {"type": "object"}}}
# From an entry read to its changes, with the ETag the read gave: what a client does.
CHANGE_LINKS: dict[str, Any] = {
    name: {
        "operationId": f"{operation}_provider_v1_providers__provider_id__{method}",
        "parameters": {
            "provider_id": "$request.path.provider_id",
            "header.if-match": "$response.header.ETag",
        },
    }
    for name, operation, method in (
        ("Replace", "replace", "put"),
        ("Change", "patch", "patch"),
        ("Remove", "delete", "delete"),
    )
}
# A cursor is an entry's id in unpadded base64url (operations.encode_cursor): 22 characters.
CURSOR_PATTERN = "^[A-Za-z0-9_-]{22}$"
ETAG_HEADER: dict[str, Any] = {
    "ETag": {
        "description": "Send it back in If-None-Match (304 if unchanged) or If-Match (writes)",
        "schema": {"type": "string"},
    }
}


def wants_geojson(request: Request) -> bool:
    """Whether the client asked for GeoJSON in its Accept header."""
    return GEOJSON in request.headers.get("accept", "")


@router.get(
    "",
    summary="List providers",
    description=(
        "Browse the directory page by page. Filter by a need (`medical.pep`, or a whole sector "
        "such as `medical`), by an administrative area (a P-code of any level, e.g. `CF7113` "
        "for the 3rd arrondissement of Bangui), by a bounding box or by status. "
        "To find where to refer a survivor, use the referral search instead: it ranks and "
        "explains. Send `Accept: application/geo+json` to get a GeoJSON FeatureCollection. "
        "Confidential locations (safe houses) are never shown."
    ),
    response_model=ProviderList,
    responses={200: {"content": _GEOJSON_CONTENT}, **KEY_PROBLEMS, **PROBLEM_RESPONSES},
    openapi_extra=OPTIONAL_KEY,
)
def list_providers(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    query: ProviderQueryDep,
    cursor: Annotated[
        str | None,
        Query(description="The next_cursor of the previous page", pattern=CURSOR_PATTERN),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size")] = 50,
) -> Any:
    """List providers."""
    page = operations.list_providers(
        session=session, query=query, viewer=viewer, cursor=cursor, limit=limit
    )
    if wants_geojson(request):
        features = [provider_feature(seen(viewer, p).provider) for p in page.providers]
        collection = {
            "type": "FeatureCollection",
            "features": features,
            "numberMatched": page.total,
            "next_cursor": page.next_cursor,
        }
        return JSONResponse(collection, media_type=GEOJSON)
    return ProviderList(
        items=[ProviderOut.seen_by(viewer, provider) for provider in page.providers],
        total=page.total,
        next_cursor=page.next_cursor,
    )


@router.get(
    "/{provider_id}",
    summary="Get one provider",
    description=(
        "One provider entry with all its services, opening hours and contacts. The `ETag` "
        "header changes whenever the entry changes; send it back in `If-None-Match` to get "
        "`304 Not Modified` when nothing changed. Send `Accept: application/geo+json` for a "
        "GeoJSON Feature."
    ),
    response_model=ProviderOut,
    responses={
        200: {"content": _GEOJSON_CONTENT, "headers": ETAG_HEADER, "links": CHANGE_LINKS},
        304: {"description": "Not modified", "headers": ETAG_HEADER},
        **KEY_PROBLEMS,
        **problem_responses(404),
        **PROBLEM_RESPONSES,
    },
    openapi_extra=OPTIONAL_KEY,
)
def get_provider(
    provider_id: Annotated[
        uuid.UUID,
        PathParam(
            description="The provider's id, as listed by GET /v1/providers",
            examples=[SAMPLE_PROVIDER_ID],
        ),
    ],
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Any:
    """Get one provider."""
    provider = operations.get_provider(session=session, provider_id=provider_id)
    body = ProviderOut.seen_by(viewer, provider)
    current = etag_of(body)
    if not_modified(if_none_match, current):
        return Response(status_code=304, headers={"ETag": current})
    if wants_geojson(request):
        feature = provider_feature(seen(viewer, provider).provider)
        return JSONResponse(feature, media_type=GEOJSON, headers={"ETag": current})
    return JSONResponse(body.model_dump(mode="json"), headers={"ETag": current})
