"""The directory as Open Referral HSDS 3.0 objects: one service per provider and need.

Pure mapping, no I/O. Every `id` is a UUID derived from ours (uuid5 in `NAMESPACE`), so the
same entry has the same HSDS ids in every answer and export. What HSDS has no field for
travels as attributes of our own taxonomy (`ATTRIBUTES`), which is also how a confidential
location says it was withheld on purpose. See docs/hsds.md for the whole mapping.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import pycountry

from referral_api.domain import taxonomy
from referral_api.domain.geometry import distance_km
from referral_api.domain.model import Organization, OrganizationKind, Provider, Service, Status
from referral_api.domain.projection import withheld

HSDS_VERSION = "3.0"
# Fixed forever: every HSDS id is uuid5(NAMESPACE, "<kind>:<our key>").
NAMESPACE = uuid.UUID("6f1d9b0e-3c55-5a2e-9a51-7c1f0de4b2a3")
PROFILE_URL = "https://docs.openreferral.org/en/3.0/hsds/profiles.html"

Json = dict[str, Any]


def hsds_id(kind: str, *key: object) -> str:
    """The stable HSDS id of the object of `kind` named by `key`."""
    return str(uuid.uuid5(NAMESPACE, ":".join([kind, *map(str, key)])))


# --- taxonomies ----------------------------------------------------------------------------

NEEDS_TAXONOMY: Json = {
    "id": hsds_id("taxonomy", "needs"),
    "name": "referral-api GBV needs",
    "description": "Needs of GBV survivors, as GBV referral pathways sort services: case "
    "management, medical, psychosocial, legal, safety and economic support.",
    "version": taxonomy.TAXONOMY_VERSION,
}
ATTRIBUTES_TAXONOMY: Json = {
    "id": hsds_id("taxonomy", "attributes"),
    "name": "referral-api attributes",
    "description": "What a referral directory states about a service point that HSDS has "
    "no field for: how to be seen, who may come, and whether a location was withheld.",
    "version": "1",
}

# Our own attribute terms: code -> (name, description).
ATTRIBUTES: dict[str, tuple[str, str]] = {
    "location-withheld": (
        "Location withheld",
        "The location of this confidential service point (a safe house) is withheld on "
        "purpose: no coordinates, address or admin area are published. Refer through its "
        "contact route or GBV case management.",
    ),
    "provider-id": ("Provider", "The referral-api provider (service point) this belongs to."),
    "modality": ("Modality", "static (a facility), mobile (a team) or remote (a hotline)."),
    "access": (
        "Access",
        "What a survivor must do to be seen: walk_in, call_first, referral_form or "
        "case_management_only.",
    ),
    "capability": ("Capability", "Something the service can do, e.g. pep, ec, forensic."),
    "sex": ("Sex admitted", "A sex the service is open to (none listed: all)."),
    "population-group": ("Population group", "A group the service is reserved to."),
    "child-friendly": ("Child friendly", "true when the service is adapted to children."),
    "accepting-referrals": ("Accepting referrals", "false while referrals are not taken."),
    "verification": ("Verification", "partner, or sample for an illustrative entry."),
    "verified-by": ("Verified by", "The organization that last confirmed the entry."),
    "adm1": ("Admin level 1", "P-code (OCHA COD-AB) of the level-1 unit it lies in."),
    "adm2": ("Admin level 2", "P-code (OCHA COD-AB) of the level-2 unit it lies in."),
    "adm3": ("Admin level 3", "P-code (OCHA COD-AB) of the level-3 unit it lies in."),
    "status-until": ("Closed until", "The date a temporary closure ends."),
    "organization-kind": ("Organization kind", "ngo, un, government or community."),
    "visibility": ("Visibility", "public, or restricted for a confidential place."),
    "timezone": ("Time zone", "The IANA time zone of the opening hours, e.g. Africa/Bangui."),
    "source": ("Source", "Where the entry comes from, with its attribution."),
    "verified-at": ("Verified at", "When the entry was last confirmed right (ISO 8601)."),
    "description": ("Description", "The provider's description in one language: `lang: text`."),
    "notes": ("Notes", "The service's notes in one language: `lang: text`."),
    "position": ("Position", "Where the service comes among its provider's, from 0."),
    "organization-key": ("Organization key", "The organization's referral-api id."),
}


# Terms are nested in every attribute: one shared (never changed) dict per term keeps a
# large directory's catalogue from holding a copy per attribute.
@cache
def need_term(need: taxonomy.Need) -> Json:
    """The HSDS taxonomy term of a need."""
    term: Json = {
        "id": hsds_id("taxonomy_term", "need", need.code),
        "code": need.code,
        "name": need.label_en,
        "description": f"{need.label_en} (fr: {need.label_fr}). GBV AoR sector: "
        f"{need.gbv_aor_sector}; Open Referral term: {need.hsds_term}.",
        "taxonomy": NEEDS_TAXONOMY["name"],
        "taxonomy_id": NEEDS_TAXONOMY["id"],
        "language": "en",
    }
    if not need.is_sector:
        term["parent_id"] = hsds_id("taxonomy_term", "need", need.sector)
    return term


@cache
def attribute_term(code: str) -> Json:
    """The HSDS taxonomy term of one of our attributes."""
    name, description = ATTRIBUTES[code]
    return {
        "id": hsds_id("taxonomy_term", "attribute", code),
        "code": code,
        "name": name,
        "description": description,
        "taxonomy": ATTRIBUTES_TAXONOMY["name"],
        "taxonomy_id": ATTRIBUTES_TAXONOMY["id"],
        "language": "en",
    }


def taxonomies() -> list[Json]:
    """Both taxonomies, by id."""
    return sorted([NEEDS_TAXONOMY, ATTRIBUTES_TAXONOMY], key=lambda item: str(item["id"]))


def taxonomy_terms() -> list[Json]:
    """Every term of both taxonomies, by id."""
    terms = [need_term(need) for need in taxonomy.NEEDS] + [attribute_term(c) for c in ATTRIBUTES]
    return sorted(terms, key=lambda term: str(term["id"]))


def _attribute(code: str, entity: str, link_id: str, value: object, index: int = 0) -> Json:
    return {
        "id": hsds_id("attribute", entity, link_id, code, index),
        "link_id": link_id,
        "link_type": code,
        "link_entity": entity,
        "taxonomy_term_id": hsds_id("taxonomy_term", "attribute", code),
        "value": str(value).lower() if isinstance(value, bool) else str(value),
        "taxonomy_term": attribute_term(code),
    }


# --- schedules -----------------------------------------------------------------------------

_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_DAY_RANGE = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?"
_TIME_RANGE = r"\d\d:\d\d-\d\d:\d\d"
_RULE = re.compile(
    rf"^(?P<days>{_DAY_RANGE}(?:,{_DAY_RANGE})*) (?P<times>{_TIME_RANGE}(?:,{_TIME_RANGE})*)$"
)


@dataclass(frozen=True, slots=True)
class WeeklyOpening:
    """Days of the week (MO…SU) open from `opens_at` to `closes_at` (HH:MM, local time)."""

    days: tuple[str, ...]
    opens_at: str
    closes_at: str


def _days_of(spec: str) -> list[str]:
    days: list[str] = []
    for part in spec.split(","):
        first, _, last = part.partition("-")
        start = _DAYS.index(first)
        end = _DAYS.index(last) if last else start
        days += [_DAYS[(start + step) % 7] for step in range((end - start) % 7 + 1)]
    return days


def weekly_openings(expression: str | None) -> list[WeeklyOpening] | None:
    """The OSM opening_hours as weekly openings, or None when it says more than that.

    Handles `24/7`, and rules such as `Mo-Fr 08:00-16:00; Sa 08:00-12:00` with `PH off`
    (public holidays have no RRULE form: the original string, kept in the schedule's
    description, still says so). Anything else (months, week numbers, comments) is not
    expressible and gives None.
    """
    if expression is None:
        return None
    if expression.strip() == "24/7":
        return [WeeklyOpening(tuple(day.upper() for day in _DAYS), "00:00", "23:59")]
    openings: list[WeeklyOpening] = []
    for rule in (part.strip() for part in expression.split(";")):
        if rule == "PH off":
            continue
        found = _RULE.match(rule)
        if found is None:
            return None
        days = tuple(day.upper() for day in _days_of(found["days"]))
        for span in found["times"].split(","):
            opens, closes = span.split("-")
            openings.append(WeeklyOpening(days, opens, "23:59" if closes == "24:00" else closes))
    return openings or None


def utc_offset_hours(zone: str) -> float:
    """The zone's offset from UTC in January, in hours (HSDS `schedule.timezone` is a number)."""
    offset = datetime(2026, 1, 15, 12, tzinfo=ZoneInfo(zone)).utcoffset()
    assert offset is not None
    hours = offset.total_seconds() / 3600
    return int(hours) if hours.is_integer() else hours


