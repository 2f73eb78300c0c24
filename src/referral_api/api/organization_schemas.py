"""Shapes of organizations, keys and the admin audit trail as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from referral_api.db.organizations import AdminEvent
from referral_api.db.repository import StoredKey
from referral_api.documents import OrganizationDocument, Phone
from referral_api.domain.keys import Role
from referral_api.domain.model import Organization, OrganizationKind
from referral_api.interop.hsds import organization_uuid


class OrganizationOut(OrganizationDocument):
    """A partner organization, with its id in the HSDS API."""

    hsds_id: str = Field(description="Its id under /hsds/organizations")

    @classmethod
    def of_organization(cls, organization: Organization) -> OrganizationOut:
        """The shape of a domain value."""
        return cls(
            **OrganizationDocument.of(organization).model_dump(),
            hsds_id=organization_uuid(organization.id),
        )


class OrganizationList(BaseModel):
    """Every organization, by id."""

    items: list[OrganizationOut]
    total: int


class OrganizationChanges(BaseModel):
    """Fields to change (a JSON merge patch): what is left out stays, null clears."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, description="May repeat the id; never change it")
    name: str | None = Field(default=None, min_length=1, max_length=300)
    acronym: str | None = Field(default=None, max_length=40)
    kind: OrganizationKind | None = None
    email: str | None = Field(default=None, max_length=320)
    phone: Phone | None = None
    website: str | None = Field(default=None, max_length=500)

    def changes(self) -> dict[str, Any]:
        """The fields sent, as JSON values."""
        return self.model_dump(mode="json", exclude_unset=True)


class KeyRequest(BaseModel):
    """What key to issue."""

    model_config = ConfigDict(extra="forbid")

    role: Role = Field(default=Role.PARTNER, description="partner: its own entries; admin: all")


class KeyOut(BaseModel):
    """An API key as listed: never the key nor its digest."""

    key_id: str
    organization_id: str
    role: Role
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of_key(cls, key: StoredKey) -> KeyOut:
        """The shape of a stored key."""
        return cls(
            key_id=key.key_id,
            organization_id=key.organization_id,
            role=Role(key.role),
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            revoked_at=key.revoked_at,
        )


class IssuedKey(KeyOut):
    """A key just issued: `key` is shown this once and never again."""

    key: str = Field(description="Send it as Authorization: Bearer <key>; store it now")


class KeyList(BaseModel):
    """An organization's keys."""

    items: list[KeyOut]


class AdminEventOut(BaseModel):
    """One change to an organization or a key, and who made it."""

    sequence: int
    at: datetime
    action: str = Field(
        description="organization.create, organization.update, key.issue, key.revoke"
    )
    organization_id: str
    key_id: str | None
    via: str = Field(description="api or cli")
    actor_key_id: str | None
    actor_organization_id: str | None
    request_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @classmethod
    def of_event(cls, event: AdminEvent) -> AdminEventOut:
        """The shape of an event."""
        return cls(**{name: getattr(event, name) for name in cls.model_fields})


class AdminEventList(BaseModel):
    """A page of the admin audit trail."""

    items: list[AdminEventOut]
    next_after: int | None = Field(description="Pass as `after` for the next page")
