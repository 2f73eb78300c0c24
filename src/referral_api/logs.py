"""Request logging that never records survivors' locations or callers' addresses."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_logger = logging.getLogger("referral_api.access")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"

# Line breaks, terminal escapes and the other C0/C1 controls, the Unicode line separators,
# and the bidirectional overrides that make a line read differently than it is written.
_ESCAPES: dict[int, str] = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    for code in (
        *range(0x20),
        *range(0x7F, 0xA0),
        0x200E,
        0x200F,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        0x2028,
        0x2029,
    )
} | {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}


def coarse(value: float) -> float:
    """A coordinate rounded to 2 decimals (about 1 km): the most precision any log may hold."""
    return round(value, 2)


class AccessLogMiddleware:
    """One line per request: method, path, status, duration and request id.

    No query string (it may hold coordinates) and no client address: uvicorn's own access
    log, which records both, is turned off by `serve`. A plain ASGI middleware: Starlette's
    BaseHTTPMiddleware costs a task and a stream per request. `observe` is told of each
    answered request too (the metrics): one timing for both, one layer less per request.
    """

    def __init__(
        self, app: ASGIApp, observe: Callable[[Scope, int, float], None] | None = None
    ) -> None:
        self.app = app
        self.observe = observe

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
            seconds = time.perf_counter() - started
            if self.observe is not None:
                self.observe(scope, status, seconds)
            access_logger.info(
                "%s %s %d %.1fms id=%s",
                scope["method"],
                scope["path"],
                status,
                seconds * 1000,
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


class EscapingFormatter(logging.Formatter):
    """One record, one line: control characters in anything logged are written escaped.

    A path is percent-decoded before it is logged, so `%0D%0A` in a URL would otherwise
    start a line of the caller's choosing. Tracebacks come out on one line too.
    """

    def format(self, record: logging.LogRecord) -> str:
        """The record as the plain format has it, escaped where it needs to be."""
        line = super().format(record)
        return line if line.isprintable() else line.translate(_ESCAPES)


def logging_config(level: str) -> dict[str, Any]:
    """Plain-text logs on stderr at `level`, uvicorn's own included.

    Given to uvicorn, which applies it in every worker process: logging set up in the
    process that starts the workers is not inherited by them.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"()": EscapingFormatter, "fmt": LOG_FORMAT}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "plain",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level.upper(), "handlers": ["stderr"]},
    }