def _clock(time: str, offset: float) -> str:
    sign = "+" if offset >= 0 else "-"
    minutes = round(abs(offset) * 60)
    return f"{time}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def schedules(provider: Provider, service_id: str) -> list[Json]:
    """The service's schedules: one per weekly opening, each keeping the original string."""
    if provider.opening_hours is None:
        return []
    offset = utc_offset_hours(provider.timezone)
    openings = weekly_openings(provider.opening_hours)
    base: Json = {"service_id": service_id, "description": provider.opening_hours}
    if openings is None:
        return [{"id": hsds_id("schedule", service_id, 0), **base, "timezone": offset}]
    return [
        {
            "id": hsds_id("schedule", service_id, index),
            **base,
            "freq": "WEEKLY",
            "wkst": "MO",
            "byday": ",".join(opening.days),
            "opens_at": _clock(opening.opens_at, offset),
            "closes_at": _clock(opening.closes_at, offset),
            "timezone": offset,
        }
        for index, opening in enumerate(openings)
    ]


# --- organizations -------------------------------------------------------------------------

_KIND_TEXT = {
    OrganizationKind.NGO: "a non-governmental organization",
    OrganizationKind.UN: "a United Nations agency",
    OrganizationKind.GOVERNMENT: "a government service",
    OrganizationKind.COMMUNITY: "a community-based organization",
}


