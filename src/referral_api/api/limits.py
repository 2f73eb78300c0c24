"""A ceiling on request bodies, checked before anything reads them."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from referral_api.api.problems import TOO_LARGE, problem_response

MAX_BODY_BYTES = 64 * 1024


class BodySizeLimitMiddleware:
    """Refuse bodies over `limit` bytes with 413, whether declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"The body is larger than {self.limit // 1024} KiB"
        await problem_response(Request(scope), TOO_LARGE, detail)(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then read the body up to the limit before the app runs."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        # A chunked body has no declared length. It is read here, whole, rather than counted
        # while the app reads it: the framework takes any error raised while it reads a body
        # for a malformed body and answers 400.
        received: list[Message] = []
        size = 0
        more = True
        while more:
            message = await receive()
            received.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            more = message.get("more_body", False)

        async def replay() -> Message:
            return received.pop(0) if received else await receive()

        await self.app(scope, replay, send)
