"""Reads and writes of directory rows, translated to and from domain values."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, false, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import col

from referral_api.db.engine import lock_wait
from referral_api.db.tables import (
    AdminAreaRow,
    ApiKeyRow,
    ChangeEventRow,
    DirectoryStateRow,
    IdempotencyRow,
    OrganizationRow,
    ProviderRow,
    ServiceRow,
)
from referral_api.domain.access import Viewer
from referral_api.domain.geometry import BBox
from referral_api.domain.model import (
    Access,
    AdminArea,
    AdminCodes,
    Contacts,
    Cost,
    Eligibility,
    Modality,
    Organization,
    OrganizationKind,
    Provider,
    Service,
    ServiceArea,
    Sex,
    Status,
    Visibility,
)


def utc_now() -> datetime:
    """The current moment, aware, in UTC."""
    return datetime.now(UTC)


# --- organizations -------------------------------------------------------------------------


def _organization(row: OrganizationRow) -> Organization:
    return Organization(
        id=row.id,
        name=row.name,
        kind=OrganizationKind(row.kind),
        acronym=row.acronym,
        email=row.email,
        phone=row.phone,
        website=row.website,
    )


def save_organization(*, session: Session, organization: Organization) -> None:
    """Insert or update an organization."""
    now = utc_now()
    row = session.get(OrganizationRow, organization.id)
    if row is None:
        row = OrganizationRow(
            id=organization.id,
            name=organization.name,
            kind=organization.kind.value,
            created_at=now,
            updated_at=now,
        )
    row.name = organization.name
    row.kind = organization.kind.value
    row.acronym = organization.acronym
    row.email = organization.email
    row.phone = organization.phone
    row.website = organization.website
    row.updated_at = now
    session.add(row)


def list_organizations(*, session: Session) -> list[Organization]:
    """Every organization, by id."""
    rows = session.scalars(select(OrganizationRow).order_by(col(OrganizationRow.id)))
    return [_organization(row) for row in rows]


def organization_ids(*, session: Session) -> set[str]:
    """The ids of every organization."""
    return set(session.scalars(select(col(OrganizationRow.id))))


# --- providers -----------------------------------------------------------------------------


def _service(row: ServiceRow) -> Service:
    return Service(
        need=row.need,
        eligibility=Eligibility(
            sexes=tuple(Sex(sex) for sex in row.sexes),
            min_age=row.min_age,
            max_age=row.max_age,
            child_friendly=row.child_friendly,
            population_groups=tuple(row.population_groups),
        ),
        cost=Cost(row.cost),
        access=Access(row.access),
        capabilities=tuple(row.capabilities),
        notes=dict(row.notes),
    )


def _provider(row: ProviderRow, services: Sequence[ServiceRow]) -> Provider:
    return Provider(
        id=row.id,
        organization_id=row.organization_id,
        name=row.name,
        modality=Modality(row.modality),
        services=tuple(_service(service) for service in services),
        description=dict(row.description),
        lon=row.lon,
        lat=row.lat,
        address=row.address,
        admin=AdminCodes(
            adm1=row.adm1_pcode,
            adm2=row.adm2_pcode,
            adm3=row.adm3_pcode,
            cod_version=row.cod_version,
        ),
        service_area=ServiceArea(
            geometry=row.service_area,
            radius_km=row.service_radius_km,
            pcodes=tuple(row.service_area_pcodes),
        ),
        contacts=Contacts(
            phones=tuple(row.phones), email=row.email, focal_point_role=row.focal_point_role
        ),
        opening_hours=row.opening_hours,
        timezone=row.timezone,
        languages=tuple(row.languages),
        accessibility=tuple(row.accessibility),
        status=Status(row.status),
        status_reason=row.status_reason,
        status_until=row.status_until,
        accepting_referrals=row.accepting_referrals,
        visibility=Visibility(row.visibility),
        last_verified_at=row.last_verified_at,
        last_verified_by=row.last_verified_by,
        verification=row.verification,
        source=row.source,
        licence=row.licence,
        revision=row.revision,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _row_values(provider: Provider) -> dict[str, Any]:
    """The provider's stated fields as column values (storage-owned ones excluded)."""
    return {
        "organization_id": provider.organization_id,
        "name": provider.name,
        "description": dict(provider.description),
        "modality": provider.modality.value,
        "lon": provider.lon,
        "lat": provider.lat,
        "address": provider.address,
        "adm1_pcode": provider.admin.adm1,
        "adm2_pcode": provider.admin.adm2,
        "adm3_pcode": provider.admin.adm3,
        "cod_version": provider.admin.cod_version,
        "service_area": provider.service_area.geometry,
        "service_radius_km": provider.service_area.radius_km,
        "service_area_pcodes": list(provider.service_area.pcodes),
        "phones": list(provider.contacts.phones),
        "email": provider.contacts.email,
        "focal_point_role": provider.contacts.focal_point_role,
        "opening_hours": provider.opening_hours,
        "timezone": provider.timezone,
        "languages": list(provider.languages),
        "accessibility": list(provider.accessibility),
        "status": provider.status.value,
        "status_reason": provider.status_reason,
        "status_until": provider.status_until,
        "accepting_referrals": provider.accepting_referrals,
        "visibility": provider.visibility.value,
        "last_verified_at": provider.last_verified_at,
        "last_verified_by": provider.last_verified_by,
        "verification": provider.verification,
        "source": provider.source,
        "licence": provider.licence,
    }


