"""Request and response schemas of the referral search."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

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
from referral_api.domain.explanations import Note, distance_band
from referral_api.domain.model import Modality, Provider, Service, Sex
from referral_api.domain.ranking import Option, TimeSinceIncident
from referral_api.domain.ranking.summary import summary_line
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


# Reasons and warnings: a stable code (for systems) and its sentence in the answer's language
# (for people), most important first. A code appears at most once per option.
NOTES_DESCRIPTION = "Code (stable, for systems) to sentence (in the answer's language)"
Notes = dict[str, str]


class ProviderBasics(BaseModel):
    """What a caseworker needs to make the referral; fields at their default are left out."""

    name: str
    organization_id: str
    modality: Modality
    location: Location | None = None
    location_withheld: bool = Field(
        default=False, description="True when its location is confidential to this caller"
    )
    address: str | None = None
    admin: AdminCodesDocument = Field(default_factory=AdminCodesDocument)
    contacts: ContactsDocument = Field(default_factory=ContactsDocument)
    opening_hours: str | None = None
    languages: list[str] = Field(default_factory=list)
    accessibility: list[str] = Field(default_factory=list)
    last_verified_at: datetime | None = None
    verification: str


class ProviderCard(ProviderBasics):
    """A provider of the answer, given once however many lists hold it, with what the rules
    found of it for this case."""

    services: list[ServiceDocument] = Field(
        description="Its services that answer the needs of its card (fields at their default "
        "left out)"
    )
    distance_km: float | None = Field(
        default=None, description="Rounded; absent for remote and confidential providers"
    )
    distance_band: str | None = Field(
        default=None, description="Given instead of a distance when confidential"
    )
    open_now: bool | None = Field(default=None, description="Absent when the hours are unknown")
    next_change_at: datetime | None = Field(
        default=None, description="When it next opens or closes, if it does"
    )
    safe_entry_point: bool = Field(default=False, description="Case management or a hotline")
    matched_needs: list[str] = Field(description="The requested needs it answers")
    summary: str = Field(description="The option in one line, in the answer's language")
    reasons: Notes = Field(description=f"Why it is offered, urgency first. {NOTES_DESCRIPTION}")
    warnings: Notes = Field(description=f"What to know before referring. {NOTES_DESCRIPTION}")


class RankedOption(BaseModel):
    """A place in one list of the answer; the provider itself is in `providers`."""

    rank: int
    provider_id: uuid.UUID = Field(description="Its key in `providers`")
    matched_needs: list[str] | None = Field(
        default=None,
        description="The requested needs it answers in this list, when not those of its card",
    )
    score: float
    tier: Literal[0, 1] = Field(
        description="Urgency tier: 1 when it cannot give PEP (within 72 h) or emergency "
        "contraception (72 to 120 h) and others can; ordered before the score in medical lists"
    )
    services: list[ServiceDocument] | None = Field(
        default=None, description="With `matched_needs`: the services that answer them"
    )
    warnings: Notes = Field(
        default_factory=dict,
        description="What this list adds: the limit an entry point given for want of any other "
        "breaks",
    )


NOTES_KEPT = 100_000


class RenderedParts:
    """Response parts that depend on the provider alone, built once per directory snapshot.

    Providers come back in answer after answer; their cards and service documents are
    validated and dumped the first time and reused until the snapshot changes. Notes
    repeat too: each (note, language) is dumped once.
    """

    def __init__(self) -> None:
        self._snapshot: object = None
        self._cards: dict[tuple[str, bool], dict[str, Any]] = {}
        self._services: dict[int, tuple[Service, dict[str, Any]]] = {}
        self._notes: dict[str, dict[Note, str]] = {}

    def for_snapshot(self, snapshot: object) -> RenderedParts:
        """Forget everything when the snapshot changed."""
        if snapshot is not self._snapshot:
            self._snapshot = snapshot
            self._cards = {}
            self._services = {}
        return self

    def card(self, entry: Entry, viewer: Viewer, withheld: bool) -> dict[str, Any]:
        """What the answer says of the provider itself, seen with or without its location."""
        key = (entry.id_text, withheld)
        found = self._cards.get(key)
        if found is None:
            card = _card(as_seen_by(viewer, entry.exact), withheld)
            found = self._cards[key] = card.model_dump(mode="json", exclude_defaults=True)
        return found

    def service(self, service: Service) -> dict[str, Any]:
        """The document of a service."""
        found = self._services.get(id(service))
        # The service is kept alongside so that its id cannot be reused while cached.
        if found is None or found[0] is not service:
            document = ServiceDocument.of(service).model_dump(mode="json", exclude_defaults=True)
            found = self._services[id(service)] = (service, document)
        return found[1]

    def notes(self, notes: tuple[Note, ...], lang: str) -> Notes:
        """Notes in `lang`, by code."""
        cache = self._notes.get(lang)
        if cache is None or len(cache) >= NOTES_KEPT:  # distances, times and days make many
            cache = self._notes[lang] = {}
        out = {}
        for item in notes:
            message = cache.get(item)
            if message is None:
                message = cache[item] = item.message(lang)
            out[item.code] = message
        return out


class AnswerRenderer:
    """The lists of one answer for orjson, in the shape of `SearchResponse`, as `viewer`
    sees them: each provider's card once in `providers`, the lists referring to it."""

    def __init__(self, parts: RenderedParts, viewer: Viewer, lang: str) -> None:
        self.parts = parts
        self.viewer = viewer
        self.lang = lang
        self.providers: dict[str, dict[str, Any]] = {}

    def __call__(self, options: Iterable[Option]) -> list[dict[str, Any]]:
        """The options of a list, in order."""
        out = []
        for option in options:
            facts = option.facts
            entry = facts.entry
            card = self.providers.get(entry.id_text)
            if card is None:
                card = self.providers[entry.id_text] = self._card(option)
            ranked: dict[str, Any] = {
                "rank": option.rank,
                "provider_id": entry.id_text,
                "score": round(option.score, 3),
                "tier": option.tier,
            }
            matched = list(facts.seen.matched_needs)
            if matched != card["matched_needs"]:
                # Listed here for other needs than on its card (an entry point, say): the
                # services that answer them come along.
                ranked["matched_needs"] = matched
                ranked["services"] = [self.parts.service(s) for s in facts.seen.services]
            if option.list_warnings:
                ranked["warnings"] = self.parts.notes(option.list_warnings, self.lang)
            out.append(ranked)
        return out

    def _card(self, option: Option) -> dict[str, Any]:
        facts, parts, lang = option.facts, self.parts, self.lang
        entry, seen = facts.entry, facts.seen
        withheld = not self.viewer.may_locate(entry.exact)
        distance = seen.distance_km
        card = {
            **parts.card(entry, self.viewer, withheld),
            "services": [parts.service(service) for service in seen.services],
            "matched_needs": list(seen.matched_needs),
            "summary": summary_line(option, as_seen_by(self.viewer, entry.exact), withheld, lang),
            "reasons": parts.notes(option.reasons, lang),
            "warnings": parts.notes(option.warnings, lang),
        }
        # Absent means the default of `ProviderCard`, as for the parts above.
        if distance is not None:
            if withheld:
                card["distance_band"] = distance_band(distance)
            else:
                card["distance_km"] = round(distance, 1)
        if seen.hours.is_open is not None:
            card["open_now"] = seen.hours.is_open
        if seen.hours.next_change_at is not None:
            card["next_change_at"] = seen.hours.next_change_at
        if option.is_safe_entry:
            card["safe_entry_point"] = True
        return card


def _card(provider: Provider, withheld: bool) -> ProviderBasics:
    stated = ProviderProperties.of(provider)
    return ProviderBasics(
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
    options: list[RankedOption]


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
    options: list[RankedOption] = Field(description="All matching options, best first")
    pathway: list[NeedPathway] = Field(description="With several needs: the best per need")
    one_stop: list[RankedOption] = Field(description="With several needs: providers covering many")
    safe_entry_points: list[RankedOption] = Field(
        description="Case management or a hotline covering the place, open to this survivor "
        "and within the asked distance: always at least one, with a warning if it breaks a limit"
    )
    providers: dict[uuid.UUID, ProviderCard] = Field(
        description="Every provider the lists refer to, once, by id"
    )
    explanation: Explanation | None = None
    directory_revision: int


def need_label(code: str, lang: str) -> str:
    """The label of a need code in `lang`."""
    need = get_need(code)
    return need.label(lang) if need else code
