"""Exports for information managers: the public directory as HXL-tagged CSV."""

from __future__ import annotations

from fastapi import APIRouter, Response

from referral_api import exchange
from referral_api.api.deps import SessionDep
from referral_api.api.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/v1/exports", tags=["Providers"])
HXL_CSV = "text/csv; charset=utf-8"


@router.get(
    "/providers.hxl.csv",
    summary="The directory as HXL-tagged CSV",
    description=(
        "One row per provider and need, a row of HXL hashtags under the headers (`#org`, "
        "`#loc`, `#sector +cluster`, `#service +code`, `#adm1`–`#adm3 +code`, `#geo`, "
        "`#contact`, `#status`, …), for 3W/4W sheets and HDX. Confidential service points "
        "have no coordinates nor admin units (`#x_location_withheld` is true)."
    ),
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **PROBLEM_RESPONSES},
)
def providers_hxl(session: SessionDep) -> Response:
    """The public directory as HXL."""
    return Response(
        exchange.hxl_export(session=session),
        media_type=HXL_CSV,
        headers={"Content-Disposition": 'attachment; filename="providers.hxl.csv"'},
    )
