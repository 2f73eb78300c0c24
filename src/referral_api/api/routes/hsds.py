"""Open Referral HSDS 3.0, read-only and public, under /hsds (see docs/hsds.md)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, StreamingResponse

from referral_api.api.deps import SessionDep
from referral_api.api.problems import PROBLEM_RESPONSES, problem_responses
from referral_api.api.runtime import runtime_of
from referral_api.documents import Moment
from referral_api.domain.errors import FieldProblem, InvalidInputError, NotFoundError
from referral_api.interop import hsds
from referral_api.interop.hsds import Catalogue, Json, ServiceFilter

router = APIRouter(prefix="/hsds", tags=["HSDS"])
NDJSON = "application/x-ndjson"
SPEC_SCHEMAS = "https://github.com/openreferral/specification/tree/3.0/schema"


def get_catalogue(request: Request, session: SessionDep) -> Catalogue:
    """The HSDS catalogue of the directory as it is now."""
    return runtime_of(request.app).hsds_catalogues.current(session=session)


CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]


@dataclass(frozen=True, slots=True)
class Paging:
    """Which page, how large, and whether to stream everything as NDJSON instead."""

    page: int
    per_page: int
    ndjson: bool


def paging(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1")] = 1,
    per_page: Annotated[int, Query(ge=1, le=1000, description="Items per page")] = 50,
    format: Annotated[
        Literal["json", "ndjson"],
        Query(description="`ndjson` streams every result, one per line, without pages"),
    ] = "json",
) -> Paging:
    """The HSDS paging parameters."""
    return Paging(page, per_page, format == "ndjson")


PagingDep = Annotated[Paging, Depends(paging)]


def _listing(items: list[Json], paged: Paging) -> Any:
    if paged.ndjson:
        return StreamingResponse(hsds.ndjson_lines(items), media_type=NDJSON)
    return JSONResponse(hsds.page(items, paged.page, paged.per_page, shown=hsds.shallow))


def _found(body: Json | None, kind: str, item_id: uuid.UUID) -> JSONResponse:
    if body is None:
        raise NotFoundError(f"No {kind} with id {item_id}")
    return JSONResponse(body)


_LISTED: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An HSDS Page with `contents`, or NDJSON lines",
        "content": {NDJSON: {"schema": {"type": "string"}}},
    }
}
IdPath = Annotated[uuid.UUID, PathParam(description="The HSDS id (a UUID)")]


@router.get(
    "/",
    summary="About this HSDS API",
    description="The HSDS version (3.0), the profile (the base HSDS 3.0 schemas) and the "
    "OpenAPI document of this API.",
    responses=PROBLEM_RESPONSES,
)
def about(request: Request) -> dict[str, str]:
    """The HSDS version, profile and the OpenAPI document of this API."""
    return {
        "version": hsds.HSDS_VERSION,
        "profile": SPEC_SCHEMAS,
        "openapi_url": str(request.url_for("openapi")),
    }


@router.get(
    "/services",
    summary="List HSDS services",
    description=(
        "One HSDS service per provider and need. Filters are AND-ed. Besides the HSDS "
        "filters, `pcode` (an admin area of any level the service point lies in) and "
        "`lat`/`lon` with `proximity` (metres) find services in an area or near a point. "
        "Confidential "
        "service points (safe houses) are listed without any location and are never found "
        "by a location filter."
    ),
    responses={**_LISTED, **PROBLEM_RESPONSES},
)
def list_services(
    catalogue: CatalogueDep,
    paged: PagingDep,
    taxonomy_term_id: Annotated[
        uuid.UUID | None, Query(description="A need or attribute term")
    ] = None,
    taxonomy_id: Annotated[
        uuid.UUID | None, Query(description="Services with a term of it")
    ] = None,
    organization_id: Annotated[uuid.UUID | None, Query(description="HSDS organization id")] = None,
    modified_after: Annotated[
        Moment | None, Query(description="Changed on or after this moment (with its UTC offset)")
    ] = None,
    search: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="Text in the name or description"),
    ] = None,
    pcode: Annotated[
        str | None,
        Query(min_length=1, max_length=20, description="Ours: lying in this admin area"),
    ] = None,
    lat: Annotated[
        float | None,
        Query(ge=-90, le=90, allow_inf_nan=False, description="Ours: near this latitude"),
    ] = None,
    lon: Annotated[
        float | None,
        Query(ge=-180, le=180, allow_inf_nan=False, description="Ours: near this longitude"),
    ] = None,
    proximity: Annotated[
        float, Query(gt=0, le=500_000, allow_inf_nan=False, description="Metres from lat/lon")
    ] = 10_000,
) -> Any:
    """List HSDS services."""
    if (lat is None) != (lon is None):
        raise InvalidInputError(
            "Give both lat and lon", (FieldProblem(("query", "lat"), "lat and lon go together"),)
        )
    rule = ServiceFilter(
        taxonomy_term_id=str(taxonomy_term_id) if taxonomy_term_id else None,
        taxonomy_id=str(taxonomy_id) if taxonomy_id else None,
        organization_id=str(organization_id) if organization_id else None,
        modified_after=modified_after,
        search=search,
        pcode=pcode,
        near=(lon, lat, proximity) if lon is not None and lat is not None else None,
    )
    return _listing(catalogue.find_services(rule), paged)


@router.get(
    "/services/{service_id}",
    summary="Get one HSDS service, fully nested",
    description="One service with its schedules, phones, contact role, languages, "
    "attributes and its service at location (a confidential one without its location).",
    responses={**problem_responses(404), **PROBLEM_RESPONSES},
)
def get_service(service_id: IdPath, catalogue: CatalogueDep) -> Any:
    """One HSDS service."""
    return _found(catalogue.service(str(service_id)), "service", service_id)


def _add_kind(
    path: str,
    label: str,
    listed: Callable[[Catalogue], list[Json]],
    one: Callable[[Catalogue, str], Json | None],
) -> None:
    """The list and the detail endpoint of one kind of HSDS object."""

    def list_items(catalogue: CatalogueDep, paged: PagingDep) -> Any:
        return _listing(listed(catalogue), paged)

    def get_item(hsds_id: IdPath, catalogue: CatalogueDep) -> Any:
        return _found(one(catalogue, str(hsds_id)), label, hsds_id)

    router.add_api_route(
        f"/{path}",
        list_items,
        methods=["GET"],
        name=f"list_hsds_{path}",
        summary=f"List HSDS {path.replace('_', ' ')}",
        description=f"All HSDS {path.replace('_', ' ')}, by id, as HSDS pages (`page`, "
        "`per_page`) or, with `format=ndjson`, one per line.",
        responses={**_LISTED, **PROBLEM_RESPONSES},
    )
    router.add_api_route(
        f"/{path}/{{hsds_id}}",
        get_item,
        methods=["GET"],
        name=f"get_hsds_{label}",
        summary=f"Get one HSDS {label.replace('_', ' ')}",
        description=f"One HSDS {label.replace('_', ' ')} by its id (a UUID stable across "
        "answers and exports).",
        responses={**problem_responses(404), **PROBLEM_RESPONSES},
    )


_add_kind("organizations", "organization", lambda c: c.organizations, Catalogue.organization)
_add_kind(
    "service_at_locations",
    "service_at_location",
    lambda c: c.service_at_locations,
    Catalogue.service_at_location,
)
_add_kind("taxonomies", "taxonomy", lambda c: c.taxonomies, Catalogue.taxonomy)
_add_kind("taxonomy_terms", "taxonomy_term", lambda c: c.taxonomy_terms, Catalogue.taxonomy_term)
