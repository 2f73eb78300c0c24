"""Response schemas of the HTTP API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from referral_api.documents import Location, ProviderProperties
from referral_api.domain.access import Viewer, seen
from referral_api.domain.model import AdminArea, Provider
from referral_api.domain.taxonomy import Need


class ProviderOut(ProviderProperties):
    """A provider entry as the caller may see it."""

    id: uuid.UUID
    location: Location | None = Field(
        description="Null for remote providers and for confidential locations"
    )
    location_withheld: bool = Field(
        description="True when the location exists but is confidential to this caller"
    )
    revision: int = Field(
        description="Grows by one with every change; the ETag is built on it. Set by the "
        "server: a write body that sends it is refused (422)."
    )
    created_at: datetime | None = Field(description="Set by the server")
    updated_at: datetime | None = Field(description="Set by the server on every write")

    @classmethod
    def seen_by(cls, viewer: Viewer, provider: Provider) -> ProviderOut:
        """The response for `provider` as `viewer` may see it."""
        shown = seen(viewer, provider)
        provider = shown.provider
        return cls(
            **dict(ProviderProperties.of(provider)),
            id=provider.id,
            location=Location.of(provider),
            location_withheld=shown.location_withheld,
            revision=provider.revision,
            created_at=provider.created_at,
            updated_at=provider.updated_at,
        )


class ProviderList(BaseModel):
    """One page of providers."""

    items: list[ProviderOut]
    total: int = Field(description="How many providers match the filters, all pages together")
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page"
    )


class NeedOut(BaseModel):
    """A taxonomy term."""

    code: str
    sector: str
    is_sector: bool
    label: dict[str, str] = Field(description="Label by language (fr, en)")
    hsds_taxonomy_term: str
    gbv_aor_sector: str

    @classmethod
    def of(cls, need: Need) -> NeedOut:
        """The response for a taxonomy term."""
        return cls(
            code=need.code,
            sector=need.sector,
            is_sector=need.is_sector,
            label={"fr": need.label_fr, "en": need.label_en},
            hsds_taxonomy_term=need.hsds_term,
            gbv_aor_sector=need.gbv_aor_sector,
        )


class NeedList(BaseModel):
    """The taxonomy of needs."""

    version: str
    items: list[NeedOut]


class AdminAreaOut(BaseModel):
    """A gazetteer unit (OCHA COD P-code)."""

    pcode: str
    name: str
    level: int
    parent_pcode: str | None
    label_point: Location
    has_boundary: bool
    area_sqkm: float | None
    cod_version: str
    valid_on: date | None
    source: str | None
    licence: str | None

    @classmethod
    def of(cls, area: AdminArea) -> AdminAreaOut:
        """The response for a gazetteer unit."""
        return cls(
            pcode=area.pcode,
            name=area.name,
            level=area.level,
            parent_pcode=area.parent_pcode,
            label_point=Location(lon=area.label_lon, lat=area.label_lat),
            has_boundary=area.geometry is not None,
            area_sqkm=area.area_sqkm,
            cod_version=area.cod_version,
            valid_on=area.valid_on,
            source=area.source,
            licence=area.licence,
        )


class AdminAreaDetail(AdminAreaOut):
    """A gazetteer unit with its boundary."""

    geometry: dict[str, Any] | None = Field(description="GeoJSON polygon, where known")

    @classmethod
    def of_area(cls, area: AdminArea) -> AdminAreaDetail:
        """The detailed response for a gazetteer unit."""
        return cls(**dict(AdminAreaOut.of(area)), geometry=area.geometry)


class AdminAreaList(BaseModel):
    """Gazetteer units."""

    items: list[AdminAreaOut]


class Health(BaseModel):
    """Liveness or readiness."""

    status: Literal["ok", "read-only", "unavailable"] = Field(
        description="read-only: searches and reads work, writes get 503 for now"
    )
    providers: int | None = None
    directory_revision: int | None = None


class ChangeOut(BaseModel):
    """One accepted write."""

    sequence: int
    at: datetime
    action: Literal["create", "update", "delete", "restore", "verify"]
    provider_id: uuid.UUID
    organization_id: str
    revision: int = Field(description="The entry's revision after this change")
    actor_key_id: str | None = Field(
        description="The id (not the secret) of the key used; for the entry's organization "
        "and admins only"
    )
    actor_organization_id: str | None = Field(
        description="The organization of that key; for the entry's organization and admins only"
    )
    request_id: str | None = Field(
        description="The request's X-Request-ID; for the entry's organization and admins only"
    )
    before: dict[str, Any] | None = Field(description="The entry before; null on creation")
    after: dict[str, Any] | None = Field(description="The entry after; null on deletion")
    changes_withheld: bool = Field(
        default=False,
        description="True when this change altered nothing this caller may see of a "
        "confidential entry: `before` and `after` are then null",
    )


class ChangeList(BaseModel):
    """A page of changes."""

    items: list[ChangeOut]
    next_after: int | None = Field(description="Pass as `after` for the next page")
