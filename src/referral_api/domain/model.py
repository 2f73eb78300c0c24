"""The directory's entities as plain, immutable values (HSDS-flavoured)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class Modality(StrEnum):
    """How a provider reaches survivors."""

    STATIC = "static"
    MOBILE = "mobile"
    REMOTE = "remote"


class Status(StrEnum):
    """Whether a provider is working."""

    ACTIVE = "active"
    TEMPORARILY_CLOSED = "temporarily_closed"
    CLOSED = "closed"


class Visibility(StrEnum):
    """Who may see where a provider is: restricted entries (safe houses) hide their location."""

    PUBLIC = "public"
    RESTRICTED = "restricted"


class Sex(StrEnum):
    """Sexes a service is open to."""

    FEMALE = "female"
    MALE = "male"
    INTERSEX = "intersex"


class Cost(StrEnum):
    """Whether survivors pay for a service."""

    FREE = "free"
    FEE = "fee"


class Access(StrEnum):
    """What a survivor or caseworker must do to be seen."""

    WALK_IN = "walk_in"
    CALL_FIRST = "call_first"
    REFERRAL_FORM = "referral_form"
    CASE_MANAGEMENT_ONLY = "case_management_only"


class OrganizationKind(StrEnum):
    """The kind of organization that runs providers."""

    NGO = "ngo"
    UN = "un"
    GOVERNMENT = "government"
    COMMUNITY = "community"


@dataclass(frozen=True, slots=True)
class Organization:
    """A partner that runs providers and keeps their entries current."""

    id: str
    name: str
    kind: OrganizationKind
    acronym: str | None = None
    email: str | None = None
    phone: str | None = None
    website: str | None = None


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Who a service is for; an empty or None field means no restriction."""

    sexes: tuple[Sex, ...] = ()
    min_age: int | None = None
    max_age: int | None = None
    child_friendly: bool = False
    population_groups: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Service:
    """What a provider offers for one need code."""

    need: str
    eligibility: Eligibility = field(default_factory=Eligibility)
    cost: Cost = Cost.FREE
    access: Access = Access.WALK_IN
    capabilities: tuple[str, ...] = ()
    notes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Contacts:
    """How to reach a provider: a role, never a private person."""

    phones: tuple[str, ...] = ()
    email: str | None = None
    focal_point_role: str | None = None


@dataclass(frozen=True, slots=True)
class AdminCodes:
    """The P-codes a provider lies in, and the COD edition they come from."""

    adm1: str | None = None
    adm2: str | None = None
    adm3: str | None = None
    cod_version: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceArea:
    """Where a provider serves; at most one of the three forms is usually given."""

    geometry: dict[str, Any] | None = None
    radius_km: float | None = None
    pcodes: tuple[str, ...] = ()

    @property
    def is_declared(self) -> bool:
        """Whether the provider said anything about its area."""
        return self.geometry is not None or self.radius_km is not None or bool(self.pcodes)


@dataclass(frozen=True, slots=True)
class Provider:
    """A service point (facility, mobile team or hotline) and the services it offers."""

    id: uuid.UUID
    organization_id: str
    name: str
    modality: Modality
    services: tuple[Service, ...]
    description: dict[str, str] = field(default_factory=dict)
    lon: float | None = None
    lat: float | None = None
    address: str | None = None
    admin: AdminCodes = field(default_factory=AdminCodes)
    service_area: ServiceArea = field(default_factory=ServiceArea)
    contacts: Contacts = field(default_factory=Contacts)
    opening_hours: str | None = None
    timezone: str = "Africa/Bangui"
    languages: tuple[str, ...] = ()
    accessibility: tuple[str, ...] = ()
    status: Status = Status.ACTIVE
    status_reason: str | None = None
    status_until: date | None = None
    accepting_referrals: bool = True
    visibility: Visibility = Visibility.PUBLIC
    last_verified_at: datetime | None = None
    last_verified_by: str | None = None
    verification: str = "partner"
    source: str | None = None
    licence: str | None = None
    revision: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def need_codes(self) -> tuple[str, ...]:
        """The need codes of its services, in declared order."""
        return tuple(service.need for service in self.services)

    @property
    def is_restricted(self) -> bool:
        """Whether its location is confidential."""
        return self.visibility is Visibility.RESTRICTED


@dataclass(frozen=True, slots=True)
class AdminArea:
    """One unit of the P-code gazetteer."""

    pcode: str
    name: str
    level: int
    parent_pcode: str | None
    label_lon: float
    label_lat: float
    cod_version: str
    geometry: dict[str, Any] | None = None
    name_ref: str | None = None
    area_sqkm: float | None = None
    valid_on: date | None = None
    source: str | None = None
    licence: str | None = None
