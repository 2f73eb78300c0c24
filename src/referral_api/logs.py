"""Request logging that never records survivors' locations or callers' addresses."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response

access_logger = logging.getLogger("referral_api.access")


def coarse(value: float) -> float:
    """A coordinate rounded to 2 decimals (about 1 km): the most precision any log may hold."""
    return round(value, 2)


class AccessLogMiddleware(BaseHTTPMiddleware):
    """One line per request: method, path, status, duration and request id.

    No query string (it may hold coordinates) and no client address: uvicorn's own access
    log, which records both, is turned off by `serve`.
    """

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Time the request, tag it with an id, and log it."""
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        if len(request_id) > 64 or not request_id.isprintable():
            request_id = uuid.uuid4().hex
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["X-Request-ID"] = request_id
        access_logger.info(
            "%s %s %d %.1fms id=%s",
            request.method,
            request.url.path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
            request_id,
        )
        return response


def configure_logging(level: str) -> None:
    """Plain-text logs on stderr at `level`."""
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
