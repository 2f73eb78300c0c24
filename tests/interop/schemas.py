"""The HSDS 3.0 schemas shipped under hsds_schema/, as jsonschema validators with formats."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

FOLDER = Path(__file__).parent / "hsds_schema"
ALL = "urn:hsds:service_with_definitions"


def _read(name: str) -> Any:
    return json.loads((FOLDER / name).read_text(encoding="utf-8"))


@cache
def _registry() -> Registry:  # type: ignore[type-arg]
    resources = {ALL: _read("service_with_definitions.json")}
    resources |= {f"urn:hsds:{name}": _read(f"{name}.json") for name in LISTS.values()}
    openapi = _read("openapi.json")
    resources["urn:hsds:page"] = openapi["components"]["schemas"]["Page"]
    about = openapi["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]
    resources["urn:hsds:about"] = about["schema"]
    return Registry().with_resources(
        (uri, Resource.from_contents(body, default_specification=DRAFT202012))
        for uri, body in resources.items()
    )


# Which compiled schema an object of each HSDS path must match, alone and in a list.
DETAILS = {
    "services": f"{ALL}#",
    "organizations": f"{ALL}#/definitions/organization",
    "service_at_locations": f"{ALL}#/definitions/service_at_location",
    "taxonomies": f"{ALL}#/definitions/taxonomy",
    "taxonomy_terms": f"{ALL}#/definitions/taxonomy_term",
}
LISTS = {
    "services": "service_list",
    "organizations": "organization_list",
    "service_at_locations": "service_at_location_list",
}


def validator(ref: str) -> Draft202012Validator:
    """A validator of the schema at `ref`, checking formats."""
    return validator_of({"$ref": ref})


def detail_validator(path: str) -> Draft202012Validator:
    """The validator of one object of `path` (e.g. services)."""
    return validator(DETAILS[path])


def page_validator(path: str) -> Draft202012Validator:
    """The validator of a Page of `path`: the Page object and each of its contents."""
    item = f"urn:hsds:{LISTS[path]}" if path in LISTS else DETAILS[path]
    return validator_of(
        {
            "allOf": [{"$ref": "urn:hsds:page"}],
            "required": [
                "total_items",
                "total_pages",
                "page_number",
                "size",
                "first_page",
                "last_page",
                "empty",
                "contents",
            ],
            "properties": {"contents": {"type": "array", "items": {"$ref": item}}},
        }
    )


def validator_of(schema: dict[str, Any]) -> Draft202012Validator:
    """A validator of `schema`, which may refer to the shipped schemas by their urn."""
    return Draft202012Validator(
        schema, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