def organization_uuid(organization_id: str) -> str:
    """The HSDS id of one of our organizations (ours are slugs)."""
    return hsds_id("organization", organization_id)


def organization(org: Organization) -> Json:
    """An organization as HSDS: its slug kept as a local identifier."""
    org_id = organization_uuid(org.id)
    body: Json = {
        "id": org_id,
        "name": org.name,
        "description": f"{org.name} is {_KIND_TEXT[org.kind]} running GBV response services "
        "listed in this referral directory.",
        "organization_identifiers": [
            {
                "id": hsds_id("organization_identifier", org.id),
                "organization_id": org_id,
                "identifier_scheme": "referral-api",
                "identifier_type": "local",
                "identifier": org.id,
            }
        ],
        "attributes": [
            _attribute("organization-kind", "organization", org_id, org.kind.value),
        ],
    }
    if org.acronym:
        body["alternate_name"] = org.acronym
    if org.email:
        body["email"] = org.email
    if org.website:
        body["website"] = org.website
    if org.phone:
        body["phones"] = [
            {
                "id": hsds_id("phone", "organization", org.id),
                "organization_id": org_id,
                "number": org.phone,
                "type": "voice",
            }
        ]
    return body


# --- services and locations ----------------------------------------------------------------

HSDS_STATUS = {
    Status.ACTIVE: "active",
    Status.TEMPORARILY_CLOSED: "temporarily closed",
    Status.CLOSED: "inactive",
}
COD_IDENTIFIER_TYPE = "OCHA COD-AB P-code, version {version}"


def _language(code: str, owner: str, owner_id: str) -> Json:
    found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else None
    found = found or pycountry.languages.get(alpha_3=code)
    body: Json = {
        "id": hsds_id("language", owner, owner_id, code),
        f"{owner}_id": owner_id,
        "code": code,
    }
    if found is not None:
        body["name"] = found.name
    return body


def _text(translations: dict[str, str]) -> str | None:
    # French is the working language of the sample's pathway; English next.
    for lang in ("fr", "en"):
        if lang in translations:
            return translations[lang]
    return next(iter(translations.values()), None)


def location_uuid(provider: Provider) -> str:
    """The HSDS id of the provider's location."""
    return hsds_id("location", provider.id)


def location(provider: Provider) -> Json:
    """Where the provider is: as given, so withhold a confidential one first (`public_view`)."""
    location_id = location_uuid(provider)
    body: Json = {
        "id": location_id,
        "location_type": "virtual" if provider.modality.value == "remote" else "physical",
        "name": provider.name,
        "organization_id": organization_uuid(provider.organization_id),
    }
    if provider.lat is not None and provider.lon is not None:
        body["latitude"] = provider.lat
        body["longitude"] = provider.lon
    if provider.address:
        body["description"] = provider.address
    admin = provider.admin
    finest = admin.adm3 or admin.adm2 or admin.adm1
    if finest is not None:
        body["external_identifier"] = finest
        body["external_identifier_type"] = COD_IDENTIFIER_TYPE.format(
            version=admin.cod_version or "unknown"
        )
    attributes = [
        _attribute(level, "location", location_id, code)
        for level, code in (("adm1", admin.adm1), ("adm2", admin.adm2), ("adm3", admin.adm3))
        if code is not None
    ]
    if provider.is_restricted:
        attributes.append(_attribute("location-withheld", "location", location_id, True))
    if attributes:
        body["attributes"] = attributes
    if provider.languages:
        body["languages"] = [
            _language(code, "location", location_id) for code in provider.languages
        ]
    if provider.accessibility:
        body["accessibility"] = [
            {
                "id": hsds_id("accessibility", location_id, item),
                "location_id": location_id,
                "description": item,
            }
            for item in provider.accessibility
        ]
    return body


