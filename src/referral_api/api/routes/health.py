"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from referral_api.api.deps import EngineDep, SessionDep
from referral_api.api.schemas import Health
from referral_api.db import repository
from referral_api.db.engine import writable
from referral_api.domain.access import ANONYMOUS
from referral_api.domain.queries import ProviderQuery

router = APIRouter(tags=["Health"])


@router.get(
    "/healthz",
    summary="Liveness",
    description="The process answers; says nothing of the database.",
    response_model=Health,
    response_model_exclude_none=True,
)
def healthz() -> Health:
    """Liveness."""
    return Health(status="ok")


@router.get(
    "/readyz",
    summary="Readiness",
    description=(
        "Ready when the database answers; 503 while it cannot be reached. While only writes "
        "are blocked (another process holds the SQLite file's lock) the status is "
        "`read-only`, still 200: searches and reads go on, and every instance shares that "
        "file, so taking this one out of rotation would only stop them too."
    ),
    response_model=Health,
    responses={503: {"model": Health, "description": "Not ready"}},
)
def readyz(session: SessionDep, engine: EngineDep) -> Health | JSONResponse:
    """The database answers and the directory is readable; whether writes can start."""
    try:
        revision = repository.current_revision(session=session)
        count = repository.count_providers(session=session, query=ProviderQuery(), viewer=ANONYMOUS)
        status: Literal["ok", "read-only"] = "ok" if writable(engine) else "read-only"
    except SQLAlchemyError:
        return JSONResponse(Health(status="unavailable").model_dump(), status_code=503)
    return Health(status=status, providers=count, directory_revision=revision)
