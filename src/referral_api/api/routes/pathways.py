"""The printable referral pathway of an area, as a PDF built from the live directory."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from referral_api import pathways
from referral_api.api.deps import SearchEngine
from referral_api.api.problems import PROBLEM_RESPONSES, problem_responses
from referral_api.api.runtime import runtime_of
from referral_api.interop.pathway_pdf import render_pdf

router = APIRouter(prefix="/v1", tags=["Reference"])
PDF = "application/pdf"


@router.get(
    "/areas/{pcode}/pathway.pdf",
    summary="Print the referral pathway of an area",
    description=(
        "One A4 page or more to pin in clinics, police posts and community centres: the "
        "entry points (case management, hotlines) first, then health (PEP within 72 h, "
        "emergency contraception within 120 h), psychosocial support, legal aid, safety, "
        "and the police, only if the survivor wishes; the guiding steps, and where the data "
        "comes from. Built from the directory as it stands, so print it again when it "
        "changes. Confidential providers show their front door only, never their address."
    ),
    response_class=Response,
    responses={
        200: {"content": {PDF: {"schema": {"type": "string", "format": "binary"}}}},
        **problem_responses(404),
        **PROBLEM_RESPONSES,
    },
)
def area_pathway(
    request: Request,
    pcode: Annotated[
        str, Path(max_length=20, description="P-code, e.g. CF7113", examples=["CF7113"])
    ],
    lang: Annotated[Literal["fr", "en"], Query(description="Language of the sheet")] = "fr",
) -> Response:
    """Print the referral pathway of an area."""
    engine: SearchEngine = runtime_of(request.app).search_engine
    sheet = pathways.pathway_sheet(
        index=engine.snapshots.current(),
        pcode=pcode,
        lang=lang,
        now=datetime.now(UTC),
        weights=engine.weights,
    )
    return Response(
        render_pdf(sheet),
        media_type=PDF,
        headers={"Content-Disposition": f'inline; filename="pathway-{sheet.pcode}-{lang}.pdf"'},
    )
