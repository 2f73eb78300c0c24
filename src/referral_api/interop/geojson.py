"""Read and write the directory as a GeoJSON FeatureCollection (`services.geojson`)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, NamedTuple

import ijson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from referral_api.documents import (
    AdminAreaCollection,
    OrganizationDocument,
    ProviderFeature,
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


class FeatureRead(NamedTuple):
    """One feature of a directory file: its provider (None if it is not one at all) and
    every problem found with it, each under its path in the file (features/N/...)."""

    position: int
    provider: Provider | None
    problems: list[FieldProblem]


# What a directory file holds, in the order read: organizations, features, and problems
# of the file itself or of an organization.
DirectoryPart = Organization | FeatureRead | FieldProblem


class _Frame(BaseModel):
    """A directory collection with its features left for `read_feature`, one at a time."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["FeatureCollection"]
    organizations: list[Any] = Field(default_factory=list)
    features: list[Any]


def read_feature(index: int, raw: Any) -> FeatureRead:
    """The provider of the feature at `index`, checked by its schema and the domain's rules."""
    try:
        feature = ProviderFeature.model_validate(raw)
    except ValidationError as error:
        return FeatureRead(index, None, validation_problems(error, ("features", index)))
    point = feature.geometry.coordinates if feature.geometry else None
    provider = feature.properties.to_domain(
        feature.id, point[0] if point else None, point[1] if point else None
    )
    problems = [
        FieldProblem(("features", index, *problem.location), problem.message)
        for problem in provider_problems(provider)
    ]
    return FeatureRead(index, provider, problems)


def _read_organization(index: int, raw: Any) -> Organization | list[FieldProblem]:
    try:
        return OrganizationDocument.model_validate(raw).to_domain()
    except ValidationError as error:
        return validation_problems(error, ("organizations", index))


def _organization_parts(raws: Iterable[Any]) -> Iterator[DirectoryPart]:
    for index, raw in enumerate(raws):
        read = _read_organization(index, raw)
        if isinstance(read, Organization):
            yield read
        else:
            yield from read


def parse_directory(document: Any) -> tuple[list[Organization], list[Provider]]:
    """Organizations and providers of a directory collection, all of them valid, or an error."""
    try:
        frame = _Frame.model_validate(document)
    except ValidationError as error:
        problems = validation_problems(error)
        raise InvalidInputError(
            f"The directory file is not valid ({len(problems)} problem(s))", problems
        ) from None
    found: list[FieldProblem] = []
    organizations = []
    for part in _organization_parts(frame.organizations):
        if isinstance(part, Organization):
            organizations.append(part)
        elif isinstance(part, FieldProblem):
            found.append(part)
    providers = []
    seen: set[uuid.UUID] = set()
    for index, raw in enumerate(frame.features):
        feature = read_feature(index, raw)
        found += feature.problems
        if feature.provider is not None:
            if feature.provider.id in seen:
                found.append(FieldProblem(("features", index, "id"), "duplicate provider id"))
            seen.add(feature.provider.id)
            providers.append(feature.provider)
    if found:
        raise InvalidInputError(f"The directory file is not valid ({len(found)} problem(s))", found)
    return organizations, providers


class _Head(NamedTuple):
    """What a directory file says before its features: usually all but the features."""

    kinds: list[Any]  # values of the top-level "type" member
    organizations: list[Any] | None  # None if they were not there (perhaps they follow)
    has_features: bool


def _head(path: Path) -> _Head:
    """The members before "features", read event by event: it stops where features start,
    so that the features are tokenized once, by the reader that builds them."""
    kinds: list[Any] = []
    organizations: list[Any] | None = None
    builder: ijson.ObjectBuilder | None = None
    with path.open("rb") as handle:
        for prefix, event, value in ijson.parse(handle, use_float=True):
            if builder is not None:
                builder.event(event, value)
                if prefix == "organizations" and event == "end_array":
                    organizations, builder = builder.value, None
            elif prefix == "" and event == "map_key" and value == "features":
                return _Head(kinds, organizations, True)
            elif prefix == "type" and event == "string":
                kinds.append(value)
            elif prefix == "organizations" and event == "start_array":
                builder = ijson.ObjectBuilder()
                builder.event(event, value)
            elif prefix == "organizations" and event != "map_key":
                # Not a list: the whole document's schema says so.
                return _Head(kinds, organizations, False)
    return _Head(kinds, organizations, False)


def stream_directory(path: Path) -> Iterator[DirectoryPart]:
    """The parts of a directory file, one at a time: a file of a million providers is read
    in bounded memory, each feature checked as it comes, never the whole document at once.

    Problems are yielded, not raised, so that a caller can report every one of them. The
    organizations and type usually come first (as `export` writes them); a file that puts
    them after the features is read a second time for them. A file without features is
    read whole by `parse_directory`, whose schema then says what is wrong or missing.
    """
    try:
        head = _head(path)
        if not head.has_features:
            organizations, _ = parse_directory(read_json(path))
            yield from organizations
            return
        yield from _organization_parts(head.organizations or [])
        read = 0
        with path.open("rb") as handle:
            for index, raw in enumerate(ijson.items(handle, "features.item", use_float=True)):
                read += 1
                yield read_feature(index, raw)
        if not read:
            # No feature, or features that are no list (null, an object): small either way.
            parse_directory(read_json(path))
        kinds = head.kinds
        if head.organizations is None:
            with path.open("rb") as handle:
                raws = ijson.items(handle, "organizations.item", use_float=True)
                yield from _organization_parts(raws)
        if not kinds:
            with path.open("rb") as handle:
                kinds = list(ijson.items(handle, "type"))
    except FileNotFoundError:
        raise InvalidInputError(f"No such file: {path}") from None
    except (ijson.JSONError, UnicodeDecodeError) as error:
        raise InvalidInputError(f"{path} is not valid JSON: {error}") from None
    if not kinds:
        yield FieldProblem(("type",), "Field required")
    elif kinds != ["FeatureCollection"]:
        yield FieldProblem(("type",), "Input should be 'FeatureCollection'")


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
