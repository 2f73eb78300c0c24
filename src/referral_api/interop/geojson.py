"""Read and write the directory as a GeoJSON FeatureCollection (`services.geojson`)."""

from __future__ import annotations

import itertools
import json
import re
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, NamedTuple, TextIO

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
    return _checked(index, feature)


def _checked(index: int, feature: ProviderFeature) -> FeatureRead:
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


def _organization_parts(raws: Iterable[Any]) -> Iterator[Organization | FieldProblem]:
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


class FeatureText(NamedTuple):
    """One feature of a directory file as it is written there, not read yet: reading it
    is the costly part of a load, which can be done elsewhere (in another process)."""

    position: int
    text: str


# What a directory file holds, in the order written, its features not read yet.
DirectoryPiece = Organization | FeatureText | FieldProblem


def read_feature_text(feature: FeatureText) -> FeatureRead:
    """The provider of a feature as written, checked as `read_feature` checks it."""
    try:
        parsed = ProviderFeature.model_validate_json(feature.text)
    except ValidationError as error:
        return FeatureRead(
            feature.position, None, validation_problems(error, ("features", feature.position))
        )
    return _checked(feature.position, parsed)


class _NotJson(Exception):
    """The file stops being JSON at `offset` (in characters from its start)."""

    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(f"{reason} at character {offset}")


def _no_constant(name: str) -> Any:
    # The standard library reads NaN and Infinity, which JSON does not have.
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_no_constant)
_SPACE = re.compile(r"[ \t\n\r]*")
# Characters read from the file at a time; the window grows only for a value that is larger.
_BLOCK = 1 << 22
# A single value (a feature, the organizations) is held whole while it is read.
LARGEST_VALUE = 1 << 28
# What the window's end may cut and the decoder then refuses: "\uXXXX", "false", "-".
_LONGEST_TOKEN = 6


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Reader:
    """A JSON text read a value at a time from a window of the file: each value is read by
    the standard library's decoder, and the window holds the value being read, not the file.
    """

    def __init__(self, handle: TextIO) -> None:
        self._handle = handle
        self._window = ""
        self._at = 0  # in the window
        self._before = 0  # characters of the file before the window
        self._ended = False

    def _more(self) -> bool:
        """Whether more of the file came into the window (which keeps what is unread)."""
        if self._ended:
            return False
        unread = len(self._window) - self._at
        if unread > LARGEST_VALUE:
            raise _NotJson(f"a value larger than {LARGEST_VALUE} characters", self._offset())
        block = self._handle.read(max(_BLOCK, unread))  # doubles for a value that is larger
        if not block:
            # The window stays as it is: a caller's positions in it still hold.
            self._ended = True
            return False
        self._before += self._at
        self._window, self._at = self._window[self._at :] + block, 0
        return True

    def _offset(self, at: int | None = None) -> int:
        return self._before + (self._at if at is None else at)

    def peek(self) -> str:
        """The next character that is not white space, left unread ("" at the end)."""
        while True:
            found = _SPACE.match(self._window, self._at)
            self._at = found.end() if found else self._at
            if self._at < len(self._window):
                return self._window[self._at]
            if not self._more():
                return ""

    def take(self, expected: str) -> str:
        """The next character, which must be one of `expected`."""
        found = self.peek()
        if not found or found not in expected:
            wanted = " or ".join(repr(char) for char in expected)
            raise _NotJson(f"expected {wanted}", self._offset())
        self._at += 1
        return found

    def value(self) -> tuple[Any, str]:
        """The next value and its text."""
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self._window, self._at)
            except json.JSONDecodeError as error:
                if self._cut_short(error) and self._more():
                    continue
                raise _NotJson(error.msg, self._offset(error.pos)) from None
            except ValueError as error:  # a constant JSON does not have
                raise _NotJson(str(error), self._offset()) from None
            except RecursionError:
                raise _NotJson("a value nested too deeply", self._offset()) from None
            if _is_number(value) and len(self._window) - end <= 2 and self._more():
                continue  # a number at the window's end ("1.", "1e+") may go on
            text, self._at = self._window[self._at : end], end
            return value, text

    def _cut_short(self, error: json.JSONDecodeError) -> bool:
        """Whether the error may come of where the window ends rather than of the file: a
        file wrong early on is not read to its end before it is refused."""
        near_end = error.pos >= len(self._window) - _LONGEST_TOKEN
        return near_end or error.msg.startswith("Unterminated string")

    def name(self) -> str:
        """The name of the next member of an object, and its colon."""
        if self.peek() != '"':
            raise _NotJson("expected a member's name", self._offset())
        name, _ = self.value()
        self.take(":")
        return str(name)

    def ended(self) -> None:
        """Nothing but white space is left."""
        if self.peek():
            raise _NotJson("extra data after the document", self._offset())


def _feature_texts(reader: _Reader) -> Iterator[FeatureText]:
    reader.take("[")
    if reader.peek() == "]":
        reader.take("]")
        return
    for position in itertools.count():
        yield FeatureText(position, reader.value()[1])
        if reader.take(",]") == "]":
            return


_LISTS = ("features", "organizations")


def _pieces(reader: _Reader, path: Path) -> Iterator[DirectoryPiece]:
    if reader.peek() != "{":
        # Not an object, so no directory: the whole document's schema says what is wrong.
        parse_directory(read_json(path))
    reader.take("{")
    kinds: list[Any] = []
    frame: dict[str, Any] = {}
    members = reader.peek() != "}"
    if not members:
        reader.take("}")  # the empty object
    while members:
        key = reader.name()
        if key in _LISTS and key in frame:
            # A parser keeps the last; a load would take both, their positions the same.
            raise InvalidInputError(
                "The directory file is not valid (1 problem(s))",
                (FieldProblem((key,), "given twice: a directory has one such list"),),
            )
        if key == "features" and reader.peek() == "[":
            frame[key] = []
            yield from _feature_texts(reader)
        else:
            value, _ = reader.value()
            if key == "type":
                kinds.append(value)
            frame[key] = value
            if key == "organizations" and isinstance(value, list):
                frame[key] = []
                yield from _organization_parts(value)
        members = reader.take(",}") == ","
    reader.ended()
    if not isinstance(frame.get("features"), list) or not isinstance(
        frame.get("organizations", []), list
    ):
        parse_directory(frame)  # raises: the frame's schema says what is wrong
    if not kinds:
        yield FieldProblem(("type",), "Field required")
    elif kinds != ["FeatureCollection"]:
        yield FieldProblem(("type",), "Input should be 'FeatureCollection'")


def directory_pieces(path: Path) -> Iterator[DirectoryPiece]:
    """The parts of a directory file in the order written, its features as text: a file of
    a million providers is read once, in bounded memory, never the whole document at once.

    Problems are yielded, not raised, so that a caller can report every one of them; a file
    that is no directory at all (no list of features) is an error.
    """
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            yield from _pieces(_Reader(handle), path)
    except FileNotFoundError:
        raise InvalidInputError(f"No such file: {path}") from None
    except (_NotJson, UnicodeDecodeError) as error:
        raise InvalidInputError(f"{path} is not valid JSON: {error}") from None


def stream_directory(path: Path) -> Iterator[DirectoryPart]:
    """The parts of a directory file in the order written, each feature checked as it comes."""
    for piece in directory_pieces(path):
        yield read_feature_text(piece) if isinstance(piece, FeatureText) else piece


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
