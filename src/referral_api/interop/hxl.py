"""The directory as HXL-tagged CSV: one row per provider and need (see docs/hxl.md).

Pure: rows from domain values. The export is public, so it is computed from the public
view: a confidential provider's row has no coordinates and no admin unit, and says so in
`#x_location_withheld`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from referral_api.domain import taxonomy
from referral_api.domain.model import Organization, Provider
from referral_api.interop.hsds import public_view

# (text header, HXL hashtag), in column order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("Organization", "#org +name"),
    ("Organization acronym", "#org +acronym"),
    ("Organization type", "#org +type"),
    ("Service point", "#loc +name"),
    ("Service point id", "#loc +code"),
    ("Sector", "#sector +cluster"),
    ("Sub-sector", "#subsector"),
    ("Service", "#service +name"),
    ("Service code", "#service +code"),
    ("Region", "#adm1 +name"),
    ("Region P-code", "#adm1 +code"),
    ("District", "#adm2 +name"),
    ("District P-code", "#adm2 +code"),
    ("Commune", "#adm3 +name"),
    ("Commune P-code", "#adm3 +code"),
    ("Latitude", "#geo +lat"),
    ("Longitude", "#geo +lon"),
    ("Phone", "#contact +phone"),
    ("Email", "#contact +email"),
    ("Focal point (a role)", "#contact +type"),
    ("Status", "#status"),
    ("Last verified", "#date +reported"),
    ("Access", "#access"),
    ("Cost", "#x_cost"),
    ("Opening hours (OSM)", "#x_hours"),
    ("Languages", "#x_languages"),
    ("Accepting referrals", "#x_accepting_referrals"),
    ("Verification", "#x_verification"),
    ("Modality", "#x_modality"),
    ("Location withheld", "#x_location_withheld"),
    ("Source", "#meta +source"),
    ("Licence", "#meta +licence"),
)
SECTOR = "Protection"
SUBSECTOR = "Gender-Based Violence"


def rows(
    organizations: Iterable[Organization],
    providers: Iterable[Provider],
    area_names: Mapping[str, str],
) -> list[list[str]]:
    """The header row, the hashtag row, then one row per provider and need."""
    orgs = {org.id: org for org in organizations}
    table = [[header for header, _ in COLUMNS], [tag for _, tag in COLUMNS]]
    for provider in map(public_view, sorted(providers, key=lambda p: str(p.id))):
        org = orgs.get(provider.organization_id)
        admin = provider.admin
        verified = provider.last_verified_at or provider.updated_at
        for service in provider.services:
            need = taxonomy.get_need(service.need)
            values = [
                org.name if org else provider.organization_id,
                (org.acronym or "") if org else "",
                org.kind.value if org else "",
                provider.name,
                str(provider.id),
                SECTOR,
                SUBSECTOR,
                need.label_en if need else service.need,
                service.need,
                area_names.get(admin.adm1 or "", ""),
                admin.adm1 or "",
                area_names.get(admin.adm2 or "", ""),
                admin.adm2 or "",
                area_names.get(admin.adm3 or "", ""),
                admin.adm3 or "",
                "" if provider.lat is None else f"{provider.lat:.6f}",
                "" if provider.lon is None else f"{provider.lon:.6f}",
                " | ".join(provider.contacts.phones),
                provider.contacts.email or "",
                provider.contacts.focal_point_role or "",
                provider.status.value,
                verified.date().isoformat() if verified else "",
                service.access.value,
                service.cost.value,
                provider.opening_hours or "",
                " ".join(provider.languages),
                "true" if provider.accepting_referrals else "false",
                provider.verification,
                provider.modality.value,
                "true" if provider.is_restricted else "false",
                provider.source or "",
                provider.licence or "",
            ]
            table.append(values)
    return table


def to_csv(table: list[list[str]]) -> str:
    """The table as CSV text (RFC 4180, CRLF line ends)."""
    out = io.StringIO()
    csv.writer(out).writerows(table)
    return out.getvalue()
