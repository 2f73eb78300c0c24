"""Who is asking, and what they may see of confidential provider locations."""

from __future__ import annotations

from dataclasses import dataclass, replace

from referral_api.domain.model import Provider


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
    """The provider with everything that would locate it removed, unless `viewer` may locate it.

    A service radius or polygon is centred on the place, and an adm3 unit narrows it to a
    few km², so they go too; the adm1/adm2 units and the contact route stay.
    """
    if viewer.may_locate(provider):
        return provider
    return replace(
        provider,
        lon=None,
        lat=None,
        address=None,
        admin=replace(provider.admin, adm3=None),
        service_area=replace(provider.service_area, geometry=None, radius_km=None),
    )
