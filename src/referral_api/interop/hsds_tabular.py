"""The directory as an HSDS 3.0 tabular data package (CSV files and datapackage.json), and back.

Pure: tables from domain values and domain values from tables; reading and writing files
is the caller's. Writing flattens the same HSDS objects the /hsds API serves; reading
takes our own attributes first (they make the round trip lossless) and falls back to the
HSDS fields for a package from another publisher, reporting what it could not keep.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import resources
from typing import Any

from referral_api.domain import taxonomy
from referral_api.domain.model import (
    Access,
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
from referral_api.interop.hsds import HSDS_STATUS, Catalogue, Json, public_view

Rows = list[dict[str, str]]

# Nested arrays of HSDS objects and the table each one's rows go to.
_CHILD_TABLES = {
    "phones": "phone",
    "contacts": "contact",
    "schedules": "schedule",
    "service_areas": "service_area",
    "languages": "language",
    "cost_options": "cost_option",
    "attributes": "attribute",
    "organization_identifiers": "organization_identifier",
    "accessibility": "accessibility",
    "service_at_locations": "service_at_location",
}


def datapackage_template() -> Json:
    """The spec's datapackage.json (HSDS 3.0, CC BY-SA 4.0), as shipped with the package."""
    text = (
        resources.files("referral_api.interop")
        .joinpath("hsds_datapackage.json")
        .read_text(encoding="utf-8")
    )
    document: Json = json.loads(text)
    return document


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind == "time" and isinstance(value, str):
        # The JSON form says its offset ("08:00+01:00"); the tabular `time` type takes a
        # plain local time, and the row's `timezone` column holds the offset.
        return value[:5] + ":00"
    return str(value)


def _collect(body: Json, table: str, tables: dict[str, list[Json]], seen: set[str]) -> None:
    key = f"{table}:{body['id']}"
    if key in seen:
        return
    seen.add(key)
    tables[table].append(body)
    for name, value in body.items():
        if name in _CHILD_TABLES and isinstance(value, list):
            for child in value:
                _collect(child, _CHILD_TABLES[name], tables, seen)
        elif name == "location" and isinstance(value, dict):
            _collect(value, "location", tables, seen)


def tables(catalogue: Catalogue) -> dict[str, list[Json]]:
    """Every HSDS object of the catalogue, by table name (organization, service, …)."""
    found: dict[str, list[Json]] = defaultdict(list)
    seen: set[str] = set()
    for body in catalogue.organizations:
        _collect(body, "organization", found, seen)
    for entry in catalogue.services:
        _collect(entry.body, "service", found, seen)
    for body in catalogue.taxonomies:
        _collect(body, "taxonomy", found, seen)
    for body in catalogue.taxonomy_terms:
        _collect(body, "taxonomy_term", found, seen)
    return dict(found)


@dataclass(frozen=True, slots=True)
class Package:
    """A data package: its descriptor and the rows of each CSV file, by file name."""

    descriptor: Json
    files: dict[str, list[list[str]]]


def package(catalogue: Catalogue) -> Package:
    """The catalogue as CSV rows per file, and the spec's descriptor pruned to those files."""
    template = datapackage_template()
    objects = tables(catalogue)
    resources_kept = []
    files: dict[str, list[list[str]]] = {}
    for resource in template["resources"]:
        bodies = objects.get(resource["name"])
        if not bodies:
            continue
        fields = resource["schema"]["fields"]
        header = [f["name"] for f in fields]
        rows = [header] + [
            [_cell(body.get(f["name"]), f.get("type", "string")) for f in fields]
            # In the catalogue's order: a provider's languages, phones or P-codes keep theirs.
            for body in bodies
        ]
        files[resource["path"]] = rows
        kept = copy.deepcopy(resource)
        kept["schema"]["foreignKeys"] = [
            key
            for key in kept["schema"].get("foreignKeys", [])
            if key["reference"]["resource"] in objects
        ]
        resources_kept.append(kept)
    descriptor = {key: value for key, value in template.items() if key != "resources"}
    descriptor["resources"] = resources_kept
    return Package(descriptor, files)


def full_catalogue(
    organizations: Iterable[Organization], providers: Iterable[Provider]
) -> Catalogue:
    """The whole directory, confidential locations included: for operators, never the public."""
    return Catalogue(organizations, providers, view=lambda provider: provider)


def public_catalogue(
    organizations: Iterable[Organization], providers: Iterable[Provider]
) -> Catalogue:
    """The directory as the /hsds API shows it."""
    return Catalogue(organizations, providers, view=public_view)


# --- reading ---------------------------------------------------------------------------------


@dataclass(slots=True)
class LoadedPackage:
    """What a data package holds in our model, and what of it could not be kept."""

    organizations: list[Organization] = field(default_factory=list)
    providers: list[Provider] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


_FROM_HSDS_STATUS = {text: status for status, text in HSDS_STATUS.items()} | {
    "defunct": Status.CLOSED
}
_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(name: str, taken: set[str]) -> str:
    base = _SLUG.sub("-", name.lower()).strip("-")[:50] or "organization"
    base = base if len(base) > 1 else f"{base}-org"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


