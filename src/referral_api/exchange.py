"""Use cases of the exchange formats: HXL and the HSDS tabular data package."""

from __future__ import annotations

from sqlalchemy.orm import Session

from referral_api.db import repository
from referral_api.interop import hxl


def hxl_export(*, session: Session) -> str:
    """The public directory as HXL-tagged CSV: what anyone may publish on HDX."""
    areas = repository.list_admin_areas(session=session, level=None, parent_pcode=None)
    table = hxl.rows(
        repository.list_organizations(session=session),
        repository.all_providers(session=session),
        {area.pcode: area.name for area in areas},
    )
    return hxl.to_csv(table)
