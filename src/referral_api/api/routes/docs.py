"""The documentation pages, served with their own assets so they work offline."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from referral_api.api.problems import PROBLEM_JSON, problem_type

ASSETS_PATH = "/docs-assets"
# fastapi-offline ships Swagger UI and ReDoc builds; only its files are used, not its app class.
_ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"

PROBLEM_TYPES = {
    "invalid-input": "A field of the request is missing, malformed or breaks a rule; "
    "`errors` lists each one with its location.",
    "invalid-parameter": "A query parameter is unknown or malformed (OGC API – Features "
    "answers 400 for both); `errors` names it.",
    "ambiguous-place": "The place name matched several places or none; `candidates` lists "
    "the names that would work.",
    "not-found": "Nothing exists at that address (or it is not visible to the caller).",
    "unavailable": "The database cannot be reached; retry later.",
    "internal-error": "A fault of the service; it was logged.",
}


def install_docs(app: FastAPI) -> None:
    """Serve /docs (Swagger UI) and /redoc from local assets, and explain problem types."""
    app.mount(ASSETS_PATH, StaticFiles(directory=_ASSETS_DIR), name="docs-assets")
    router = APIRouter(include_in_schema=False)
    title = app.title
    openapi_url = app.openapi_url or "/openapi.json"
    oauth_redirect = "/docs/oauth2-redirect"

    @router.get("/docs")
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} – docs",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
            oauth2_redirect_url=oauth_redirect,
            swagger_ui_parameters={"displayRequestDuration": True},
        )

    @router.get(oauth_redirect)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @router.get("/redoc")
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{title} – ReDoc",
            redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_PATH}/favicon.png",
            with_google_fonts=False,
        )

    @router.get("/problems/{slug}")
    def explain_problem(slug: str) -> dict[str, str]:
        return {
            "type": problem_type(slug),
            "media_type": PROBLEM_JSON,
            "description": PROBLEM_TYPES.get(slug, "An HTTP error with its standard meaning."),
        }

    app.include_router(router)