def service_uuid(provider: Provider, need: str) -> str:
    """The HSDS id of the provider's service for `need`."""
    return hsds_id("service", provider.id, need)


def _eligibility_text(service: Service) -> str | None:
    rule = service.eligibility
    parts = []
    if rule.sexes:
        parts.append("Sexes: " + ", ".join(sex.value for sex in rule.sexes))
    if rule.population_groups:
        parts.append("Groups: " + ", ".join(rule.population_groups))
    if rule.child_friendly:
        parts.append("Child friendly")
    return "; ".join(parts) or None


def _service_attributes(provider: Provider, service: Service, service_id: str) -> list[Json]:
    need = taxonomy.get_need(service.need)
    attributes: list[Json] = []
    if need is not None:
        term = need_term(need)
        attributes.append(
            {
                "id": hsds_id("attribute", "service", service_id, "need"),
                "link_id": service_id,
                "link_type": "need",
                "link_entity": "service",
                "taxonomy_term_id": term["id"],
                "value": need.code,
                "taxonomy_term": term,
            }
        )
    rule = service.eligibility
    stated: list[tuple[str, object]] = [
        ("provider-id", provider.id),
        ("position", provider.services.index(service)),
        ("modality", provider.modality.value),
        ("access", service.access.value),
        ("accepting-referrals", provider.accepting_referrals),
        ("verification", provider.verification),
        ("visibility", provider.visibility.value),
        ("timezone", provider.timezone),
        *(("description", f"{lang}: {text}") for lang, text in provider.description.items()),
        *(("notes", f"{lang}: {text}") for lang, text in service.notes.items()),
        *(("capability", item) for item in service.capabilities),
        *(("sex", sex.value) for sex in rule.sexes),
        *(("population-group", group) for group in rule.population_groups),
    ]
    if rule.child_friendly:
        stated.append(("child-friendly", True))
    if provider.last_verified_by:
        stated.append(("verified-by", provider.last_verified_by))
    if provider.last_verified_at is not None:
        stated.append(("verified-at", _moment(provider.last_verified_at)))
    if provider.source:
        stated.append(("source", provider.source))
    if provider.status_until is not None:
        stated.append(("status-until", provider.status_until.isoformat()))
    if provider.is_restricted:
        stated.append(("location-withheld", True))
    return attributes + [
        _attribute(code, "service", service_id, value, index)
        for index, (code, value) in enumerate(stated)
    ]


