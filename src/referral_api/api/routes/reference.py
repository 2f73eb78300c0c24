"""Reference data: the taxonomy of needs and the gazetteer of administrative areas."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from referral_api import operations
from referral_api.api.deps import SessionDep
from referral_api.api.problems import PROBLEM_RESPONSES, problem_responses
from referral_api.api.schemas import AdminAreaDetail, AdminAreaList, AdminAreaOut, NeedList, NeedOut
from referral_api.domain.taxonomy import NEEDS, TAXONOMY_VERSION

router = APIRouter(prefix="/v1")


@router.get(
    "/needs",
    tags=["Reference"],
    summary="List the needs",
    description=(
        "The controlled list of needs a referral can answer, with French and English labels. "
        "Asking for a sector (e.g. `medical`) matches all of its sub-codes "
        "(`medical.cmr`, `medical.pep`, …)."
    ),
    response_model=NeedList,
)
def list_needs() -> NeedList:
    """List the needs."""
    return NeedList(version=TAXONOMY_VERSION, items=[NeedOut.of(need) for need in NEEDS])


@router.get(
    "/areas",
    tags=["Reference"],
    summary="List administrative areas",
    description=(
        "Administrative areas with their OCHA P-codes (COD-AB CAF, version 201506): "
        "préfectures (level 1), sous-préfectures (2), communes and Bangui's arrondissements (3) "
        "and quartiers (4). Filter by level or by parent P-code."
    ),
    response_model=AdminAreaList,
    responses=PROBLEM_RESPONSES,
)
def list_areas(
    session: SessionDep,
    level: Annotated[int | None, Query(ge=1, le=4, description="Administrative level")] = None,
    parent: Annotated[
        str | None, Query(max_length=20, description="Parent P-code, e.g. CF711")
    ] = None,
) -> AdminAreaList:
    """List administrative areas."""
    areas = operations.list_admin_areas(session=session, level=level, parent_pcode=parent)
    return AdminAreaList(items=[AdminAreaOut.of(area) for area in areas])


@router.get(
    "/areas/{pcode}",
    tags=["Reference"],
    summary="Get one administrative area",
    description="One area by P-code, with its boundary polygon where the gazetteer has one.",
    response_model=AdminAreaDetail,
    responses={**problem_responses(404), **PROBLEM_RESPONSES},
)
def get_area(
    session: SessionDep,
    pcode: Annotated[
        str, Path(max_length=20, description="P-code, e.g. CF7113", examples=["CF7113"])
    ],
) -> AdminAreaDetail:
    """Get one administrative area."""
    return AdminAreaDetail.of_area(operations.get_admin_area(session=session, pcode=pcode))
