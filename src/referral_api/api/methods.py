"""HTTP methods: HEAD wherever GET, and a 405's `Allow` naming every method of the path."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# In the order RFC 9110 lists them, PATCH after PUT; HEAD goes with GET.
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class HeadAsGetMiddleware:
    """Answer HEAD as the GET of the same URL would, headers alone (RFC 9110, 9.3.2).

    FastAPI routes GET only; an OpenAPI document lists HEAD operations apart. Here HEAD
    runs the GET route, its status and headers (Content-Length and ETag included) kept.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Route HEAD as GET and drop the body from what is sent."""
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def allowed_methods(routes: Sequence[BaseRoute], scope: Scope) -> str:
    """The `Allow` value for the path of `scope`: each method some route serves it with."""
    # Asked of the routes, method by method: included routers nest their routes.
    allowed = [
        method
        for method in _METHODS
        if any(route.matches({**scope, "method": method})[0] is Match.FULL for route in routes)
    ]
    if "GET" in allowed:
        allowed.insert(allowed.index("GET") + 1, "HEAD")
    return ", ".join(allowed)
