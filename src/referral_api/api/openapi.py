"""The OpenAPI document as a client generator reads it (each error under its real type),
and as a caseworker reads it, in French or English."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from referral_api.api.openapi_fr import FRENCH
from referral_api.api.problems import PROBLEM_JSON, PROBLEM_SCHEMA_REF, Problem
from referral_api.domain.languages import Language, chosen_language

# For an operation anyone may call that reads a key when one is sent: no key, or the key.
# FastAPI derives `[{PartnerKey: []}]` from the dependency, and appends this to it.
OPTIONAL_KEY: dict[str, Any] = {"security": [{}]}
_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
_VALIDATION_REF = "#/components/schemas/HTTPValidationError"


def errors_as_problems(document: dict[str, Any]) -> dict[str, Any]:
    """Add the Problem schema, and make any validation error FastAPI adds of its own (for an
    operation that does not declare 422) what `api.problems` sends: a Problem."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            for response in operation.get("responses", {}).values():
                schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                if schema.get("$ref") == _VALIDATION_REF:
                    response["content"] = {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_SCHEMA_REF}}}
    for name in _VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    return document


def in_language(document: dict[str, Any], lang: Language) -> dict[str, Any]:
    """The document with its summaries and descriptions in `lang` (it is written in English);
    anything without a translation stays as written."""
    if lang == "en":
        return document

    def translated(node: Any, key: str | None = None) -> Any:
        if key in _DATA_KEYS:
            return node
        if isinstance(node, dict):
            return {k: translated(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [translated(v) for v in node]
        if key in _TEXT_KEYS and isinstance(node, str):
            return FRENCH.get(node, node)
        return node

    return translated(document)  # type: ignore[no-any-return]


def texts(document: dict[str, Any]) -> set[str]:
    """Every summary and description of the document that `in_language` would translate."""
    found: set[str] = set()

    def walk(node: Any, key: str | None = None) -> None:
        if key in _DATA_KEYS:
            return
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif key in _TEXT_KEYS and isinstance(node, str):
            found.add(node)

    walk(document)
    return found


# Words for people are under these keys; under the others, data (an example answer's own
# `summary` and `description` are the service's words in their language, not the docs').
_TEXT_KEYS = frozenset({"summary", "description"})
_DATA_KEYS = frozenset({"example", "value", "default", "enum", "const"})


def install_openapi(app: FastAPI, default_lang: Language) -> None:
    """Serve `errors_as_problems` of the document FastAPI builds, once per language, at
    /openapi.json (`?lang=fr|en`, else Accept-Language, else `default_lang`)."""
    documents: dict[Language, dict[str, Any]] = {}

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = errors_as_problems(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    openapi_version=app.openapi_version,
                    summary=app.summary,
                    description=app.description,
                    routes=app.routes,
                    tags=app.openapi_tags,
                    license_info=app.license_info,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get(OPENAPI_PATH, include_in_schema=False, name="openapi")
    def openapi_document(request: Request, lang: Language | None = None) -> JSONResponse:
        chosen = chosen_language(lang, request.headers.get("accept-language"), default_lang)
        found = documents.get(chosen)
        if found is None:
            found = documents[chosen] = in_language(openapi(), chosen)
        return JSONResponse(found, headers={"Content-Language": chosen})


OPENAPI_PATH = "/openapi.json"
