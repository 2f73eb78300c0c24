"""Request and response schemas of the referral search."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

import orjson
from fastapi.openapi.models import Example
from pydantic import BaseModel, ConfigDict, Field, field_validator

from referral_api.documents import (
    AdminCodesDocument,
    ContactsDocument,
    Location,
    Moment,
    ProviderProperties,
    ServiceDocument,
)
from referral_api.domain.access import Viewer, as_seen_by
from referral_api.domain.directory import Entry
from referral_api.domain.explanations import Note
from referral_api.domain.model import Modality, Provider, Service, Sex
from referral_api.domain.ranking import Option, TimeSinceIncident
from referral_api.domain.taxonomy import get_need

# A real case from the shipped sample, so that "Try it out" on /docs returns ranked options.
EXAMPLE_REQUEST: dict[str, Any] = {
    "pcode": "CF7113",
    "needs": ["medical", "psychosocial"],
    "age": 16,
    "sex": "female",
    "languages": ["sg", "fr"],
    "time_since_incident": "lt72h",
    "limit": 5,
    "lang": "fr",
}
OPENAPI_EXAMPLES: dict[str, Example] = {
    "girl_3rd_arrondissement": {
        "summary": "Girl of 16 in the 3rd arrondissement, within 72 h: medical, psychosocial",
        "value": EXAMPLE_REQUEST,
    },
    "pep_near_point": {
        "summary": "PEP near a point, within 72 h, explanations in English",
        "value": {
            "lat": 4.3612,
            "lon": 18.5555,
            "needs": ["medical.pep"],
            "time_since_incident": "lt72h",
            "lang": "en",
        },
    },
    "begoua_legal": {
        "summary": "Bégoua: case management and legal aid",
        "value": {"place": "Bégoua", "needs": ["case_management", "legal.aid"]},
    },
}


class SearchRequest(BaseModel):
    """Where, what for and for whom. No name or identity: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")

    lat: float | None = Field(default=None, ge=-90, le=90, description="Latitude (WGS84)")
    lon: float | None = Field(default=None, ge=-180, le=180, description="Longitude (WGS84)")
    pcode: str | None = Field(
        default=None,
        min_length=1,
        max_length=20,
        description="Or a P-code of any level, e.g. CF7113",
    )
    place: str | None = Field(
        default=None,
        min_length=2,
        max_length=100,
        description="Or a place name: Bégoua, Bimbo, 3e arrondissement, a quartier…",
    )
    needs: list[str] = Field(
        min_length=1,
        max_length=10,
        description="Need codes or sectors from GET /v1/needs, e.g. medical, legal.aid",
    )
    age: int | None = Field(default=None, ge=0, le=120, description="Age in years")
    sex: Sex | None = Field(default=None, description="female, male or intersex")
    languages: list[str] = Field(
        default_factory=list, max_length=10, description="Languages spoken, e.g. sg, fr"
    )
    accessibility: list[str] = Field(
        default_factory=list, max_length=10, description="Access needs, e.g. wheelchair"
    )
    population: str | None = Field(
        default=None, max_length=60, description="Population group, e.g. idp, refugee"
    )
    time_since_incident: TimeSinceIncident = Field(
        default=TimeSinceIncident.UNKNOWN,
        description="lt72h, 72to120h, gt120h or unknown (treated as within 72 h)",
    )
    open_now: bool = Field(default=False, description="Only providers open at `at` (or now)")
    at: Moment | None = Field(
        default=None,
        description="Evaluate opening hours at this moment instead of now: ISO 8601 with its "
        "UTC offset, between 1970 and 2099",
    )
    max_distance_km: float | None = Field(
        default=None, gt=0, le=500, description="Leave out providers farther than this"
    )
    limit: int = Field(default=10, ge=1, le=50, description="Options per list")
    lang: Literal["fr", "en"] | None = Field(
        default=None, description="Language of explanations; else Accept-Language; else fr"
    )
    explain: bool = Field(default=False, description="Count what each hard filter excluded")

    @field_validator("needs", "languages", "accessibility", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        # Query strings carry lists as `needs=medical,legal` as often as repeated keys.
        if isinstance(value, list):
            return [part.strip() for item in value for part in str(item).split(",") if part.strip()]
        return value


class NoteOut(BaseModel):
    """A reason or a warning."""

    code: str = Field(description="Stable code, for systems")
    message: str = Field(description="Sentence in the requested language, for people")


class ProviderSummary(BaseModel):
    """What a caseworker needs to make the referral."""

    id: uuid.UUID
    name: str
    organization_id: str
    modality: Modality
    location: Location | None
    location_withheld: bool
    address: str | None
    admin: AdminCodesDocument
    contacts: ContactsDocument
    opening_hours: str | None
    languages: list[str]
    accessibility: list[str]
    last_verified_at: datetime | None
    verification: str


DISTANCE_BANDS = ((2.0, "under 2 km"), (5.0, "2-5 km"), (10.0, "5-10 km"), (25.0, "10-25 km"))


def distance_band(distance: float) -> str:
    """A coarse band for a distance that must not be given exactly."""
    for limit, label in DISTANCE_BANDS:
        if distance < limit:
            return label
    return "over 25 km"


class OptionOut(BaseModel):
    """One ranked referral option."""

    rank: int
    provider: ProviderSummary
    services: list[ServiceDocument] = Field(description="The services that answer the request")
    matched_needs: list[str]
    distance_km: float | None = Field(description="Rounded; null for remote and confidential")
    distance_band: str | None = Field(description="Given instead of a distance when confidential")
    open_now: bool | None = Field(description="Null when the hours are unknown")
    next_change_at: datetime | None = Field(description="When it next opens or closes")
    score: float
    safe_entry_point: bool
    reasons: list[NoteOut]
    warnings: list[NoteOut]


NOTES_KEPT = 100_000


class RenderedParts:
    """Response parts that depend on the provider alone, built once per directory snapshot.

    Providers come back in answer after answer; their summaries and service documents
    are validated and serialized the first time and reused until the snapshot changes.
    Notes repeat too: each (note, language) is serialized once.
    """

    def __init__(self) -> None:
        self._snapshot: object = None
        self._summaries: dict[tuple[str, bool], orjson.Fragment] = {}
        self._services: dict[int, tuple[Service, orjson.Fragment]] = {}
        self._notes: dict[str, dict[Note, orjson.Fragment]] = {}

    def for_snapshot(self, snapshot: object) -> RenderedParts:
        """Forget everything when the snapshot changed."""
        if snapshot is not self._snapshot:
            self._snapshot = snapshot
            self._summaries = {}
            self._services = {}
        return self

    def summary(self, entry: Entry, viewer: Viewer, withheld: bool) -> orjson.Fragment:
        """The provider's summary as JSON, seen with or without its location."""
        key = (entry.id_text, withheld)
        found = self._summaries.get(key)
        if found is None:
            summary = _summary(as_seen_by(viewer, entry.exact), withheld)
            found = self._summaries[key] = orjson.Fragment(summary.model_dump_json())
        return found

    def service(self, service: Service) -> orjson.Fragment:
        """The document of a service as JSON."""
        found = self._services.get(id(service))
        # The service is kept alongside so that its id cannot be reused while cached.
        if found is None or found[0] is not service:
            document = orjson.Fragment(ServiceDocument.of(service).model_dump_json())
            found = self._services[id(service)] = (service, document)
        return found[1]

    def notes(self, notes: tuple[Note, ...], lang: str) -> list[orjson.Fragment]:
        """Notes as JSON in `lang`."""
        cache = self._notes.get(lang)
        if cache is None or len(cache) >= NOTES_KEPT:  # distances, times and days make many
            cache = self._notes[lang] = {}
        out = []
        for item in notes:
            found = cache.get(item)
            if found is None:
                text = {"code": item.code, "message": item.message(lang)}
                found = cache[item] = orjson.Fragment(orjson.dumps(text))
            out.append(found)
        return out


class OptionRenderer:
    """The options of one answer for orjson, in the shape of `OptionOut`, as `viewer` sees them.

    An option often appears in several lists of an answer (overall, per need, one-stop)
    under different ranks; all but its rank is rendered once.
    """

    def __init__(self, parts: RenderedParts, viewer: Viewer, lang: str) -> None:
        self.parts = parts
        self.viewer = viewer
        self.lang = lang
        self._bodies: dict[int, dict[str, Any]] = {}

    def __call__(self, options: Iterable[Option]) -> list[dict[str, Any]]:
        """The options, in order."""
        out = []
        for option in options:
            # An option's notes follow from its facts, so the facts identify the body.
            body = self._bodies.get(id(option.facts))
            if body is None:
                body = self._bodies[id(option.facts)] = self._body(option)
            out.append({"rank": option.rank, **body})
        return out

    def _body(self, option: Option) -> dict[str, Any]:
        facts, parts, lang = option.facts, self.parts, self.lang
        withheld = not self.viewer.may_locate(facts.entry.exact)
        distance = facts.distance_km
        return {
            "provider": parts.summary(facts.entry, self.viewer, withheld),
            "services": [parts.service(service) for service in facts.services],
            "matched_needs": list(facts.matched_needs),
            "distance_km": None if distance is None or withheld else round(distance, 1),
            "distance_band": distance_band(distance) if distance is not None and withheld else None,
            "open_now": facts.hours.is_open,
            "next_change_at": facts.hours.next_change_at,
            "score": round(facts.score, 3),
            "safe_entry_point": option.is_safe_entry,
            "reasons": parts.notes(option.reasons, lang),
            "warnings": parts.notes(option.warnings, lang),
        }


def _summary(provider: Provider, withheld: bool) -> ProviderSummary:
    stated = ProviderProperties.of(provider)
    return ProviderSummary(
        id=provider.id,
        name=provider.name,
        organization_id=provider.organization_id,
        modality=provider.modality,
        location=Location.of(provider),
        location_withheld=withheld,
        address=provider.address,
        admin=stated.admin,
        contacts=stated.contacts,
        opening_hours=provider.opening_hours,
        languages=stated.languages,
        accessibility=stated.accessibility,
        last_verified_at=provider.last_verified_at,
        verification=provider.verification,
    )


class NeedPathway(BaseModel):
    """The best options for one of the requested needs."""

    need: str
    label: str
    options: list[OptionOut]


class ResolvedArea(BaseModel):
    """The administrative area the search ran in (never the coordinates)."""

    pcodes: list[str] = Field(description="Most precise first")
    label: str


class Explanation(BaseModel):
    """How the hard filters narrowed the directory."""

    providers_in_directory: int
    excluded: dict[str, int] = Field(description="Providers excluded, by the first filter failed")


class SearchResponse(BaseModel):
    """Ranked, explained referral options."""

    area: ResolvedArea
    needs: list[str]
    time_since_incident: TimeSinceIncident
    evaluated_at: datetime
    lang: str
    options: list[OptionOut] = Field(description="All matching options, best first")
    pathway: list[NeedPathway] = Field(description="With several needs: the best per need")
    one_stop: list[OptionOut] = Field(description="With several needs: providers covering many")
    safe_entry_points: list[OptionOut] = Field(
        description="Case management or a hotline covering the place: always at least one"
    )
    explanation: Explanation | None = None
    directory_revision: int


def need_label(code: str, lang: str) -> str:
    """The label of a need code in `lang`."""
    need = get_need(code)
    return need.label(lang) if need else code