def _moment(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def service(provider: Provider, service: Service, org: Organization | None) -> Json:
    """One HSDS service, fully nested: as given, so withhold a confidential provider first."""
    service_id = service_uuid(provider, service.need)
    need = taxonomy.get_need(service.need)
    label = need.label_fr if need is not None else service.need
    body: Json = {
        "id": service_id,
        "organization_id": organization_uuid(provider.organization_id),
        "name": f"{label} – {provider.name}",
        "status": HSDS_STATUS[provider.status],
        "fees_description": service.cost.value,
        "application_process": service.access.value.replace("_", " "),
    }
    description = _text(provider.description)
    if description:
        body["description"] = description
    notes = _text(service.notes)
    if notes:
        body["application_process"] += f". {notes}"
    if provider.status_reason:
        body["alert"] = provider.status_reason
    if provider.contacts.email:
        body["email"] = provider.contacts.email
    eligibility = _eligibility_text(service)
    if eligibility:
        body["eligibility_description"] = eligibility
    if service.eligibility.min_age is not None:
        body["minimum_age"] = service.eligibility.min_age
    if service.eligibility.max_age is not None:
        body["maximum_age"] = service.eligibility.max_age
    if provider.last_verified_at is not None:
        body["assured_date"] = provider.last_verified_at.date().isoformat()
    if provider.licence:
        body["licenses"] = provider.licence
    modified = _moment(provider.updated_at)
    if modified:
        body["last_modified"] = modified
    body["phones"] = [
        {
            "id": hsds_id("phone", service_id, index),
            "service_id": service_id,
            "number": number,
            "type": "voice",
        }
        for index, number in enumerate(provider.contacts.phones)
    ]
    if provider.contacts.focal_point_role:
        body["contacts"] = [
            {
                "id": hsds_id("contact", service_id),
                "service_id": service_id,
                "title": provider.contacts.focal_point_role,
            }
        ]
    body["schedules"] = schedules(provider, service_id)
    body["service_areas"] = _service_areas(provider, service_id)
    body["languages"] = [_language(code, "service", service_id) for code in provider.languages]
    body["cost_options"] = [
        {
            "id": hsds_id("cost_option", service_id),
            "service_id": service_id,
            "option": service.cost.value,
            **({"amount": 0} if service.cost.value == "free" else {}),
        }
    ]
    body["attributes"] = _service_attributes(provider, service, service_id)
    body["service_at_locations"] = [service_at_location(provider, service)]
    if org is not None:
        body["organization"] = organization(org)
    return body


def _service_areas(provider: Provider, service_id: str) -> list[Json]:
    area = provider.service_area
    areas: list[Json] = []
    if area.radius_km is not None:
        areas.append(
            {
                "id": hsds_id("service_area", service_id, "radius"),
                "service_id": service_id,
                "name": f"Within {area.radius_km:g} km",
                "extent_type": "radius_km",
                "extent": f"{area.radius_km:g}",
            }
        )
    for pcode in area.pcodes:
        areas.append(
            {
                "id": hsds_id("service_area", service_id, pcode),
                "service_id": service_id,
                "name": pcode,
                "extent_type": "pcode",
                "extent": pcode,
                "description": "An admin area (OCHA COD-AB P-code)",
            }
        )
    if area.geometry is not None:
        areas.append(
            {
                "id": hsds_id("service_area", service_id, "geometry"),
                "service_id": service_id,
                "name": "Service area",
                "extent_type": "geojson",
                "extent": json.dumps(area.geometry, separators=(",", ":")),
            }
        )
    return areas


def service_at_location(provider: Provider, service: Service) -> Json:
    """The link of a service to its provider's location, the location nested."""
    service_id = service_uuid(provider, service.need)
    body: Json = {
        "id": hsds_id("service_at_location", provider.id, service.need),
        "service_id": service_id,
        "location_id": location_uuid(provider),
        "location": location(provider),
    }
    if provider.is_restricted:
        body["description"] = ATTRIBUTES["location-withheld"][1]
    return body


# --- the public catalogue ------------------------------------------------------------------


def public_view(provider: Provider) -> Provider:
    """The provider as every HSDS reader sees it: a confidential one without its location.

    The HSDS API is public and has one answer for all: a partner key changes nothing.
    """
    return withheld(provider) if provider.is_restricted else provider


@dataclass(frozen=True, slots=True)
class ServiceEntry:
    """One HSDS service and what its filters read, all from the public view."""

    body: Json
    need: str
    attribute_terms: frozenset[str]
    organization_id: str
    modified_at: datetime | None
    text: str
    pcodes: frozenset[str]
    point: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class ServiceFilter:
    """The AND-ed filters of a service listing; None means any."""

    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    organization_id: str | None = None
    modified_after: datetime | None = None
    search: str | None = None
    pcode: str | None = None
    near: tuple[float, float, float] | None = None  # lon, lat, metres


def _need_terms(term_id: str) -> frozenset[str] | None:
    # A sector's term matches its sub-needs, as in the rest of the API.
    for need in taxonomy.NEEDS:
        if hsds_id("taxonomy_term", "need", need.code) == term_id:
            return taxonomy.expand(need.code)
    return None


def _keeps(entry: ServiceEntry, rule: ServiceFilter) -> bool:
    if rule.taxonomy_term_id is not None:
        needs = _need_terms(rule.taxonomy_term_id)
        if needs is not None:
            if entry.need not in needs:
                return False
        elif rule.taxonomy_term_id not in entry.attribute_terms:
            return False
    if rule.taxonomy_id is not None and rule.taxonomy_id not in (
        NEEDS_TAXONOMY["id"] if taxonomy.get_need(entry.need) else None,
        ATTRIBUTES_TAXONOMY["id"],
    ):
        return False
    if rule.organization_id is not None and entry.organization_id != rule.organization_id:
        return False
    if rule.modified_after is not None and (
        entry.modified_at is None or entry.modified_at < rule.modified_after
    ):
        return False
    if rule.search is not None and rule.search.casefold() not in entry.text:
        return False
    if rule.pcode is not None and rule.pcode not in entry.pcodes:
        return False
    if rule.near is not None:
        if entry.point is None:
            return False
        lon, lat, metres = rule.near
        if distance_km(lon, lat, *entry.point) * 1000 > metres:
            return False
    return True


class Catalogue:
    """The directory as HSDS: by default as the public sees it (`view`)."""

    def __init__(
        self,
        organizations: Iterable[Organization],
        providers: Iterable[Provider],
        view: Callable[[Provider], Provider] = public_view,
    ):
        orgs = {org.id: org for org in organizations}
        self.organizations: list[Json] = sorted(
            (organization(org) for org in orgs.values()), key=lambda body: str(body["id"])
        )
        self._organizations = {str(body["id"]): body for body in self.organizations}
        entries = [
            self._entry(seen, item, orgs.get(seen.organization_id))
            for seen in map(view, providers)
            for item in seen.services
        ]
        self.services: list[ServiceEntry] = sorted(entries, key=lambda e: str(e.body["id"]))
        self._services = {str(entry.body["id"]): entry for entry in self.services}
        self.service_at_locations: list[Json] = sorted(
            (link for entry in self.services for link in entry.body["service_at_locations"]),
            key=lambda link: str(link["id"]),
        )
        self._links = {str(link["id"]): link for link in self.service_at_locations}
        self.taxonomies = taxonomies()
        self._taxonomies = {str(body["id"]): body for body in self.taxonomies}
        self.taxonomy_terms = taxonomy_terms()
        self._terms = {str(body["id"]): body for body in self.taxonomy_terms}

    @staticmethod
    def _entry(provider: Provider, item: Service, org: Organization | None) -> ServiceEntry:
        body = service(provider, item, org)
        admin = provider.admin
        point = None
        if provider.lon is not None and provider.lat is not None:
            point = (provider.lon, provider.lat)
        return ServiceEntry(
            body=body,
            need=item.need,
            attribute_terms=frozenset(str(a["taxonomy_term_id"]) for a in body["attributes"]),
            organization_id=str(body["organization_id"]),
            modified_at=provider.updated_at,
            text=" ".join(
                str(part)
                for part in (body["name"], body.get("description"), org.name if org else None)
                if part
            ).casefold(),
            pcodes=frozenset(code for code in (admin.adm1, admin.adm2, admin.adm3) if code),
            point=point,
        )

    def find_services(self, rule: ServiceFilter) -> list[Json]:
        """The services that pass every filter, by id."""
        return [entry.body for entry in self.services if _keeps(entry, rule)]

    def service(self, service_id: str) -> Json | None:
        """One service, fully nested."""
        entry = self._services.get(service_id)
        return None if entry is None else entry.body

    def organization(self, organization_id: str) -> Json | None:
        """One organization."""
        return self._organizations.get(organization_id)

    def service_at_location(self, link_id: str) -> Json | None:
        """One service at a location."""
        return self._links.get(link_id)

    def taxonomy(self, taxonomy_id: str) -> Json | None:
        """One taxonomy."""
        return self._taxonomies.get(taxonomy_id)

    def taxonomy_term(self, term_id: str) -> Json | None:
        """One taxonomy term."""
        return self._terms.get(term_id)


def shallow(body: Json) -> Json:
    """A list item: the object's own fields, without arrays of child objects (the spec's
    `*_list` shapes); a nested organization stays, itself shallow."""
    item = {key: value for key, value in body.items() if not isinstance(value, list)}
    if isinstance(item.get("organization"), dict):
        item["organization"] = shallow(item["organization"])
    if isinstance(item.get("location"), dict):
        item["location"] = shallow(item["location"])
    return item


def page(
    items: list[Json],
    page_number: int,
    per_page: int,
    shown: Callable[[Json], Json] = lambda item: item,
) -> Json:
    """An HSDS Page of `items`, its `contents` each as `shown` makes it."""
    total = len(items)
    pages = max(1, -(-total // per_page))
    start = (page_number - 1) * per_page
    contents = [shown(item) for item in items[start : start + per_page]]
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page_number,
        "size": len(contents),
        "first_page": page_number == 1,
        "last_page": page_number >= pages,
        "empty": total == 0,
        "contents": contents,
    }


def ndjson_lines(items: Iterable[Json]) -> Iterator[bytes]:
    """Each item as one line of newline-delimited JSON."""
    for item in items:
        yield json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