def _service_values(provider: Provider) -> list[dict[str, Any]]:
    return [
        {
            "provider_id": provider.id,
            "position": position,
            "need": service.need,
            "sexes": [sex.value for sex in service.eligibility.sexes],
            "min_age": service.eligibility.min_age,
            "max_age": service.eligibility.max_age,
            "child_friendly": service.eligibility.child_friendly,
            "population_groups": list(service.eligibility.population_groups),
            "cost": service.cost.value,
            "access": service.access.value,
            "capabilities": list(service.capabilities),
            "notes": dict(service.notes),
        }
        for position, service in enumerate(provider.services)
    ]


def existing_provider_ids(*, session: Session, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Which of `ids` are stored (deleted ones included)."""
    found: set[uuid.UUID] = set()
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = list(ids[start : start + _IN_CHUNK])
        statement = select(col(ProviderRow.id)).where(col(ProviderRow.id).in_(chunk))
        found.update(session.scalars(statement))
    return found


def insert_providers(*, session: Session, providers: Sequence[Provider]) -> None:
    """Insert providers known to be new, in bulk: a large load writes rows, not objects."""
    now = utc_now()
    rows = [
        {
            "id": provider.id,
            **_row_values(provider),
            "revision": 1,
            "created_at": provider.created_at or now,
            "updated_at": now,
            "deleted_at": None,
        }
        for provider in providers
    ]
    for start in range(0, len(rows), 2000):
        session.execute(insert(ProviderRow), rows[start : start + 2000])
    services = [values for provider in providers for values in _service_values(provider)]
    for start in range(0, len(services), 5000):
        session.execute(insert(ServiceRow), services[start : start + 5000])


def upsert_provider(*, session: Session, provider: Provider) -> None:
    """Store `provider` as given, replacing its services; a deleted one comes back."""
    row = session.get(ProviderRow, provider.id)
    if row is None:
        insert_providers(session=session, providers=[provider])
        return
    row.revision += 1
    row.updated_at = utc_now()
    row.deleted_at = None
    session.execute(delete(ServiceRow).where(col(ServiceRow.provider_id) == provider.id))
    for key, value in _row_values(provider).items():
        setattr(row, key, value)
    session.add(row)
    session.add_all(ServiceRow(**values) for values in _service_values(provider))


@dataclass(frozen=True, slots=True)
class ProviderQuery:
    """Filters of the provider listing; None means "any"."""

    need: str | None = None
    pcode: str | None = None
    bbox: BBox | None = None
    status: Status | None = None
    modified_after: datetime | None = None
    # Inclusive bounds on updated_at, for OGC API's datetime intervals.
    modified_from: datetime | None = None
    modified_until: datetime | None = None
    # Only public entries with a point: all a public map (OGC API – Features) shows, so that
    # a safe house is not in it at all, not even counted.
    public_located: bool = False


def _entitled(viewer: Viewer) -> ColumnElement[bool]:
    # Filters on location must not find restricted providers for callers who may not see
    # where they are: a shrinking bbox would otherwise pin a safe house down.
    public = col(ProviderRow.visibility) == Visibility.PUBLIC.value
    if viewer.is_admin:
        return ~false()
    if viewer.organization_id is None:
        return public
    return or_(public, col(ProviderRow.organization_id) == viewer.organization_id)


def _conditions(query: ProviderQuery, viewer: Viewer) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [col(ProviderRow.deleted_at).is_(None)]
    if query.need is not None:
        conditions.append(
            exists().where(
                col(ServiceRow.provider_id) == col(ProviderRow.id),
                or_(
                    col(ServiceRow.need) == query.need,
                    col(ServiceRow.need).startswith(query.need + "."),
                ),
            )
        )
    if query.pcode is not None:
        # At any level: a cell of the public grid may straddle two units of any level.
        conditions += [
            or_(
                col(ProviderRow.adm1_pcode) == query.pcode,
                col(ProviderRow.adm2_pcode) == query.pcode,
                col(ProviderRow.adm3_pcode) == query.pcode,
            ),
            _entitled(viewer),
        ]
    if query.bbox is not None:
        box = query.bbox
        conditions += [
            col(ProviderRow.lon).between(box.west, box.east),
            col(ProviderRow.lat).between(box.south, box.north),
            _entitled(viewer),
        ]
    if query.status is not None:
        conditions.append(col(ProviderRow.status) == query.status.value)
    if query.modified_after is not None:
        conditions.append(col(ProviderRow.updated_at) > query.modified_after)
    if query.modified_from is not None:
        conditions.append(col(ProviderRow.updated_at) >= query.modified_from)
    if query.modified_until is not None:
        conditions.append(col(ProviderRow.updated_at) <= query.modified_until)
    if query.public_located:
        conditions += [
            col(ProviderRow.visibility) == Visibility.PUBLIC.value,
            col(ProviderRow.lon).is_not(None),
            col(ProviderRow.lat).is_not(None),
        ]
    return conditions


# Identifiers per IN (...) list: PostgreSQL takes at most 65,535 parameters a statement.
_IN_CHUNK = 1000


def _with_services(
    session: Session, rows: Sequence[ProviderRow], *, whole_directory: bool = False
) -> list[Provider]:
    if not rows:
        return []
    services: dict[uuid.UUID, list[ServiceRow]] = {row.id: [] for row in rows}
    ordered = (col(ServiceRow.provider_id), col(ServiceRow.position))
    if whole_directory:
        statements = [select(ServiceRow).order_by(*ordered)]
    else:
        ids = list(services)
        statements = [
            select(ServiceRow)
            .where(col(ServiceRow.provider_id).in_(ids[start : start + _IN_CHUNK]))
            .order_by(*ordered)
            for start in range(0, len(ids), _IN_CHUNK)
        ]
    for statement in statements:
        for service in session.scalars(statement):
            # Services of deleted providers come with the whole directory: they are skipped.
            if service.provider_id in services:
                services[service.provider_id].append(service)
    return [_provider(row, services[row.id]) for row in rows]


def find_providers(
    *,
    session: Session,
    query: ProviderQuery,
    viewer: Viewer,
    after: uuid.UUID | None,
    limit: int,
) -> list[Provider]:
    """Up to `limit` providers matching `query`, ordered by id, starting after `after`."""
    conditions = _conditions(query, viewer)
    if after is not None:
        conditions.append(col(ProviderRow.id) > after)
    statement = select(ProviderRow).where(*conditions).order_by(col(ProviderRow.id)).limit(limit)
    return _with_services(session, list(session.scalars(statement)))


def count_providers(*, session: Session, query: ProviderQuery, viewer: Viewer) -> int:
    """How many providers match `query`."""
    statement = select(func.count()).select_from(ProviderRow).where(*_conditions(query, viewer))
    return int(session.execute(statement).scalar_one())


@dataclass(frozen=True, slots=True)
class Extent:
    """Where and when the entries of a listing lie: a bounding box and updated_at bounds."""

    bbox: BBox | None
    first_updated_at: datetime | None
    last_updated_at: datetime | None


def provider_extent(*, session: Session, query: ProviderQuery, viewer: Viewer) -> Extent:
    """The extent of the providers matching `query` (those with a point, for the box)."""
    lon, lat, updated = col(ProviderRow.lon), col(ProviderRow.lat), col(ProviderRow.updated_at)
    statement = select(
        func.min(lon),
        func.min(lat),
        func.max(lon),
        func.max(lat),
        func.min(updated),
        func.max(updated),
    ).where(*_conditions(query, viewer))
    west, south, east, north, first, last = session.execute(statement).one()
    box = None
    if west is not None and south is not None and east is not None and north is not None:
        box = BBox(west, south, east, north)
    return Extent(box, first, last)


def get_provider(*, session: Session, provider_id: uuid.UUID) -> Provider | None:
    """The provider with that id, unless it does not exist or was deleted."""
    row = session.get(ProviderRow, provider_id)
    if row is None or row.deleted_at is not None:
        return None
    return _with_services(session, [row])[0]


def all_providers(*, session: Session) -> list[Provider]:
    """Every provider not deleted, by id."""
    statement = (
        select(ProviderRow)
        .where(col(ProviderRow.deleted_at).is_(None))
        .order_by(col(ProviderRow.id))
    )
    return _with_services(session, list(session.scalars(statement)), whole_directory=True)


def has_providers(*, session: Session) -> bool:
    """Whether the directory holds any provider, deleted ones included."""
    return bool(session.scalar(select(exists().where(col(ProviderRow.id).is_not(None)))))


# --- admin areas ---------------------------------------------------------------------------


def _admin_area(row: AdminAreaRow) -> AdminArea:
    return AdminArea(
        pcode=row.pcode,
        name=row.name,
        level=row.level,
        parent_pcode=row.parent_pcode,
        label_lon=row.label_lon,
        label_lat=row.label_lat,
        cod_version=row.cod_version,
        geometry=row.geometry,
        name_ref=row.name_ref,
        area_sqkm=row.area_sqkm,
        valid_on=row.valid_on,
        source=row.source,
        licence=row.licence,
    )


def save_admin_areas(*, session: Session, areas: Iterable[AdminArea]) -> int:
    """Insert or replace gazetteer units; returns how many were written."""
    count = 0
    for area in areas:
        row = session.get(AdminAreaRow, area.pcode) or AdminAreaRow(
            pcode=area.pcode,
            name=area.name,
            level=area.level,
            label_lon=area.label_lon,
            label_lat=area.label_lat,
            cod_version=area.cod_version,
        )
        row.name = area.name
        row.name_ref = area.name_ref
        row.level = area.level
        row.parent_pcode = area.parent_pcode
        row.label_lon = area.label_lon
        row.label_lat = area.label_lat
        row.geometry = area.geometry
        row.area_sqkm = area.area_sqkm
        row.cod_version = area.cod_version
        row.valid_on = area.valid_on
        row.source = area.source
        row.licence = area.licence
        session.add(row)
        count += 1
    return count


def list_admin_areas(
    *, session: Session, level: int | None = None, parent_pcode: str | None = None
) -> list[AdminArea]:
    """Gazetteer units, optionally of one level or under one parent, by P-code."""
    statement = select(AdminAreaRow)
    if level is not None:
        statement = statement.where(col(AdminAreaRow.level) == level)
    if parent_pcode is not None:
        statement = statement.where(col(AdminAreaRow.parent_pcode) == parent_pcode)
    rows = session.scalars(statement.order_by(col(AdminAreaRow.pcode)))
    return [_admin_area(row) for row in rows]


def get_admin_area(*, session: Session, pcode: str) -> AdminArea | None:
    """The gazetteer unit with that P-code."""
    row = session.get(AdminAreaRow, pcode)
    return None if row is None else _admin_area(row)


def has_admin_areas(*, session: Session) -> bool:
    """Whether the gazetteer holds anything."""
    return bool(session.scalar(select(exists().where(col(AdminAreaRow.pcode).is_not(None)))))


# --- directory revision --------------------------------------------------------------------


def bump_revision(*, session: Session) -> int:
    """Count one more change to the directory; returns the new revision.

    The increment happens in the database (and locks the row until commit), so that two
    writers, on one instance or two, never publish the same revision for different states.
    """
    now = utc_now()
    bumped = session.execute(
        update(DirectoryStateRow)
        .where(col(DirectoryStateRow.id) == 1)
        .values(revision=DirectoryStateRow.revision + 1, changed_at=now)
        .returning(col(DirectoryStateRow.revision))
    ).scalar_one_or_none()
    if bumped is not None:
        return int(bumped)
    session.add(DirectoryStateRow(id=1, revision=1, changed_at=now))
    session.flush()
    return 1


def current_revision(*, session: Session) -> int:
    """The directory's revision; 0 before anything was loaded."""
    row = session.get(DirectoryStateRow, 1)
    return 0 if row is None else row.revision


# --- conditional writes --------------------------------------------------------------------


def update_provider_if(
    *, session: Session, provider: Provider, expected_revision: int
) -> int | None:
    """Replace a live provider if it is still at `expected_revision`; its new revision or None.

    The revision test and the write are one UPDATE, so two writers starting from the same
    revision cannot both succeed: that is what makes lost updates impossible.
    """
    result = session.execute(
        update(ProviderRow)
        .where(
            col(ProviderRow.id) == provider.id,
            col(ProviderRow.revision) == expected_revision,
            col(ProviderRow.deleted_at).is_(None),
        )
        .values(**_row_values(provider), revision=expected_revision + 1, updated_at=utc_now())
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    session.execute(delete(ServiceRow).where(col(ServiceRow.provider_id) == provider.id))
    session.execute(insert(ServiceRow), _service_values(provider))
    return expected_revision + 1


def set_deleted_if(
    *, session: Session, provider_id: uuid.UUID, expected_revision: int | None, deleted: bool
) -> int | None:
    """Soft-delete (or restore) a provider if it is at `expected_revision` (any when None)."""
    conditions = [
        col(ProviderRow.id) == provider_id,
        col(ProviderRow.deleted_at).is_(None)
        if deleted
        else col(ProviderRow.deleted_at).is_not(None),
    ]
    if expected_revision is not None:
        conditions.append(col(ProviderRow.revision) == expected_revision)
    now = utc_now()
    result = session.execute(
        update(ProviderRow)
        .where(*conditions)
        .values(
            deleted_at=now if deleted else None,
            revision=ProviderRow.revision + 1,
            updated_at=now,
        )
        .returning(col(ProviderRow.revision))
    )
    return result.scalar_one_or_none()


def restricted_among(*, session: Session, provider_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Those of the providers that are confidential now, deleted ones included."""
    wanted = list(set(provider_ids))
    if not wanted:
        return set()
    statement = select(col(ProviderRow.id)).where(
        col(ProviderRow.id).in_(wanted),
        col(ProviderRow.visibility) == Visibility.RESTRICTED.value,
    )
    return set(session.scalars(statement))


def get_provider_any(*, session: Session, provider_id: uuid.UUID) -> tuple[Provider, bool] | None:
    """The provider with that id and whether it is deleted, deleted ones included."""
    row = session.get(ProviderRow, provider_id)
    if row is None:
        return None
    return _with_services(session, [row])[0], row.deleted_at is not None


# --- API keys ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredKey:
    """An API key as stored: never the key itself."""

    key_id: str
    organization_id: str
    role: str
    secret_hash: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _stored_key(row: ApiKeyRow) -> StoredKey:
    return StoredKey(
        row.id,
        row.organization_id,
        row.role,
        row.secret_hash,
        row.created_at,
        row.last_used_at,
        row.revoked_at,
    )


def add_key(
    *, session: Session, key_id: str, organization_id: str, role: str, secret_hash: str
) -> None:
    """Store a new key's digest."""
    session.add(
        ApiKeyRow(
            id=key_id,
            organization_id=organization_id,
            role=role,
            secret_hash=secret_hash,
            created_at=utc_now(),
        )
    )


def find_key(*, session: Session, key_id: str) -> StoredKey | None:
    """The key with that id, revoked or not."""
    row = session.get(ApiKeyRow, key_id)
    return None if row is None else _stored_key(row)


def list_keys(*, session: Session) -> list[StoredKey]:
    """Every key, by organization and creation."""
    statement = select(ApiKeyRow).order_by(
        col(ApiKeyRow.organization_id), col(ApiKeyRow.created_at)
    )
    return [_stored_key(row) for row in session.scalars(statement)]


def revoke_key(*, session: Session, key_id: str) -> bool:
    """Revoke a key; False if there is no such live key."""
    result = session.execute(
        update(ApiKeyRow)
        .where(col(ApiKeyRow.id) == key_id, col(ApiKeyRow.revoked_at).is_(None))
        .values(revoked_at=utc_now())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def touch_key(*, session: Session, key_id: str, wait_ms: int) -> None:
    """Record that a key was just used, giving up after `wait_ms` if its row is locked."""
    with lock_wait(session.connection(), wait_ms):
        session.execute(
            update(ApiKeyRow).where(col(ApiKeyRow.id) == key_id).values(last_used_at=utc_now())
        )


def organization_exists(*, session: Session, organization_id: str) -> bool:
    """Whether the organization is known."""
    return session.get(OrganizationRow, organization_id) is not None


# --- change events -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """One accepted write."""

    sequence: int
    at: datetime
    action: str
    provider_id: uuid.UUID
    organization_id: str
    actor_key_id: str | None
    actor_organization_id: str | None
    request_id: str | None
    revision: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    # Set on a caller's view of the event when what changed is hidden from that caller.
    changes_withheld: bool = False


def _event(row: ChangeEventRow) -> ChangeEvent:
    assert row.sequence is not None
    return ChangeEvent(
        row.sequence,
        row.at,
        row.action,
        row.provider_id,
        row.organization_id,
        row.actor_key_id,
        row.actor_organization_id,
        row.request_id,
        row.revision,
        row.before,
        row.after,
    )


def append_event(
    *,
    session: Session,
    action: str,
    provider_id: uuid.UUID,
    organization_id: str,
    revision: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    actor_key_id: str | None,
    actor_organization_id: str | None,
    request_id: str | None,
) -> None:
    """Record an accepted write, in the same transaction as the write."""
    session.add(
        ChangeEventRow(
            at=utc_now(),
            action=action,
            provider_id=provider_id,
            organization_id=organization_id,
            revision=revision,
            before=before,
            after=after,
            actor_key_id=actor_key_id,
            actor_organization_id=actor_organization_id,
            request_id=request_id,
        )
    )


def events_after(*, session: Session, after: int, limit: int) -> list[ChangeEvent]:
    """Events with a sequence above `after`, in order."""
    statement = (
        select(ChangeEventRow)
        .where(col(ChangeEventRow.sequence) > after)
        .order_by(col(ChangeEventRow.sequence))
        .limit(limit)
    )
    return [_event(row) for row in session.scalars(statement)]


def events_of(*, session: Session, provider_id: uuid.UUID) -> list[ChangeEvent]:
    """A provider's events, oldest first."""
    statement = (
        select(ChangeEventRow)
        .where(col(ChangeEventRow.provider_id) == provider_id)
        .order_by(col(ChangeEventRow.sequence))
    )
    return [_event(row) for row in session.scalars(statement)]


# --- idempotency ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IdempotentAnswer:
    """A create request seen before under the same key."""

    request_hash: str
    status_code: int | None
    response: dict[str, Any] | None


def claim_idempotency_key(
    *,
    session: Session,
    key_id: str,
    idempotency_key: str,
    request_hash: str,
    claim: str,
    lease: timedelta,
) -> IdempotentAnswer | None:
    """Claim the key for this request as `claim` (None), or the record of the one that has it.

    The claim is committed at once, so that a concurrent duplicate sees it. It holds for
    `lease` only: a request whose process died between claim and answer must not block
    its key, so once the lease is over a retry takes the key over.
    """
    now = utc_now()
    this_key = (
        col(IdempotencyRow.key_id) == key_id,
        col(IdempotencyRow.idempotency_key) == idempotency_key,
    )
    session.execute(delete(IdempotencyRow).where(*this_key, col(IdempotencyRow.expires_at) <= now))
    row = session.get(IdempotencyRow, (key_id, idempotency_key))
    if row is not None:
        session.commit()
        return IdempotentAnswer(row.request_hash, row.status_code, row.response)
    session.add(
        IdempotencyRow(
            key_id=key_id,
            idempotency_key=idempotency_key,
            request_hash=request_hash,
            claim_token=claim,
            created_at=now,
            expires_at=now + lease,
        )
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        row = session.get(IdempotencyRow, (key_id, idempotency_key))
        if row is None:  # claimed and released meanwhile: let the caller retry
            return IdempotentAnswer(request_hash, None, None)
        return IdempotentAnswer(row.request_hash, row.status_code, row.response)
    return None


def _claimed(key_id: str, idempotency_key: str, claim: str) -> tuple[ColumnElement[bool], ...]:
    return (
        col(IdempotencyRow.key_id) == key_id,
        col(IdempotencyRow.idempotency_key) == idempotency_key,
        col(IdempotencyRow.claim_token) == claim,
        col(IdempotencyRow.status_code).is_(None),
    )


def record_idempotent_answer(
    *,
    session: Session,
    key_id: str,
    idempotency_key: str,
    claim: str,
    status_code: int,
    response: dict[str, Any],
    ttl: timedelta,
) -> bool:
    """Store the answer of a claimed request, kept `ttl`, in the transaction of its write.

    False when the claim is no longer this request's: its lease ran out and a retry took
    the key over, so this request's write must be rolled back, or it would be made twice.
    """
    result = session.execute(
        update(IdempotencyRow)
        .where(*_claimed(key_id, idempotency_key, claim))
        .values(status_code=status_code, response=response, expires_at=utc_now() + ttl)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def release_idempotency_key(
    *, session: Session, key_id: str, idempotency_key: str, claim: str
) -> None:
    """Give up a claim whose request failed, so that a corrected retry may use the key."""
    session.execute(delete(IdempotencyRow).where(*_claimed(key_id, idempotency_key, claim)))
    session.commit()


def last_event_sequence(*, session: Session) -> int:
    """The sequence of the newest change event; 0 when there is none."""
    return int(session.scalar(select(func.max(col(ChangeEventRow.sequence)))) or 0)
