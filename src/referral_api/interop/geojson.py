"""Read and write the directory as a GeoJSON FeatureCollection (`services.geojson`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from referral_api.documents import (
    AdminAreaCollection,
    DirectoryCollection,
    OrganizationDocument,
    ProviderProperties,
)
from referral_api.domain.errors import FieldProblem, InvalidInputError
from referral_api.domain.model import AdminArea, Organization, Provider
from referral_api.domain.validation import provider_problems

ATTRIBUTION = (
    "Directory exported by referral-api. Entries marked verification=sample are illustrative. "
    "Health facility locations from OpenStreetMap contributors via healthsites.io are ODbL 1.0."
)


def read_json(path: Path) -> Any:
    """The JSON document in `path`, or an error that says why it could not be read."""
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise InvalidInputError(f"No such file: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InvalidInputError(f"{path} is not valid JSON: {error}") from None


def validation_problems(
    error: ValidationError, prefix: tuple[str | int, ...] = ()
) -> list[FieldProblem]:
    """A pydantic error as field problems, their paths under `prefix`."""
    return [
        FieldProblem((*prefix, *(part for part in detail["loc"])), detail["msg"])
        for detail in error.errors(include_url=False)
    ]


def parse_directory(document: Any) -> tuple[list[Organization], list[Provider]]:
    """Organizations and providers of a directory collection, all of them valid, or an error."""
    try:
        collection = DirectoryCollection.model_validate(document)
    except ValidationError as error:
        problems = validation_problems(error)
        raise InvalidInputError(
            f"The directory file is not valid ({len(problems)} problem(s))", problems
        ) from None
    found: list[FieldProblem] = []
    providers = []
    for index, feature in enumerate(collection.features):
        point = feature.geometry.coordinates if feature.geometry else None
        provider = feature.properties.to_domain(
            feature.id, point[0] if point else None, point[1] if point else None
        )
        found += [
            FieldProblem(("features", index, *problem.location), problem.message)
            for problem in provider_problems(provider)
        ]
        providers.append(provider)
    seen: set[str] = set()
    for index, provider in enumerate(providers):
        if str(provider.id) in seen:
            found.append(FieldProblem(("features", index, "id"), "duplicate provider id"))
        seen.add(str(provider.id))
    if found:
        raise InvalidInputError(f"The directory file is not valid ({len(found)} problem(s))", found)
    return [document.to_domain() for document in collection.organizations], providers


def provider_feature(provider: Provider) -> dict[str, Any]:
    """The provider as a GeoJSON Feature, as given (withhold locations before calling)."""
    properties = ProviderProperties.of(provider).model_dump(mode="json")
    geometry = None
    if provider.lon is not None and provider.lat is not None:
        geometry = {"type": "Point", "coordinates": [provider.lon, provider.lat]}
    return {
        "type": "Feature",
        "id": str(provider.id),
        "geometry": geometry,
        "properties": properties,
    }


def directory_collection(
    organizations: list[Organization], providers: list[Provider]
) -> dict[str, Any]:
    """The whole directory, locations included: for operators and backups, never for the public."""
    return {
        "type": "FeatureCollection",
        "attribution": ATTRIBUTION,
        "organizations": [
            OrganizationDocument.of(organization).model_dump(mode="json")
            for organization in organizations
        ],
        "features": [provider_feature(provider) for provider in providers],
    }


def parse_admin_areas(document: Any) -> list[AdminArea]:
    """The gazetteer units of an admin-area collection, or an error."""
    try:
        collection = AdminAreaCollection.model_validate(document)
    except ValidationError as error:
        problems = validation_problems(error)
        raise InvalidInputError(
            f"The admin area file is not valid ({len(problems)} problem(s))", problems
        ) from None
    return [feature.to_domain() for feature in collection.features]
