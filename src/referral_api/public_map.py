"""Use cases of the public map (OGC API – Features): public providers and the gazetteer.

The map is the same for every caller, keyed or not: it holds public providers with a point
and nothing else, so a confidential provider (a safe house) is not in it at all: not listed,
not counted in `numberMatched`, not found by its id, not in any extent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from referral_api import operations
from referral_api.db import repository
from referral_api.domain.access import ANONYMOUS
from referral_api.domain.errors import InvalidInputError, InvalidParameterError, NotFoundError
from referral_api.domain.model import AdminArea, Provider
from referral_api.interop.ogc import (
    ADMIN_AREAS,
    PROVIDERS,
    CollectionExtent,
    ItemsRequest,
    areas_extent,
    mapped_areas,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a collection's items."""

    items: list[T]
    matched: int
    next_cursor: str | None


def _query(request: ItemsRequest) -> repository.ProviderQuery:
    return repository.ProviderQuery(
        bbox=request.bbox,
        modified_from=request.start,
        modified_until=request.end,
        public_located=True,
    )


def provider_page(*, session: Session, request: ItemsRequest) -> Page[Provider]:
    """A page of public providers with a point, as the request filters them."""
    try:
        page = operations.list_providers(
            session=session,
            query=_query(request),
            viewer=ANONYMOUS,
            cursor=request.cursor,
            limit=request.page_size,
        )
    except InvalidInputError as error:
        raise InvalidParameterError(error.detail, error.problems) from None
    return Page(page.providers, page.total, page.next_cursor)


def _not_found(collection_id: str) -> NotFoundError:
    # One answer for an id that never existed, a deleted entry and a safe house.
    return NotFoundError(f"No such feature in the collection {collection_id!r}")


def public_provider(*, session: Session, feature_id: str) -> Provider:
    """The public provider with that id, if it is on the map."""
    try:
        provider_id = uuid.UUID(feature_id)
    except ValueError:
        raise _not_found(PROVIDERS) from None
    provider = repository.get_provider(session=session, provider_id=provider_id)
    if provider is None or provider.is_restricted or provider.lon is None or provider.lat is None:
        raise _not_found(PROVIDERS)
    return provider


def provider_extent(*, session: Session) -> CollectionExtent:
    """Where and when the public providers lie."""
    extent = repository.provider_extent(
        session=session, query=repository.ProviderQuery(public_located=True), viewer=ANONYMOUS
    )
    return CollectionExtent(extent.bbox, extent.first_updated_at, extent.last_updated_at)


def area_page(*, session: Session, request: ItemsRequest) -> Page[AdminArea]:
    """A page of gazetteer units, by P-code; the cursor is the last P-code of a page."""
    # Areas carry no time: a datetime filter matches them all (the standard asks so).
    found = mapped_areas(
        repository.list_admin_areas(session=session, level=None, parent_pcode=None), request.bbox
    )
    after = [area for area in found if request.cursor is None or area.pcode > request.cursor]
    page = after[: request.page_size]
    more = len(after) > len(page)
    return Page(page, len(found), page[-1].pcode if more else None)


def area(*, session: Session, pcode: str) -> AdminArea:
    """The gazetteer unit with that P-code, if it is on the map (it has a boundary)."""
    found = repository.get_admin_area(session=session, pcode=pcode)
    if found is None or found.geometry is None:
        raise _not_found(ADMIN_AREAS)
    return found


def area_extent(*, session: Session) -> CollectionExtent:
    """Where the gazetteer's units lie."""
    return areas_extent(repository.list_admin_areas(session=session, level=None, parent_pcode=None))
