"""Domain errors: they describe what went wrong and know nothing of HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class ReferralError(Exception):
    """Base of every error the service reports to its callers."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFoundError(ReferralError):
    """The thing asked for does not exist (or the caller may not know it exists)."""


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One invalid field: where it is (a path of names and indexes) and what is wrong."""

    location: tuple[str | int, ...]
    message: str


class InvalidInputError(ReferralError):
    """Input that parses but breaks a rule of the domain."""

    def __init__(self, detail: str, problems: Sequence[FieldProblem] = ()) -> None:
        super().__init__(detail)
        self.problems = tuple(problems)


class InvalidParameterError(InvalidInputError):
    """A query parameter that is unknown or malformed where a standard asks for a 400 (OGC API)."""


class AmbiguousPlaceError(InvalidInputError):
    """A place name that matches several places, or none; the candidates help the caller."""

    def __init__(self, detail: str, candidates: Sequence[str]) -> None:
        super().__init__(detail, (FieldProblem(("place",), detail),))
        self.candidates = tuple(candidates)


class DirectoryUnavailableError(ReferralError):
    """The directory's storage cannot be reached right now; worth trying again shortly."""

    def __init__(self, detail: str, retry_after_seconds: int = 5) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


class AuthenticationError(ReferralError):
    """No valid API key was presented where one is required."""


class ForbiddenError(ReferralError):
    """The caller is known but may not do this."""


class PreconditionRequiredError(ReferralError):
    """A change must say which revision it starts from (If-Match)."""


class PreconditionFailedError(ReferralError):
    """The entry changed since the revision the caller started from."""


class ConflictError(ReferralError):
    """The same request is already being processed."""


class RateLimitedError(ReferralError):
    """Too many failed attempts from this client; it may try again later."""

    def __init__(self, detail: str, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds
