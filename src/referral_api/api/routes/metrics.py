"""GET /metrics: the Prometheus exposition, for operators (not on the public docs page)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from referral_api.api.runtime import runtime_of
from referral_api.metrics import CONTENT_TYPE, Metrics

router = APIRouter(include_in_schema=False)


@router.get("/metrics")
def exposition(request: Request) -> Response:
    """Every metric of this process, or of every worker when they share a directory."""
    metrics: Metrics = runtime_of(request.app).metrics
    return Response(metrics.exposition(), media_type=CONTENT_TYPE)
