"""The listing's filters, parsed and checked before an endpoint sees them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from referral_api.documents import Moment
from referral_api.domain import taxonomy
from referral_api.domain.errors import FieldProblem, InvalidInputError
from referral_api.domain.geometry import BBOX_PATTERN, BBox
from referral_api.domain.model import Status
from referral_api.domain.queries import ProviderQuery


def _need_filter(need: str | None) -> str | None:
    if need is not None and taxonomy.get_need(need) is None:
        raise InvalidInputError(
            f"Unknown need code {need!r}; see GET /v1/needs",
            (FieldProblem(("query", "need"), "not a taxonomy code"),),
        )
    return need


async def provider_query(
    need: Annotated[
        str | None,
        Query(
            description="Need code or sector, e.g. medical.pep or legal",
            json_schema_extra={"enum": [need.code for need in taxonomy.NEEDS]},
        ),
    ] = None,
    pcode: Annotated[
        str | None,
        Query(description="P-code of any level, e.g. CF71 or CF7113", min_length=1, max_length=20),
    ] = None,
    bbox: Annotated[
        str | None,
        Query(
            description="west,south,east,north in WGS84 decimal degrees, west <= east and "
            "south <= north",
            examples=["18.50,4.33,18.62,4.43"],
            # Documented, and checked by BBox.parse, which says what is wrong.
            json_schema_extra={"pattern": BBOX_PATTERN},
        ),
    ] = None,
    status: Annotated[Status | None, Query(description="Only providers in this status")] = None,
    modified_after: Annotated[
        Moment | None,
        Query(
            description="Only entries changed after this moment: ISO 8601 with its UTC offset, "
            "e.g. 2026-12-01T00:00:00Z. A date or a time without an offset is refused (422): "
            "read in an unknown time zone, it could skip a change."
        ),
    ] = None,
) -> ProviderQuery:
    """The filters of `GET /v1/providers` as one query."""
    return ProviderQuery(
        need=_need_filter(need),
        pcode=pcode,
        bbox=BBox.parse(bbox) if bbox is not None else None,
        status=status,
        modified_after=modified_after,
    )


ProviderQueryDep = Annotated[ProviderQuery, Depends(provider_query)]
