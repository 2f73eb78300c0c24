"""Use cases: each loads through the repository, calls the domain and commits once."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.orm import Session

from referral_api.db import repository
from referral_api.db.snapshot import LoadedSnapshot, snapshot_piece
from referral_api.domain.access import Viewer
from referral_api.domain.directory import DirectoryIndex
from referral_api.domain.errors import FieldProblem, InvalidInputError, NotFoundError
from referral_api.domain.gazetteer import Gazetteer, Place
from referral_api.domain.model import AdminArea, Organization, Provider
from referral_api.domain.ranking import (
    Profile,
    RankingWeights,
    SearchQuery,
    SearchResult,
    TimeSinceIncident,
    search,
)
from referral_api.domain.taxonomy import unknown_codes
from referral_api.interop.geojson import (
    DirectoryPart,
    FeatureRead,
    directory_collection,
    parse_admin_areas,
    parse_directory,
    read_json,
)
from referral_api.loading import LoadPart, RowsRead

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What a load wrote."""

    organizations: int
    providers: int
    revision: int


def load_directory(
    *,
    session: Session,
    organizations: list[Organization],
    providers: list[Provider],
    areas: Sequence[AdminArea] = (),
) -> LoadReport:
    """Insert or replace organizations, providers and gazetteer units `areas` in one
    transaction: all or nothing."""
    return load_directory_parts(
        session=session, parts=directory_parts(organizations, providers), areas=areas
    )


def directory_parts(
    organizations: Sequence[Organization], providers: Sequence[Provider]
) -> list[DirectoryPart]:
    """A directory read whole (checked already), as the parts a load takes."""
    parts: list[DirectoryPart] = [*organizations]
    parts += (FeatureRead(index, provider, []) for index, provider in enumerate(providers))
    return parts


# Providers written at a time, and problems kept for the report (all are counted).
LOAD_CHUNK = 2000
PROBLEMS_KEPT = 1000


def load_directory_parts(
    *,
    session: Session,
    parts: Iterable[LoadPart],
    areas: Sequence[AdminArea] = (),
    snapshot: LoadedSnapshot | None = None,
) -> LoadReport:
    """Insert or replace organizations and providers as they are read, in one transaction
    with the gazetteer units `areas`: a bad directory file keeps them out too. If the
    directory was empty, `snapshot` gathers its snapshot file from what is written.

    Providers are written a chunk at a time, so that a load holds a chunk of the directory
    and the ids seen, not the whole of it. At the first problem writing stops and reading
    goes on, to report every problem (each under its path in the file); then the
    transaction is rolled back: a bad file, or one that cannot be read to its end, changes
    nothing.
    """
    try:
        if areas:
            repository.save_admin_areas(session=session, areas=areas)
        with repository.indexes_set_aside(session):
            report = _load_parts(session, parts, snapshot)
        session.commit()
        return report
    except BaseException:
        session.rollback()
        close = getattr(parts, "close", None)
        if close is not None:
            close()  # workers reading ahead stop now, not when the reader is collected
        raise


# A provider to write, by its id's bytes: as read in this process, or as rows a worker
# made of it.
_ToWrite = tuple[bytes, Provider | RowsRead]


def _identity(part: FeatureRead | RowsRead) -> tuple[str, _ToWrite] | None:
    """The organization of a feature and what to write of it, if it is a provider at all."""
    if isinstance(part, RowsRead):
        return part.organization_id, (part.id, part)
    provider = part.provider
    if provider is None:
        return None
    return provider.organization_id, (provider.id.bytes, provider)


