"""RFC 9457 problem details: one table from exceptions to statuses, one renderer for all."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from referral_api.api.methods import allowed_methods
from referral_api.api.runtime import runtime_of
from referral_api.db.errors import domain_error
from referral_api.domain.errors import (
    AmbiguousPlaceError,
    AuthenticationError,
    ConflictError,
    DirectoryUnavailableError,
    ForbiddenError,
    InvalidInputError,
    InvalidParameterError,
    NotFoundError,
    PreconditionFailedError,
    PreconditionRequiredError,
    RateLimitedError,
    ReferralError,
)

PROBLEM_JSON = "application/problem+json"
logger = logging.getLogger("referral_api.errors")


@dataclass(frozen=True, slots=True)
class ProblemKind:
    """How one kind of error is reported."""

    slug: str
    status: int
    title: str


NOT_FOUND = ProblemKind("not-found", 404, "Not found")
INVALID_INPUT = ProblemKind("invalid-input", 422, "The request is not valid")
INVALID_PARAMETER = ProblemKind("invalid-parameter", 400, "A query parameter is not valid")
AMBIGUOUS_PLACE = ProblemKind("ambiguous-place", 422, "The place could not be resolved")
UNAVAILABLE = ProblemKind("unavailable", 503, "The directory is unavailable")
UNAUTHENTICATED = ProblemKind("unauthenticated", 401, "Authentication required")
FORBIDDEN = ProblemKind("forbidden", 403, "Not allowed")
CONFLICT = ProblemKind("conflict", 409, "Conflict")
STALE = ProblemKind("stale-revision", 412, "The entry changed meanwhile")
NO_REVISION = ProblemKind("revision-required", 428, "If-Match required")
RATE_LIMITED = ProblemKind("rate-limited", 429, "Too many failed attempts")
TOO_LARGE = ProblemKind("too-large", 413, "Request body too large")
INTERNAL = ProblemKind("internal-error", 500, "Internal error")

# Most specific first: the first class an exception is an instance of decides.
STATUS_TABLE: tuple[tuple[type[ReferralError], ProblemKind], ...] = (
    (AmbiguousPlaceError, AMBIGUOUS_PLACE),
    (InvalidParameterError, INVALID_PARAMETER),
    (InvalidInputError, INVALID_INPUT),
    (NotFoundError, NOT_FOUND),
    (DirectoryUnavailableError, UNAVAILABLE),
    (AuthenticationError, UNAUTHENTICATED),
    (ForbiddenError, FORBIDDEN),
    (ConflictError, CONFLICT),
    (PreconditionFailedError, STALE),
    (PreconditionRequiredError, NO_REVISION),
    (RateLimitedError, RATE_LIMITED),
)


class FieldError(BaseModel):
    """One invalid field of the request."""

    location: list[str | int] = Field(
        description="Where: body/query/path/header, then field names and indexes"
    )
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    type: str = Field(description="A URI reference that identifies the problem type")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = Field(
        default=None, description="The path of the request (never its query string)"
    )
    errors: list[FieldError] | None = None
    candidates: list[str] | None = None


def problem_type(slug: str) -> str:
    """The type URI of a problem kind; relative, so it resolves on the serving host."""
    return f"/problems/{slug}"


def problem_response(
    request: Request,
    kind: ProblemKind,
    detail: str | None,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """Render a problem; the instance is the path alone so that no query value is echoed."""
    body = Problem(
        type=problem_type(kind.slug),
        title=kind.title,
        status=kind.status,
        detail=detail,
        instance=request.url.path,
        **extra,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=kind.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _kind_of(error: ReferralError) -> ProblemKind:
    for error_class, kind in STATUS_TABLE:
        if isinstance(error, error_class):
            return kind
    return INTERNAL


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ReferralError)
    kind = _kind_of(error)
    extra: dict[str, Any] = {}
    if isinstance(error, InvalidInputError) and error.problems:
        extra["errors"] = [
            FieldError(location=list(problem.location), message=problem.message)
            for problem in error.problems
        ]
    if isinstance(error, AmbiguousPlaceError):
        extra["candidates"] = list(error.candidates)
    headers = None
    if isinstance(error, AuthenticationError):
        headers = {"WWW-Authenticate": "Bearer"}
    if isinstance(error, RateLimitedError | DirectoryUnavailableError):
        headers = {"Retry-After": str(error.retry_after_seconds)}
    return problem_response(request, kind, error.detail, headers=headers, **extra)


async def _database_error(request: Request, error: Exception) -> JSONResponse:
    # Wherever a database failure escapes (a route's session or another's), it is answered
    # as what it means, never as a 500 whose log would carry the refused row.
    assert isinstance(error, SQLAlchemyError)
    translated = domain_error(error)
    runtime_of(request.app).metrics.database_error(_kind_of(translated).slug)
    return await _domain_error(request, translated)


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    # Echoing the rejected input could put a survivor's coordinates into a client's logs.
    errors = [
        FieldError(location=list(detail["loc"]), message=detail["msg"]) for detail in error.errors()
    ]
    return problem_response(
        request,
        INVALID_INPUT,
        f"{len(errors)} field(s) are not valid; see errors",
        errors=errors,
    )


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    phrase = HTTPStatus(error.status_code).phrase
    slug = phrase.lower().replace(" ", "-").replace("'", "")
    kind = ProblemKind(slug, error.status_code, phrase)
    detail = error.detail if isinstance(error.detail, str) and error.detail != phrase else None
    headers = dict(error.headers) if error.headers else None
    if error.status_code == 405:
        # Each route knows its own methods only; the path may be served by several.
        headers = {**(headers or {}), "Allow": allowed_methods(request.app.routes, request.scope)}
    return problem_response(request, kind, detail, headers=headers)


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return problem_response(request, INTERNAL, "An unexpected error occurred; it was logged.")


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error of `app` an application/problem+json response."""
    app.add_exception_handler(ReferralError, _domain_error)
    app.add_exception_handler(SQLAlchemyError, _database_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


PROBLEM_SCHEMA_REF = "#/components/schemas/Problem"


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem statuses an operation may answer.

    Plain OpenAPI (no `model`, which FastAPI would file under application/json), so that
    they serve in `responses` and `openapi_extra` alike; `api.openapi` adds the schema.
    """
    return {
        str(status): {
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_SCHEMA_REF}}},
        }
        for status in statuses
    }


# What any request may meet before its operation runs: a key that fails (401, or 429 once
# braked), a field that is not valid (422), a database that cannot be reached (503).
KEY_PROBLEMS = problem_responses(401, 429)
PROBLEM_RESPONSES = problem_responses(422, 503)
# A body that cannot be read (400: not UTF-8, say) or is too large (413).
BODY_PROBLEMS = problem_responses(400, 413)