class _Attributes:
    """Our attributes of each linked object: link id -> code -> values in order."""

    def __init__(self, rows: Rows, terms: Rows) -> None:
        codes = {row["id"]: row.get("code", "") for row in terms}
        self._by_link: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.needs: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            code = codes.get(row.get("taxonomy_term_id", ""), "")
            value = row.get("value", "")
            self._by_link[row.get("link_id", "")][code].append(value)
            if taxonomy.get_need(code) is not None:
                self.needs[row.get("link_id", "")].append(code)

    def all(self, link_id: str, code: str) -> list[str]:
        return list(self._by_link.get(link_id, {}).get(code, []))

    def one(self, link_id: str, code: str) -> str | None:
        values = self.all(link_id, code)
        return values[0] if values else None


def _translations(values: list[str]) -> dict[str, str]:
    found = {}
    for value in values:
        lang, _, text = value.partition(": ")
        if text:
            found[lang] = text
    return found


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        found = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    # An HSDS assured_date is a date: midnight UTC of that day.
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def read_package(tables_by_name: dict[str, Rows]) -> LoadedPackage:
    """Organizations and providers of a package's tables (by resource name), with a report.

    One provider per location, holding the services offered there; a service without a
    location is a provider of its own. A service whose need is not in our taxonomy is
    dropped (and reported): search could never find it.
    """
    get: Callable[[str], Rows] = lambda name: tables_by_name.get(name, [])  # noqa: E731
    loaded = LoadedPackage()
    attrs = _Attributes(get("attribute"), get("taxonomy_term"))
    organization_slugs = _organizations(get, attrs, loaded)
    locations = {row["id"]: row for row in get("location")}
    links: dict[str, list[str]] = defaultdict(list)
    for row in get("service_at_location"):
        links[row.get("service_id", "")].append(row.get("location_id", ""))
    children = {
        name: _by_parent(get(name), "service_id")
        for name in ("phone", "contact", "schedule", "service_area", "language", "cost_option")
    }
    accessibility = _by_parent(get("accessibility"), "location_id")
    grouped: dict[str, list[Json]] = defaultdict(list)
    for service_row in get("service"):
        provider_key = attrs.one(service_row["id"], "provider-id") or next(
            iter(links.get(service_row["id"], [])), service_row["id"]
        )
        grouped[provider_key].append(service_row)
    for provider_key, rows in grouped.items():
        provider = _provider(
            provider_key,
            rows,
            attrs,
            links,
            locations,
            children,
            accessibility,
            organization_slugs,
            loaded,
        )
        if provider is None:
            continue
        if provider.modality is not Modality.REMOTE and provider.lat is None:
            # A service point search can reach only where it is: a withheld location (our
            # own public export) or a foreign one without coordinates cannot be held.
            loaded.dropped.append(f"provider {provider.id} ({provider.name}): no coordinates")
            continue
        loaded.providers.append(provider)
    return loaded


def _by_parent(rows: Rows, key: str) -> dict[str, Rows]:
    found: dict[str, Rows] = defaultdict(list)
    for row in rows:
        found[row.get(key, "")].append(row)
    return found


