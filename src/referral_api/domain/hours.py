"""Opening hours in OpenStreetMap `opening_hours` syntax, evaluated in the provider's zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import opening_hours
from opening_hours import OpeningHours

from referral_api.domain.errors import FieldProblem, InvalidInputError

ALWAYS_OPEN = "24/7"


@dataclass(frozen=True, slots=True)
class OpenState:
    """Whether a provider is open at a moment, and when that changes.

    `is_open` is None when the hours are unknown (not declared, or an "unknown" rule).
    """

    is_open: bool | None
    next_change_at: datetime | None = None

    @property
    def is_known(self) -> bool:
        """Whether the hours say anything about that moment."""
        return self.is_open is not None


UNKNOWN = OpenState(is_open=None)


@lru_cache(maxsize=8192)
def _compile(expression: str, timezone: str) -> OpeningHours:
    # Parsing is the expensive part and entries share few distinct strings: cache it.
    return OpeningHours(expression, timezone=ZoneInfo(timezone))


# The package's stub omits the exception its parser raises; it is an Exception subclass.
_PARSER_ERRORS: tuple[type[Exception], ...] = (
    getattr(opening_hours, "ParserError", SyntaxError),
    SyntaxError,
    ValueError,
)


def validate_opening_hours(expression: str, where: tuple[str | int, ...]) -> str:
    """The expression itself if it parses, or an error carrying the parser's message."""
    try:
        OpeningHours(expression)
    except _PARSER_ERRORS as error:
        raise InvalidInputError(
            "opening_hours is not valid OpenStreetMap opening_hours syntax",
            (FieldProblem(where, str(error).strip()),),
        ) from None
    return expression


def validate_timezone(name: str, where: tuple[str | int, ...]) -> str:
    """The IANA zone name itself if this machine knows it, or an error."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(
            f"Unknown time zone {name!r}",
            (FieldProblem(where, "not an IANA time zone name, e.g. Africa/Bangui"),),
        ) from None
    return name


def open_state(expression: str | None, timezone: str, at: datetime) -> OpenState:
    """Evaluate `expression` at the aware moment `at` in the provider's time zone."""
    if not expression:
        return UNKNOWN
    if expression == ALWAYS_OPEN:
        return OpenState(is_open=True)
    hours = _compile(expression, timezone)
    # The library wants the moment in a named zone, not a fixed offset such as UTC.
    at = at.astimezone(ZoneInfo(timezone))
    if hours.is_unknown(at):
        return UNKNOWN
    return OpenState(is_open=hours.is_open(at), next_change_at=hours.next_change(at))


def is_always_open(expression: str | None) -> bool:
    """Whether the hours are round the clock."""
    return expression is not None and expression.strip() == ALWAYS_OPEN
