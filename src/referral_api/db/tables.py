"""SQLModel tables of the directory; one Alembic history serves SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel


class OrganizationRow(SQLModel, table=True):
    """A partner organization."""

    __tablename__ = "organization"

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=300)
    acronym: str | None = Field(default=None, max_length=40)
    kind: str = Field(max_length=20)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=20)
    website: str | None = Field(default=None, max_length=500)
    created_at: datetime
    updated_at: datetime


class ProviderRow(SQLModel, table=True):
    """A service point; its services are rows of `service`."""

    __tablename__ = "provider"
    __table_args__ = (
        Index("ix_provider_adm", "adm1_pcode", "adm2_pcode", "adm3_pcode"),
        Index("ix_provider_lon_lat", "lon", "lat"),
    )

    id: uuid.UUID = Field(primary_key=True)
    organization_id: str = Field(foreign_key="organization.id", index=True, max_length=64)
    name: str = Field(max_length=300)
    description: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    modality: str = Field(max_length=10)
    lon: float | None = None
    lat: float | None = None
    address: str | None = Field(default=None, max_length=500)
    adm1_pcode: str | None = Field(default=None, max_length=20)
    adm2_pcode: str | None = Field(default=None, max_length=20)
    adm3_pcode: str | None = Field(default=None, max_length=20)
    cod_version: str | None = Field(default=None, max_length=20)
    service_area: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    service_radius_km: float | None = None
    service_area_pcodes: list[str] = Field(default_factory=list, sa_type=JSON)
    phones: list[str] = Field(default_factory=list, sa_type=JSON)
    email: str | None = Field(default=None, max_length=320)
    focal_point_role: str | None = Field(default=None, max_length=200)
    opening_hours: str | None = Field(default=None, max_length=500)
    timezone: str = Field(max_length=64)
    languages: list[str] = Field(default_factory=list, sa_type=JSON)
    accessibility: list[str] = Field(default_factory=list, sa_type=JSON)
    status: str = Field(max_length=20, index=True)
    status_reason: str | None = Field(default=None, max_length=500)
    status_until: date | None = None
    accepting_referrals: bool = True
    visibility: str = Field(max_length=12)
    last_verified_at: datetime | None = None
    last_verified_by: str | None = Field(default=None, max_length=200)
    verification: str = Field(max_length=20)
    source: str | None = Field(default=None, max_length=500)
    licence: str | None = Field(default=None, max_length=200)
    revision: int = 1
    created_at: datetime
    updated_at: datetime = Field(index=True)
    deleted_at: datetime | None = None


class ServiceRow(SQLModel, table=True):
    """What a provider offers for one need code."""

    __tablename__ = "service"

    id: int | None = Field(default=None, primary_key=True)
    provider_id: uuid.UUID = Field(foreign_key="provider.id", index=True, ondelete="CASCADE")
    position: int = 0
    need: str = Field(max_length=40, index=True)
    sexes: list[str] = Field(default_factory=list, sa_type=JSON)
    min_age: int | None = None
    max_age: int | None = None
    child_friendly: bool = False
    population_groups: list[str] = Field(default_factory=list, sa_type=JSON)
    cost: str = Field(max_length=10)
    access: str = Field(max_length=30)
    capabilities: list[str] = Field(default_factory=list, sa_type=JSON)
    notes: dict[str, str] = Field(default_factory=dict, sa_type=JSON)


class AdminAreaRow(SQLModel, table=True):
    """One unit of the P-code gazetteer."""

    __tablename__ = "admin_area"

    pcode: str = Field(primary_key=True, max_length=20)
    name: str = Field(max_length=200)
    name_ref: str | None = Field(default=None, max_length=200)
    level: int = Field(index=True)
    parent_pcode: str | None = Field(default=None, max_length=20, index=True)
    label_lon: float
    label_lat: float
    geometry: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    area_sqkm: float | None = None
    cod_version: str = Field(max_length=20)
    valid_on: date | None = None
    source: str | None = Field(default=None, max_length=500)
    licence: str | None = Field(default=None, max_length=200)


class DirectoryStateRow(SQLModel, table=True):
    """A single row whose revision grows with every change, so instances can notice writes."""

    __tablename__ = "directory_state"

    id: int = Field(default=1, primary_key=True)
    revision: int = 0
    changed_at: datetime
    # Made anew by each bulk load: the history of writes since is that generation's alone.
    generation: str | None = Field(default=None, max_length=32)


class ApiKeyRow(SQLModel, table=True):
    """A partner's or an admin's API key; only its hash is stored."""

    __tablename__ = "api_key"

    id: str = Field(primary_key=True, max_length=16)
    organization_id: str = Field(foreign_key="organization.id", index=True, max_length=64)
    role: str = Field(max_length=10)
    secret_hash: str = Field(max_length=64)
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class ChangeEventRow(SQLModel, table=True):
    """One accepted write: the audit trail and the change feed. Append-only."""

    __tablename__ = "change_event"

    sequence: int | None = Field(default=None, primary_key=True)
    at: datetime
    action: str = Field(max_length=10)
    provider_id: uuid.UUID = Field(index=True)
    organization_id: str = Field(max_length=64)
    actor_key_id: str | None = Field(default=None, max_length=16)
    actor_organization_id: str | None = Field(default=None, max_length=64)
    request_id: str | None = Field(default=None, max_length=64)
    revision: int
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class IdempotencyRow(SQLModel, table=True):
    """A create request seen with an Idempotency-Key, and the answer it got.

    `expires_at` ends the claim's lease while unanswered, the replay window once answered.
    """

    __tablename__ = "idempotency_record"

    key_id: str = Field(primary_key=True, max_length=16)
    idempotency_key: str = Field(primary_key=True, max_length=200)
    request_hash: str = Field(max_length=64)
    # Which request holds an unanswered claim: only it may answer or release it.
    claim_token: str | None = Field(default=None, max_length=32)
    status_code: int | None = None
    response: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    created_at: datetime
    expires_at: datetime = Field(index=True)


class AdminEventRow(SQLModel, table=True):
    """One accepted change to an organization or a key, by API or command line. Append-only.

    A key's event records its id, organization and role: never the key nor its digest.
    """

    __tablename__ = "admin_event"

    sequence: int | None = Field(default=None, primary_key=True)
    at: datetime
    action: str = Field(max_length=30)
    organization_id: str = Field(max_length=64, index=True)
    key_id: str | None = Field(default=None, max_length=16)
    via: str = Field(max_length=10)
    actor_key_id: str | None = Field(default=None, max_length=16)
    actor_organization_id: str | None = Field(default=None, max_length=64)
    request_id: str | None = Field(default=None, max_length=64)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)
