"""Rules a provider entry must satisfy beyond its types, reported field by field."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import UTC, datetime

from referral_api.domain import taxonomy
from referral_api.domain.errors import FieldProblem, InvalidInputError
from referral_api.domain.geometry import parse_service_area
from referral_api.domain.hours import validate_opening_hours, validate_timezone
from referral_api.domain.model import Modality, Provider

_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_PCODE = re.compile(r"^[A-Z]{2}[0-9A-Z]{0,18}$")


# Moments the service can reason about. Before 1970 the opening-hours library answers
# wrongly (closed, never changing); near the calendar's ends a time-zone shift, or the
# year-long lookahead of opening hours, overflows. A century is room for any record or plan.
EARLIEST_MOMENT = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_MOMENT = datetime(2100, 1, 1, tzinfo=UTC)


def moment_problem(moment: datetime) -> str | None:
    """What is wrong with an aware moment, if it lies outside the range the service handles."""
    if EARLIEST_MOMENT <= moment < LATEST_MOMENT:
        return None
    return "must lie between 1970-01-01T00:00:00Z and 2099-12-31T23:59:59Z"


def name_problem(name: str) -> str | None:
    """What is wrong with a name, if anything.

    A name is what a caseworker reads out and searches for: tabs, line breaks and other
    control characters garble it on screens and in exports, and blanks say nothing.
    """
    if name.isprintable():  # no control or format character, no space but U+0020
        return None if name.strip(" ") else "must not be blank"
    if all(char.isspace() or unicodedata.category(char) == "Cf" for char in name):
        return "must not be blank"
    if any(unicodedata.category(char) == "Cc" for char in name):
        return "must not hold control characters such as tabs or line breaks"
    return None


def _problems_of(error: InvalidInputError) -> tuple[FieldProblem, ...]:
    return error.problems or (FieldProblem((), error.detail),)


def check_location(lon: float | None, lat: float | None) -> list[FieldProblem]:
    """Problems with a WGS84 point, if any."""
    if lon is None and lat is None:
        return []
    if lon is None or lat is None:
        return [FieldProblem(("geometry",), "give both longitude and latitude")]
    problems = []
    if not math.isfinite(lon) or not -180 <= lon <= 180:
        problems.append(
            FieldProblem(("geometry", "coordinates", 0), "longitude not in [-180, 180]")
        )
    if not math.isfinite(lat) or not -90 <= lat <= 90:
        problems.append(FieldProblem(("geometry", "coordinates", 1), "latitude not in [-90, 90]"))
    return problems


def provider_problems(provider: Provider) -> list[FieldProblem]:
    """Every rule `provider` breaks, with the path of the field concerned."""
    problems = check_location(provider.lon, provider.lat)
    named = name_problem(provider.name)
    if named is not None:
        problems.append(FieldProblem(("name",), named))
    if provider.last_verified_at is not None:
        verified = moment_problem(provider.last_verified_at)
        if verified is not None:
            problems.append(FieldProblem(("last_verified_at",), verified))
    if provider.modality is not Modality.REMOTE and provider.lon is None:
        problems.append(
            FieldProblem(("geometry",), f"a {provider.modality.value} provider needs a location")
        )
    if provider.modality is Modality.REMOTE and not provider.service_area.is_declared:
        problems.append(
            FieldProblem(("service_area",), "a remote provider must declare where it serves")
        )
    if not provider.services:
        problems.append(FieldProblem(("services",), "at least one service is required"))
    seen: set[str] = set()
    for index, service in enumerate(provider.services):
        where: tuple[str | int, ...] = ("services", index)
        if taxonomy.get_need(service.need) is None:
            problems.append(FieldProblem((*where, "need"), f"unknown need code {service.need!r}"))
        if service.need in seen:
            problems.append(FieldProblem((*where, "need"), f"{service.need!r} is listed twice"))
        seen.add(service.need)
        rule = service.eligibility
        if rule.min_age is not None and rule.max_age is not None and rule.min_age > rule.max_age:
            problems.append(
                FieldProblem((*where, "eligibility", "min_age"), "min_age is above max_age")
            )
    for index, language in enumerate(provider.languages):
        if not _LANGUAGE.match(language):
            problems.append(
                FieldProblem(("languages", index), "not an ISO 639 code such as fr, sg or en")
            )
    for index, pcode in enumerate(provider.service_area.pcodes):
        if not _PCODE.match(pcode):
            problems.append(FieldProblem(("service_area", "pcodes", index), "not a P-code"))
    if provider.is_restricted and provider.service_area.geometry is not None:
        # Any function of a polygon drawn around the place, or along a boundary near it,
        # tells where in its public cell the place is (docs/confidentiality.md).
        problems.append(
            FieldProblem(
                ("service_area", "geometry"),
                "a confidential entry says where it serves with radius_km or pcodes, "
                "not a polygon: a polygon's shape, extent or area tells where it is",
            )
        )
    elif provider.service_area.geometry is not None:
        try:
            parse_service_area(provider.service_area.geometry, ("service_area", "geometry"))
        except InvalidInputError as error:
            problems.extend(_problems_of(error))
    if provider.opening_hours is not None:
        try:
            validate_opening_hours(provider.opening_hours, ("opening_hours",))
        except InvalidInputError as error:
            problems.extend(_problems_of(error))
    try:
        validate_timezone(provider.timezone, ("timezone",))
    except InvalidInputError as error:
        problems.extend(_problems_of(error))
    return problems


def ensure_valid(provider: Provider, label: str = "The provider entry") -> Provider:
    """The provider itself, or an error that lists every problem found."""
    problems = provider_problems(provider)
    if problems:
        raise InvalidInputError(f"{label} is not valid ({len(problems)} problem(s))", problems)
    return provider