def _organizations(
    get: Callable[[str], Rows], attrs: _Attributes, loaded: LoadedPackage
) -> dict[str, str]:
    local = {
        row.get("organization_id", ""): row.get("identifier", "")
        for row in get("organization_identifier")
        if row.get("identifier_scheme") == "referral-api"
    }
    taken = set(local.values())
    slugs: dict[str, str] = {}
    for row in get("organization"):
        slug = local.get(row["id"]) or _slug(row.get("name", ""), taken)
        if row["id"] not in local:
            loaded.dropped.append(f"organization {row['id']}: given the id {slug!r}")
        kind = attrs.one(row["id"], "organization-kind")
        if kind not in {k.value for k in OrganizationKind}:
            loaded.dropped.append(f"organization {slug}: kind unknown, taken as ngo")
            kind = OrganizationKind.NGO.value
        phone = next(
            (p["number"] for p in get("phone") if p.get("organization_id") == row["id"]), None
        )
        loaded.organizations.append(
            Organization(
                id=slug,
                name=row.get("name", "") or slug,
                kind=OrganizationKind(kind),
                acronym=row.get("alternate_name") or None,
                email=row.get("email") or None,
                phone=phone,
                website=row.get("website") or None,
            )
        )
        slugs[row["id"]] = slug
    return slugs


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _provider(
    key: str,
    rows: list[Json],
    attrs: _Attributes,
    links: dict[str, list[str]],
    locations: dict[str, dict[str, str]],
    children: dict[str, dict[str, Rows]],
    accessibility: dict[str, Rows],
    organization_slugs: dict[str, str],
    loaded: LoadedPackage,
) -> Provider | None:
    first = rows[0]
    sid = first["id"]
    organization_id = organization_slugs.get(first.get("organization_id", ""))
    if organization_id is None:
        loaded.dropped.append(f"service {sid}: no organization, dropped with its provider")
        return None
    location_id = next(iter(links.get(sid, [])), None)
    location = locations.get(location_id, {}) if location_id else {}
    rows = sorted(rows, key=lambda row: int(attrs.one(row["id"], "position") or 0))
    services = []
    for row in rows:
        item = _service(row, attrs, children, loaded)
        if item is not None:
            services.append(item)
    if not services:
        return None
    provider_id = _uuid(key) or _uuid(location_id or "") or _uuid(sid)
    if provider_id is None:
        loaded.dropped.append(f"service {sid}: no UUID to name its provider, dropped")
        return None
    loc_id = location.get("id", "")
    status_text = first.get("status", "active")
    status = _FROM_HSDS_STATUS.get(status_text, Status.ACTIVE)
    schedules = children["schedule"].get(sid, [])
    hours = schedules[0].get("description") if schedules else None
    if schedules and not hours:
        loaded.dropped.append(f"service {sid}: schedules without an opening_hours text")
    areas = children["service_area"].get(sid, [])
    radius = next(
        (_number(a.get("extent")) for a in areas if a.get("extent_type") == "radius_km"), None
    )
    geometry_text = next(
        (a.get("extent") for a in areas if a.get("extent_type") == "geojson"), None
    )
    pcodes = tuple(a.get("extent", "") for a in areas if a.get("extent_type") == "pcode")
    foreign = [a for a in areas if a.get("extent_type") not in {"radius_km", "geojson", "pcode"}]
    if foreign:
        loaded.dropped.append(f"service {sid}: {len(foreign)} service area(s) of unknown extent")
    cod = re.search(r"version (\S+)", location.get("external_identifier_type", "") or "")
    admin = AdminCodes(
        adm1=attrs.one(loc_id, "adm1"),
        adm2=attrs.one(loc_id, "adm2"),
        adm3=attrs.one(loc_id, "adm3"),
        cod_version=cod.group(1) if cod and cod.group(1) != "unknown" else None,
    )
    description = _translations(attrs.all(sid, "description"))
    if not description and first.get("description"):
        description = {"fr": first["description"]}
    focal = next((c.get("title") for c in children["contact"].get(sid, []) if c.get("title")), None)
    until = attrs.one(sid, "status-until")
    modality = attrs.one(sid, "modality") or (
        "remote" if location.get("location_type") == "virtual" or not location else "static"
    )
    return Provider(
        id=provider_id,
        organization_id=organization_id,
        name=location.get("name") or first.get("name", ""),
        modality=Modality(modality),
        services=tuple(services),
        description=description,
        lon=_number(location.get("longitude")),
        lat=_number(location.get("latitude")),
        address=location.get("description") or None,
        admin=admin,
        service_area=ServiceArea(
            geometry=json.loads(geometry_text) if geometry_text else None,
            radius_km=radius,
            pcodes=pcodes,
        ),
        contacts=Contacts(
            phones=tuple(p["number"] for p in children["phone"].get(sid, [])),
            email=first.get("email") or None,
            focal_point_role=focal,
        ),
        opening_hours=hours or None,
        timezone=attrs.one(sid, "timezone") or "Africa/Bangui",
        languages=tuple(
            lang["code"] for lang in children["language"].get(sid, []) if lang.get("code")
        ),
        accessibility=tuple(a.get("description", "") for a in accessibility.get(loc_id, [])),
        status=status,
        status_reason=first.get("alert") or None,
        status_until=date.fromisoformat(until) if until else None,
        accepting_referrals=attrs.one(sid, "accepting-referrals") != "false",
        visibility=Visibility(attrs.one(sid, "visibility") or "public"),
        last_verified_at=_moment(attrs.one(sid, "verified-at") or first.get("assured_date")),
        last_verified_by=attrs.one(sid, "verified-by"),
        verification=attrs.one(sid, "verification") or "partner",
        source=attrs.one(sid, "source"),
        licence=first.get("licenses") or None,
    )


def _service(
    row: Json, attrs: _Attributes, children: dict[str, dict[str, Rows]], loaded: LoadedPackage
) -> Service | None:
    sid = row["id"]
    needs = attrs.needs.get(sid, [])
    if not needs:
        loaded.dropped.append(f"service {sid} ({row.get('name', '')}): no need of our taxonomy")
        return None
    costs = [c.get("option") for c in children["cost_option"].get(sid, [])]
    cost_text = row.get("fees_description") or next(iter(costs), None) or "free"
    access = attrs.one(sid, "access") or Access.WALK_IN.value
    return Service(
        need=needs[0],
        eligibility=Eligibility(
            sexes=tuple(Sex(value) for value in attrs.all(sid, "sex")),
            min_age=int(float(row["minimum_age"])) if row.get("minimum_age") else None,
            max_age=int(float(row["maximum_age"])) if row.get("maximum_age") else None,
            child_friendly=attrs.one(sid, "child-friendly") == "true",
            population_groups=tuple(attrs.all(sid, "population-group")),
        ),
        cost=Cost(cost_text) if cost_text in {c.value for c in Cost} else Cost.FEE,
        access=Access(access),
        capabilities=tuple(attrs.all(sid, "capability")),
        notes=_translations(attrs.all(sid, "notes")),
    )
