"""Provider entries as exchanged: GeoJSON feature properties and JSON bodies (pydantic)."""

from __future__ import annotations

import functools
import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import phonenumbers
import pycountry
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    field_validator,
)

from referral_api.domain.model import (
    Access,
    AdminArea,
    Cost,
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
from referral_api.domain.validation import moment_problem

Text = Annotated[str, Field(min_length=1, max_length=2000)]
ShortText = Annotated[str, Field(min_length=1, max_length=300)]

Translations = Annotated[
    dict[Annotated[str, Field(pattern=r"^[a-z]{2,3}$")], Text],
    Field(description='Text by ISO 639 language code, e.g. {"fr": "…", "en": "…"}'),
]


def _within_range(value: datetime) -> datetime:
    problem = moment_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _not_a_number(value: object) -> object:
    # pydantic reads a number as seconds since 1970; the contract says ISO 8601 (date-time).
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("expected an ISO 8601 moment with its UTC offset, not a number")
    return value


_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")
# A moment asked about (not stored, so the rule can be a type: stored entries are read
# back through these documents and must not fail on what older rules let in).
Moment = Annotated[AwareDatetime, BeforeValidator(_not_a_number), AfterValidator(_within_range)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _e164(value: str) -> str:
    # Numbers may come with spaces or dashes; they are kept in E.164. A number that cannot
    # exist (wrong length for its country) is refused; a number in a range the library does
    # not know yet is accepted, since numbering plans change faster than its metadata.
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as error:
        raise ValueError(f"not a phone number in international form: {error}") from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError("not a possible phone number for its country code")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@functools.lru_cache(maxsize=1024)  # a few codes, read on every provider of a load
def _iso_639(value: str) -> str:
    code = value.strip().lower()
    found = (
        pycountry.languages.get(alpha_2=code)
        if len(code) == 2
        else pycountry.languages.get(alpha_3=code)
    )
    if found is None:
        raise ValueError(f"{value!r} is not an ISO 639 language code, such as fr, sg or en")
    return code


Phone = Annotated[
    str,
    Field(min_length=4, max_length=30, description="International number, kept in E.164"),
    AfterValidator(_e164),
]
Language = Annotated[str, Field(max_length=3), AfterValidator(_iso_639)]


class Location(_Strict):
    """A WGS84 point."""

    lon: float = Field(ge=-180, le=180, allow_inf_nan=False, description="Longitude")
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, description="Latitude")

    @classmethod
    def of(cls, provider: Provider) -> Location | None:
        """Where the provider is, if it has (or shows) a location."""
        if provider.lon is None or provider.lat is None:
            return None
        return cls(lon=provider.lon, lat=provider.lat)


class EligibilityDocument(_Strict):
    """Who the service is for; leave a field out when there is no restriction."""

    sexes: list[Sex] = Field(default_factory=list, max_length=3)
    min_age: int | None = Field(default=None, ge=0, le=120)
    max_age: int | None = Field(default=None, ge=0, le=120)
    child_friendly: bool = False
    population_groups: list[Annotated[str, Field(max_length=60)]] = Field(
        default_factory=list, max_length=20
    )


class ServiceDocument(_Strict):
    """One need the provider answers, with its conditions."""

    need: str = Field(description="A code from GET /v1/needs, e.g. medical.pep", max_length=40)
    eligibility: EligibilityDocument = Field(default_factory=EligibilityDocument)
    cost: Cost = Cost.FREE
    access: Access = Access.WALK_IN
    capabilities: list[Annotated[str, Field(pattern=r"^[a-z_]{2,30}$")]] = Field(
        default_factory=list, max_length=20, description="e.g. pep, ec, forensic"
    )
    notes: Translations = Field(default_factory=dict)

    def to_domain(self) -> Service:
        """The domain value."""
        return _SERVICE.validate_python(self.model_dump())

    @classmethod
    def of(cls, service: Service) -> ServiceDocument:
        """The document of a domain value."""
        return cls.model_validate(service, from_attributes=True)


class AdminCodesDocument(_Strict):
    """P-codes the provider lies in and the COD edition they come from."""

    adm1: str | None = Field(default=None, max_length=20)
    adm2: str | None = Field(default=None, max_length=20)
    adm3: str | None = Field(default=None, max_length=20)
    cod_version: str | None = Field(default=None, max_length=20)


class ServiceAreaDocument(_Strict):
    """Where the provider serves: a polygon, a radius around it, or a list of P-codes."""

    geometry: dict[str, Any] | None = Field(
        default=None, description="GeoJSON Polygon or MultiPolygon (WGS84)"
    )
    radius_km: float | None = Field(default=None, gt=0, le=2000)
    pcodes: list[Annotated[str, Field(max_length=20)]] = Field(default_factory=list, max_length=500)


class ContactsDocument(_Strict):
    """How to reach the provider: phone numbers in E.164 and a role, never a private person."""

    phones: list[Phone] = Field(default_factory=list, max_length=10)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    focal_point_role: str | None = Field(default=None, max_length=200)


# Imports carry these fields; API writes may not (the write use cases refuse them).
_SET_BY_VERIFY = (
    "Set by the server: POST /v1/providers/{id}/verify; a write body that sends it is "
    "refused (422)."
)
_READ_ONLY: dict[str, Any] = {"readOnly": True}


class ProviderProperties(_Strict):
    """Everything a partner states about a provider, except its id and location."""

    organization_id: str = Field(
        max_length=64,
        description="The organization the entry belongs to: a partner creates entries for "
        "its own, an admin for any known one. It cannot change afterwards: a PUT must repeat "
        "it and a PATCH may not set another (422).",
    )
    name: ShortText
    description: Translations = Field(default_factory=dict)
    modality: Modality = Modality.STATIC
    address: str | None = Field(default=None, max_length=500)
    admin: AdminCodesDocument = Field(default_factory=AdminCodesDocument)
    service_area: ServiceAreaDocument | None = None
    contacts: ContactsDocument = Field(default_factory=ContactsDocument)
    opening_hours: str | None = Field(
        default=None, max_length=500, description="OpenStreetMap opening_hours, e.g. 24/7"
    )
    timezone: str = Field(default="Africa/Bangui", max_length=64)
    languages: list[Language] = Field(default_factory=list, max_length=20)
    accessibility: list[Annotated[str, Field(max_length=60)]] = Field(
        default_factory=list, max_length=20
    )
    status: Status = Status.ACTIVE
    status_reason: str | None = Field(default=None, max_length=500)
    status_until: date | None = None
    accepting_referrals: bool = True
    visibility: Visibility = Field(
        default=Visibility.PUBLIC,
        description="`restricted` for a confidential place (a safe house): only its own "
        "organization and admins see where it is. For everyone, search ranks it on its "
        "0.05° grid cell, its `radius_km` from the cell's centre and its P-codes no finer "
        "than adm2; it may not declare a polygon. Never say where it is in a text field "
        "(name, description, source, notes): those are shown to all.",
    )
    last_verified_at: AwareDatetime | None = Field(
        default=None,
        description="When the entry was last confirmed right. " + _SET_BY_VERIFY,
        json_schema_extra=_READ_ONLY,
    )
    last_verified_by: str | None = Field(
        default=None,
        max_length=200,
        description="The organization that confirmed it. " + _SET_BY_VERIFY,
        json_schema_extra=_READ_ONLY,
    )
    verification: str = Field(
        default="partner",
        max_length=20,
        description="How it was confirmed: partner, or sample for the shipped directory. "
        + _SET_BY_VERIFY,
        json_schema_extra=_READ_ONLY,
    )
    source: str | None = Field(default=None, max_length=500)
    licence: str | None = Field(default=None, max_length=200)
    services: list[ServiceDocument] = Field(min_length=1, max_length=40)

    @field_validator("service_area", mode="before")
    @classmethod
    def _declared_only(cls, value: object) -> object:
        # A domain value says nothing of its area with an empty one; a document, with none.
        return None if isinstance(value, ServiceArea) and not value.is_declared else value

    def to_domain(
        self, provider_id: uuid.UUID, lon: float | None, lat: float | None, **stored: Any
    ) -> Provider:
        """The domain value; `stored` carries what storage owns (revision, timestamps)."""
        stated = self.model_dump(include=_STATED)
        stated["service_area"] = stated["service_area"] or {}
        return _PROVIDER.validate_python(
            {**stated, "id": provider_id, "lon": lon, "lat": lat, **stored}
        )

    @classmethod
    def of(cls, provider: Provider) -> ProviderProperties:
        """The document of a domain value, with everything it holds."""
        return cls.model_validate(provider, from_attributes=True)


# Documents become domain values field for field, by name: a field the domain does not
# know would be dropped here, and a test holds every field to every shape.
_SERVICE: TypeAdapter[Service] = TypeAdapter(Service)
_PROVIDER: TypeAdapter[Provider] = TypeAdapter(Provider)
_STATED = set(ProviderProperties.model_fields)


class ProviderDocument(ProviderProperties):
    """A provider entry as partners write it: everything they state, its location included."""

    location: Location | None = Field(
        default=None, description="Where it is; leave out for a remote service (a hotline)"
    )

    def to_provider(self, provider_id: uuid.UUID, **stored: Any) -> Provider:
        """The domain value of this entry."""
        lon = self.location.lon if self.location else None
        lat = self.location.lat if self.location else None
        return self.to_domain(provider_id, lon, lat, **stored)

    @classmethod
    def of_provider(cls, provider: Provider) -> ProviderDocument:
        """The document of a domain value."""
        return cls(**dict(ProviderProperties.of(provider)), location=Location.of(provider))


class PointGeometry(_Strict):
    """A GeoJSON Point in WGS84, [longitude, latitude]."""

    type: Literal["Point"]
    coordinates: Annotated[list[float], Field(min_length=2, max_length=3)]


class ProviderFeature(BaseModel):
    """One provider as a GeoJSON Feature: the import and export format."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["Feature"]
    id: uuid.UUID
    geometry: PointGeometry | None
    properties: ProviderProperties


class OrganizationDocument(_Strict):
    """A partner organization."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    name: ShortText
    acronym: str | None = Field(default=None, max_length=40)
    kind: OrganizationKind
    email: str | None = Field(default=None, max_length=320)
    phone: Phone | None = None
    website: str | None = Field(default=None, max_length=500)

    def to_domain(self) -> Organization:
        """The domain value."""
        return Organization(**self.model_dump())

    @classmethod
    def of(cls, organization: Organization) -> OrganizationDocument:
        """The document of a domain value."""
        return cls.model_validate(organization, from_attributes=True)


class AdminAreaProperties(BaseModel):
    """A gazetteer unit as shipped in `admin_areas.geojson`."""

    model_config = ConfigDict(extra="ignore")

    pcode: str
    name: str
    name_ref: str | None = None
    level: int = Field(ge=0, le=5)
    parent_pcode: str | None = None
    label_point: Annotated[list[float], Field(min_length=2, max_length=2)]
    area_sqkm: float | None = None
    cod_version: str
    valid_on: date | None = None
    source: str | None = None
    licence: str | None = None


class AdminAreaFeature(BaseModel):
    """One gazetteer unit as a GeoJSON Feature (geometry null where only a label point is known)."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["Feature"]
    geometry: dict[str, Any] | None
    properties: AdminAreaProperties

    def to_domain(self) -> AdminArea:
        """The domain value."""
        p = self.properties
        return AdminArea(
            pcode=p.pcode,
            name=p.name,
            level=p.level,
            parent_pcode=p.parent_pcode,
            label_lon=p.label_point[0],
            label_lat=p.label_point[1],
            cod_version=p.cod_version,
            geometry=self.geometry,
            name_ref=p.name_ref,
            area_sqkm=p.area_sqkm,
            valid_on=p.valid_on,
            source=p.source,
            licence=p.licence,
        )


class AdminAreaCollection(BaseModel):
    """`admin_areas.geojson`."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["FeatureCollection"]
    features: list[AdminAreaFeature]