def _load_parts(
    session: Session, parts: Iterable[LoadPart], snapshot: LoadedSnapshot | None
) -> LoadReport:
    known = repository.organization_ids(session=session)
    stored = repository.stored_provider_ids(session=session)
    # Rows made here (of providers read in this process) bear the load's one moment too.
    rows = repository.NewRows(session.connection().dialect, repository.utc_now())
    # Of a directory that held providers, a build reads rows this load did not write.
    gathered = snapshot if snapshot is not None and not stored else None
    seen: set[bytes] = set()
    chunk: list[_ToWrite] = []
    # Providers whose organization comes later in the file: written once it is saved.
    waiting: list[tuple[int, str, _ToWrite]] = []
    problems: list[FieldProblem] = []
    counts = {"problems": 0, "organizations": 0, "providers": 0}

    def report(found: Sequence[FieldProblem]) -> None:
        counts["problems"] += len(found)
        problems.extend(found[: max(0, PROBLEMS_KEPT - len(problems))])

    for part in parts:
        if isinstance(part, FieldProblem):
            report([part])
            continue
        if isinstance(part, Organization):
            counts["organizations"] += 1
            known.add(part.id)
            if not counts["problems"]:
                repository.save_organization(session=session, organization=part)
            continue
        found, identity = part.problems, _identity(part)
        if identity is None:
            report(found)
            continue
        organization_id, to_write = identity
        provider_id = to_write[0]
        if provider_id in seen:
            found = [
                *found,
                FieldProblem(("features", part.position, "id"), "duplicate provider id"),
            ]
        seen.add(provider_id)
        counts["providers"] += 1
        report(found)
        if organization_id not in known:
            if isinstance(part, RowsRead) and provider_id not in stored:
                # Its text is wanted only to replace a stored provider: a million waiting
                # would otherwise hold the file twice over.
                to_write = (provider_id, part._replace(text=""))
            waiting.append((part.position, organization_id, to_write))
        elif not counts["problems"]:
            chunk.append(to_write)
            if len(chunk) >= LOAD_CHUNK:
                _write_providers(session, chunk, stored, rows, gathered)
                chunk = []
    strays = [
        FieldProblem(
            ("features", position, "properties", "organization_id"), "unknown organization"
        )
        for position, organization_id, _ in waiting
        if organization_id not in known
    ]
    report(strays)
    if counts["problems"]:
        detail = (
            f"{len(strays)} provider(s) name an organization that does not exist"
            if len(strays) == counts["problems"]
            else f"The directory file is not valid ({counts['problems']} problem(s))"
        )
        raise InvalidInputError(detail, problems)
    last = [*chunk, *(to_write for _, _, to_write in waiting)]
    _write_providers(session, last, stored, rows, gathered)
    revision = repository.bump_revision(session=session, new_generation=True)
    if gathered is not None:
        gathered.seal(session)
    return LoadReport(counts["organizations"], counts["providers"], revision)


def _write_providers(
    session: Session,
    chunk: list[_ToWrite],
    stored: set[bytes],
    rows: repository.NewRows,
    gathered: LoadedSnapshot | None,
) -> None:
    """New providers inserted in bulk, `stored` ones replaced one by one."""
    session.flush()  # the organizations they name are saved first
    new: list[repository.ProviderRows] = []
    for provider_id, item in chunk:
        if provider_id in stored:
            provider = item.provider() if isinstance(item, RowsRead) else item
            repository.upsert_provider(session=session, provider=provider)
            continue
        if isinstance(item, RowsRead):
            new.append(item.rows_to_write())
            piece = item.piece
        else:
            new.append(rows(item))
            piece = snapshot_piece(item, new[-1]) if gathered is not None else None
        if gathered is not None:
            gathered.add(provider_id, piece)
    repository.insert_rows(session=session, rows=new)


def is_empty(*, session: Session) -> bool:
    """Whether neither providers nor admin areas were ever loaded."""
    return not (
        repository.has_providers(session=session) or repository.has_admin_areas(session=session)
    )


def export_directory(*, session: Session) -> dict[str, Any]:
    """The whole directory as a GeoJSON FeatureCollection, in the import format."""
    return directory_collection(
        repository.list_organizations(session=session),
        repository.all_providers(session=session),
    )


@dataclass(frozen=True, slots=True)
class ProviderPage:
    """One page of a provider listing."""

    providers: list[Provider]
    total: int
    next_cursor: str | None


def encode_cursor(provider_id: uuid.UUID) -> str:
    """An opaque cursor that resumes a listing after `provider_id`."""
    return base64.urlsafe_b64encode(provider_id.bytes).decode().rstrip("=")


