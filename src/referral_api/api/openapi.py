"""The OpenAPI document as a client generator reads it: each error under its real type."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from referral_api.api.problems import PROBLEM_JSON, PROBLEM_SCHEMA_REF, Problem

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


def install_openapi(app: FastAPI) -> None:
    """Serve `errors_as_problems` of the document FastAPI builds, built once."""

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
