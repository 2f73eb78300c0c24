"""Request logging that never records survivors' locations or callers' addresses."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_logger = logging.getLogger("referral_api.access")


def coarse(value: float) -> float:
    """A coordinate rounded to 2 decimals (about 1 km): the most precision any log may hold."""
    return round(value, 2)


class AccessLogMiddleware:
    """One line per request: method, path, status, duration and request id.

    No query string (it may hold coordinates) and no client address: uvicorn's own access
    log, which records both, is turned off by `serve`. A plain ASGI middleware: Starlette's
    BaseHTTPMiddleware costs a task and a stream per request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Tag the request with an id, pass it on, and log it when the response starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(Headers(scope=scope).get("x-request-id"))
        # Routes take the id from here (api.deps.get_actor), so that the audit trail stores
        # exactly the id this response carries and this line logs.
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_logger.info(
                "%s %s %d %.1fms id=%s",
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
                request_id,
            )


# The audit trail's request_id column holds 64 characters.
REQUEST_ID_MAX_LENGTH = 64
_REQUEST_ID = re.compile(rf"[!-~]{{1,{REQUEST_ID_MAX_LENGTH}}}")


def _request_id(given: str | None) -> str:
    # Visible ASCII only: an id is echoed in a header, written to logs and stored; anything
    # else (control characters, spaces, an oversized value) is replaced, never trimmed, so
    # that an id is either the caller's own or plainly ours.
    if given is not None and _REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def configure_logging(level: str) -> None:
    """Plain-text logs on stderr at `level`."""
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