def decode_cursor(cursor: str) -> uuid.UUID:
    """The provider id a cursor resumes after, or an error naming the parameter."""
    try:
        return uuid.UUID(bytes=base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        raise InvalidInputError(
            "The cursor is not one this API returned",
            (FieldProblem(("query", "cursor"), "invalid cursor"),),
        ) from None


def list_providers(
    *,
    session: Session,
    query: repository.ProviderQuery,
    viewer: Viewer,
    cursor: str | None,
    limit: int,
) -> ProviderPage:
    """A page of providers matching `query`, in a stable order."""
    after = decode_cursor(cursor) if cursor else None
    found = repository.find_providers(
        session=session, query=query, viewer=viewer, after=after, limit=limit + 1
    )
    page, more = found[:limit], len(found) > limit
    return ProviderPage(
        providers=page,
        total=repository.count_providers(session=session, query=query, viewer=viewer),
        next_cursor=encode_cursor(page[-1].id) if more else None,
    )


def get_provider(*, session: Session, provider_id: uuid.UUID) -> Provider:
    """The provider with that id, or NotFoundError."""
    provider = repository.get_provider(session=session, provider_id=provider_id)
    if provider is None:
        raise NotFoundError(f"No provider with id {provider_id}")
    return provider


def list_admin_areas(
    *, session: Session, level: int | None, parent_pcode: str | None
) -> list[AdminArea]:
    """Gazetteer units, optionally filtered."""
    return repository.list_admin_areas(session=session, level=level, parent_pcode=parent_pcode)


def get_admin_area(*, session: Session, pcode: str) -> AdminArea:
    """The gazetteer unit with that P-code, or NotFoundError."""
    area = repository.get_admin_area(session=session, pcode=pcode)
    if area is None:
        raise NotFoundError(f"No admin area with P-code {pcode}")
    return area


def load_sample_when_empty(
    *, session: Session, services_path: Path, admin_areas_path: Path
) -> LoadReport | None:
    """Load the shipped gazetteer and directory into an empty database; None if not empty."""
    if not is_empty(session=session):
        return None
    areas = parse_admin_areas(read_json(admin_areas_path))
    organizations, providers = parse_directory(read_json(services_path))
    return load_directory(
        session=session, organizations=organizations, providers=providers, areas=areas
    )


@dataclass(frozen=True, slots=True)
class SearchQueryDraft:
    """A search query before its place is resolved."""

    needs: tuple[str, ...]
    at: datetime
    profile: Profile
    time_since_incident: TimeSinceIncident
    open_now: bool
    max_distance_km: float | None
    limit: int
    explain: bool

    def with_place(self, place: Place) -> SearchQuery:
        """The domain query at `place`."""
        return _same_named(SearchQuery, self, place=place)


@dataclass(frozen=True, slots=True)
class Where:
    """Where the survivor is, as the caller said it: coordinates, a P-code or a place name."""

    lon: float | None = None
    lat: float | None = None
    pcode: str | None = None
    place: str | None = None


def _same_named(kind: type[T], source: object, **given: Any) -> T:
    """A `kind` of the attributes of `source` that bear its fields' names (lists as
    tuples), but for the fields `given`."""
    taken = given
    for name in _field_names(kind):
        if name not in given:
            value = getattr(source, name)
            taken[name] = tuple(value) if isinstance(value, list) else value
    return kind(**taken)


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    # Every search takes four kinds apart: `fields` builds its answer anew each time.
    return tuple(field.name for field in fields(kind))


def search_request(request: Any, *, at: datetime) -> tuple[Where, SearchQueryDraft]:
    """Where and what a search request asks, its fields taken by name, evaluated `at` (the
    moment it names, or the caller's clock when it names none). A need asked twice counts
    once."""
    needs = tuple(dict.fromkeys(request.needs))
    profile = _same_named(Profile, request)
    draft = _same_named(SearchQueryDraft, request, needs=needs, at=at, profile=profile)
    return _same_named(Where, request), draft


def resolve_place(gazetteer: Gazetteer, where: Where) -> Place:
    """The place meant by exactly one of the three ways to say where."""
    given = [
        name
        for name, present in (
            ("lat/lon", where.lat is not None or where.lon is not None),
            ("pcode", where.pcode is not None),
            ("place", where.place is not None),
        )
        if present
    ]
    if len(given) != 1:
        raise InvalidInputError(
            "Say where with exactly one of: lat and lon, pcode, or place",
            (FieldProblem(("body",), f"got {', '.join(given) or 'none'}"),),
        )
    if where.pcode is not None:
        return gazetteer.at_pcode(where.pcode)
    if where.place is not None:
        return gazetteer.resolve(where.place)
    if where.lat is None or where.lon is None:
        raise InvalidInputError(
            "Give both lat and lon", (FieldProblem(("body",), "lat and lon go together"),)
        )
    return gazetteer.at_point(where.lon, where.lat)


def search_referrals(
    *, index: DirectoryIndex, where: Where, query: SearchQueryDraft, weights: RankingWeights
) -> tuple[Place, SearchResult]:
    """Resolve the place and rank the options; the location lives only in this call."""
    unknown = unknown_codes(query.needs)
    if unknown:
        raise InvalidInputError(
            f"Unknown need code(s): {', '.join(unknown)}; see GET /v1/needs",
            [FieldProblem(("body", "needs"), f"unknown code {code!r}") for code in unknown],
        )
    place = resolve_place(index.gazetteer, where)
    result = search(index, query.with_place(place), weights, explain=query.explain)
    return place, result
