"""Request and response schemas of the referral search."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from fastapi.openapi.models import Example
from pydantic import BaseModel, ConfigDict, Field, field_validator

from referral_api.documents import (
    AdminCodesDocument,
    ContactsDocument,
    Location,
    Moment,
    ServiceDocument,
)
from referral_api.domain.model import Modality, Sex
from referral_api.domain.ranking import TimeSinceIncident
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
        description="lt72h (less than 72 hours), 72to120h (72 to 120 hours), gt120h (more than "
        "120 hours) or unknown (treated as less than 72 hours)",
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
        default=None,
        description="Language of the answer: fr or en. Left out, the request's Accept-Language "
        "header decides, else French",
    )
    explain: bool = Field(default=False, description="Count what each hard filter excluded")

    @field_validator("needs", "languages", "accessibility", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        # Query strings carry lists as `needs=medical,legal` as often as repeated keys.
        if isinstance(value, list):
            return [part.strip() for item in value for part in str(item).split(",") if part.strip()]
        return value


# Reasons and warnings: stable codes (for systems), most important first, each at most once
# per option; the answer's `notes` word each code once (for people).
NOTES_DESCRIPTION = "Codes, worded in the answer's `notes`"


class ProviderBasics(BaseModel):
    """What a caseworker needs to make the referral; fields at their default are left out."""

    name: str
    organization_id: str
    modality: Modality = Modality.STATIC
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
    reasons: list[str] = Field(description=f"Why it is offered, urgency first. {NOTES_DESCRIPTION}")
    warnings: list[str] = Field(
        default_factory=list,
        description=f"What to know before referring. {NOTES_DESCRIPTION}",
    )


class RankedOption(BaseModel):
    """A place in one list of the answer, best first; the provider itself is in `providers`."""

    provider_id: uuid.UUID = Field(description="Its key in `providers`")
    matched_needs: list[str] | None = Field(
        default=None,
        description="The requested needs it answers in this list, when not those of its card",
    )
    score: float
    tier: Literal[0, 1] | None = Field(
        default=None,
        description="Urgency tier: 1 when it cannot give PEP (within 72 h) or emergency "
        "contraception (72 to 120 h) and others can; ordered before the score in medical lists, "
        "absent from the others",
    )
    services: list[ServiceDocument] | None = Field(
        default=None, description="With `matched_needs`: the services that answer them"
    )
    warnings: list[str] = Field(
        default_factory=list,
        description="What this list adds: the limit an entry point given for want of any other "
        f"breaks. {NOTES_DESCRIPTION}",
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
    notes: dict[str, str] = Field(
        description="Every code of the answer's reasons and warnings, to its sentence in the "
        "answer's language: the same for every option, since it says why a rule fired; what "
        "differs (a distance, the hours) is in each provider's fields and summary"
    )
    explanation: Explanation | None = None
    directory_revision: int


def need_label(code: str, lang: str) -> str:
    """The label of a need code in `lang`."""
    need = get_need(code)
    return need.label(lang) if need else code
