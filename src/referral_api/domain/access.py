"""Who is asking, and what they may see of confidential provider locations."""

from __future__ import annotations

from dataclasses import dataclass

from referral_api.domain.model import Provider
from referral_api.domain.projection import withheld


@dataclass(frozen=True, slots=True)
class Viewer:
    """The caller of a read: anonymous, a partner organization, or an admin."""

    organization_id: str | None = None
    is_admin: bool = False
    key_id: str | None = None

    @property
    def is_anonymous(self) -> bool:
        """Whether no key was presented."""
        return self.key_id is None

    def may_change(self, organization_id: str) -> bool:
        """Whether the caller may change entries of that organization."""
        return self.is_admin or (
            self.organization_id is not None and self.organization_id == organization_id
        )

    def may_locate(self, provider: Provider) -> bool:
        """Whether the caller may see the provider's exact location and address.

        Restricted providers (safe houses) show them only to their own organization and admins.
        """
        if not provider.is_restricted or self.is_admin:
            return True
        return self.organization_id is not None and self.organization_id == provider.organization_id


ANONYMOUS = Viewer()


def as_seen_by(viewer: Viewer, provider: Provider) -> Provider:
    """The provider as `viewer` may see it: whole, or withheld to its public projection."""
    return provider if viewer.may_locate(provider) else withheld(provider)


@dataclass(frozen=True, slots=True)
class Seen:
    """A provider as one caller may see it, and whether its location was withheld."""

    provider: Provider
    location_withheld: bool


def seen(viewer: Viewer, provider: Provider) -> Seen:
    """`provider` as `viewer` sees it: whole, or its public projection, saying which."""
    if viewer.may_locate(provider):
        return Seen(provider, location_withheld=False)
    return Seen(withheld(provider), location_withheld=True)
