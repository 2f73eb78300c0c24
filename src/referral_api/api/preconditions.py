"""Conditional requests (RFC 9110, section 13): entity-tag lists and their two comparisons."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from referral_api.domain.errors import (
    FieldProblem,
    InvalidInputError,
    PreconditionFailedError,
    PreconditionRequiredError,
)

# entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, in a list whose empty elements are allowed.
_TAG = r'(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"'
_LIST_SOURCE = rf"[ \t]*(?:{_TAG}[ \t]*)?(?:,[ \t]*(?:{_TAG}[ \t]*)?)*"
_LIST = re.compile(_LIST_SOURCE)
_TAGS = re.compile(rf"{_TAG}")

# If-Match as the OpenAPI document states it: required, and exactly the lists parsed here
# (`*` is not one: a change must name the revision it starts from).
IF_MATCH_OPENAPI: dict[str, Any] = {
    "parameters": [
        {
            "name": "if-match",
            "in": "header",
            "required": True,
            "description": 'The ETag of the entry as you read it, e.g. "3". Without it the '
            "answer is 428; unless it names the entry's current ETag, 412.",
            "schema": {"type": "string", "pattern": f"^{_LIST_SOURCE}$"},
        }
    ]
}


def _entity_tags(value: str) -> list[str] | None:
    """The entity-tags of a list, as sent (weak ones with their W/), or None if malformed."""
    if _LIST.fullmatch(value) is None:
        return None
    return _TAGS.findall(value)


def check_if_match(if_match: str | None, current: str) -> None:
    """Refuse a change unless If-Match names `current`, the ETag of the entry as stored.

    The strong comparison (RFC 9110, section 8.8.3.2): a weak tag never matches, since a
    change must start from exactly the representation the server holds.
    """
    if if_match is None or if_match.strip() == "*":
        raise PreconditionRequiredError(
            "Send If-Match with the ETag of the entry you read: changes must say which "
            "revision they start from, so that no one's update is silently lost"
        )
    tags = _entity_tags(if_match)
    if tags is None:
        raise InvalidInputError(
            "If-Match is not a list of ETags",
            (FieldProblem(("header", "if-match"), 'expected an ETag such as "3", with quotes'),),
        )
    if current not in tags:
        raise PreconditionFailedError(
            "If-Match names no current ETag of the entry (weak W/ ETags never match a change): "
            "read it again, re-apply your change and send the ETag you get"
        )


def not_modified(if_none_match: str | None, current: str) -> bool:
    """Whether a read may answer 304: If-None-Match is * or names `current`.

    The weak comparison (RFC 9110, section 13.1.2); a malformed list is ignored.
    """
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    tags = _entity_tags(if_none_match) or []
    return current.removeprefix("W/") in {tag.removeprefix("W/") for tag in tags}


@dataclass(frozen=True, slots=True)
class ExpectedRevision:
    """The If-Match of a write: the representation its change starts from."""

    if_match: str | None

    def check(self, current: str) -> None:
        """Refuse the change unless If-Match names `current` (see `check_if_match`)."""
        check_if_match(self.if_match, current)


async def expected_revision(request: Request) -> ExpectedRevision:
    """If-Match as sent. Read here rather than declared as a required header, so that its
    absence is answered 428 (RFC 6585) rather than as a missing field; IF_MATCH_OPENAPI
    documents it."""
    return ExpectedRevision(request.headers.get("if-match"))


ExpectedRevisionDep = Annotated[ExpectedRevision, Depends(expected_revision)]
