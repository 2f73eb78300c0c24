"""Use cases of admins: organizations and keys, by API or command line, one audit trail.

Every accepted change appends an admin event in the same transaction: what changed, who
(the admin key and its organization, or the command line) and the request id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from referral_api.db import repository
from referral_api.db.organizations import (
    AdminEvent,
    admin_events,
    append_admin_event,
    get_organization,
    key_organization,
)
from referral_api.documents import OrganizationDocument
from referral_api.domain.errors import (
    AuthenticationError,
    ConflictError,
    FieldProblem,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
)
from referral_api.domain.keys import NewKey, Role, digest, new_key
from referral_api.domain.model import Organization
from referral_api.editing import Actor
from referral_api.interop.geojson import validation_problems


@dataclass(frozen=True, slots=True)
class AdminActor:
    """Who administers: an admin key over the API, or whoever runs the command line."""

    via: str
    key_id: str | None = None
    organization_id: str | None = None
    request_id: str | None = None

    @classmethod
    def of(cls, actor: Actor) -> AdminActor:
        """The API caller, if it holds an admin key."""
        viewer = actor.viewer
        if viewer.is_anonymous:
            raise AuthenticationError("Send an admin API key: Authorization: Bearer <key>")
        if not viewer.is_admin:
            raise ForbiddenError("Only admins manage organizations and keys")
        return cls("api", viewer.key_id, viewer.organization_id, actor.request_id)


COMMAND_LINE = AdminActor("cli")


def _record(
    session: Session, actor: AdminActor, action: str, organization_id: str, **details: Any
) -> None:
    append_admin_event(
        session=session,
        action=action,
        organization_id=organization_id,
        via=actor.via,
        actor_key_id=actor.key_id,
        actor_organization_id=actor.organization_id,
        request_id=actor.request_id,
        **details,
    )


def _document(organization: Organization) -> dict[str, Any]:
    return OrganizationDocument.of(organization).model_dump(mode="json")


def get(*, session: Session, organization_id: str) -> Organization:
    """The organization with that id, or NotFoundError."""
    found = get_organization(session=session, organization_id=organization_id)
    if found is None:
        raise NotFoundError(f"No organization {organization_id!r}")
    return found


def create_organization(
    *, session: Session, organization: Organization, actor: AdminActor
) -> Organization:
    """Add an organization; ConflictError when its id is taken."""
    if get_organization(session=session, organization_id=organization.id) is not None:
        raise ConflictError(f"The organization {organization.id!r} exists already")
    repository.save_organization(session=session, organization=organization)
    _record(session, actor, "organization.create", organization.id, after=_document(organization))
    session.commit()
    return organization


def update_organization(
    *, session: Session, organization_id: str, changes: dict[str, Any], actor: AdminActor
) -> Organization:
    """Merge `changes` into an organization (its id never changes) and record it."""
    current = get(session=session, organization_id=organization_id)
    if changes.get("id", organization_id) != organization_id:
        raise InvalidInputError(
            "An organization keeps its id", (FieldProblem(("body", "id"), "cannot change"),)
        )
    before = _document(current)
    try:
        updated = OrganizationDocument.model_validate({**before, **changes}).to_domain()
    except ValidationError as error:
        problems = validation_problems(error, ("body",))
        raise InvalidInputError("The organization is not valid", problems) from None
    repository.save_organization(session=session, organization=updated)
    _record(
        session,
        actor,
        "organization.update",
        organization_id,
        before=before,
        after=_document(updated),
    )
    session.commit()
    return updated


def issue_key(
    *, session: Session, organization_id: str, role: Role, actor: AdminActor
) -> tuple[NewKey, repository.StoredKey]:
    """A new key for the organization: its text is returned once, only its digest kept."""
    get(session=session, organization_id=organization_id)
    key = new_key()
    repository.add_key(
        session=session,
        key_id=key.key_id,
        organization_id=organization_id,
        role=role.value,
        secret_hash=digest(key.text),
    )
    _record(
        session, actor, "key.issue", organization_id, key_id=key.key_id, after={"role": role.value}
    )
    session.commit()
    stored = repository.find_key(session=session, key_id=key.key_id)
    assert stored is not None
    return key, stored


def revoke_key(*, session: Session, key_id: str, actor: AdminActor) -> None:
    """Revoke a live key at once; NotFoundError when there is none with that id."""
    organization_id = key_organization(session=session, key_id=key_id)
    if organization_id is None or not repository.revoke_key(session=session, key_id=key_id):
        raise NotFoundError(f"No live key {key_id!r}")
    _record(session, actor, "key.revoke", organization_id, key_id=key_id)
    session.commit()


def keys_of(*, session: Session, organization_id: str) -> list[repository.StoredKey]:
    """The organization's keys, revoked ones included (never their secrets)."""
    get(session=session, organization_id=organization_id)
    return [
        k for k in repository.list_keys(session=session) if k.organization_id == organization_id
    ]


def audit_trail(*, session: Session, after: int, limit: int) -> list[AdminEvent]:
    """The admin events after sequence `after`, oldest first."""
    return admin_events(session=session, after=after, limit=limit)
