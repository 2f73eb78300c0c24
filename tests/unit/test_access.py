import dataclasses
import uuid

import pytest

from referral_api.domain.access import ANONYMOUS, Viewer, as_seen_by, seen
from referral_api.domain.model import (
    AdminCodes,
    Modality,
    Provider,
    Service,
    ServiceArea,
    Visibility,
)

SAFE_HOUSE = Provider(
    id=uuid.UUID(int=7),
    organization_id="shelter-org",
    name="Safe house",
    modality=Modality.STATIC,
    services=(Service("safety.shelter"),),
    lon=18.55,
    lat=4.37,
    address="Rue confidentielle",
    admin=AdminCodes(adm1="CF71", adm2="CF711", adm3="CF7117", cod_version="201506"),
    service_area=ServiceArea(radius_km=5.0, pcodes=("CF71",)),
    visibility=Visibility.RESTRICTED,
)
PUBLIC_CLINIC = dataclasses.replace(SAFE_HOUSE, visibility=Visibility.PUBLIC)


@pytest.mark.parametrize(
    ("viewer", "provider", "may_locate"),
    [
        (ANONYMOUS, SAFE_HOUSE, False),
        (Viewer(organization_id="other-org"), SAFE_HOUSE, False),
        (Viewer(organization_id="shelter-org"), SAFE_HOUSE, True),
        (Viewer(is_admin=True), SAFE_HOUSE, True),
        (ANONYMOUS, PUBLIC_CLINIC, True),
        (Viewer(organization_id="other-org"), PUBLIC_CLINIC, True),
    ],
)
def test_only_the_owner_and_admins_may_locate_a_restricted_provider(viewer, provider, may_locate):
    assert viewer.may_locate(provider) is may_locate


def test_what_is_withheld_is_everything_that_would_locate_it():
    seen = as_seen_by(ANONYMOUS, SAFE_HOUSE)
    assert (seen.lon, seen.lat, seen.address) == (None, None, None)
    # A cell of the public grid may straddle admin units of any level, so none is shown;
    # nor the served P-codes, which search counts no finer than adm2.
    assert seen.admin == AdminCodes(cod_version="201506")
    assert seen.service_area == ServiceArea()
    assert seen.name == SAFE_HOUSE.name
    assert seen.contacts == SAFE_HOUSE.contacts


def test_entitled_viewers_see_the_entry_unchanged():
    assert as_seen_by(Viewer(organization_id="shelter-org"), SAFE_HOUSE) is SAFE_HOUSE
    assert as_seen_by(ANONYMOUS, PUBLIC_CLINIC) is PUBLIC_CLINIC


@pytest.mark.parametrize(
    ("viewer", "provider", "withheld"),
    [
        (ANONYMOUS, SAFE_HOUSE, True),
        (Viewer(organization_id="other-org"), SAFE_HOUSE, True),
        (Viewer(organization_id="shelter-org"), SAFE_HOUSE, False),
        (Viewer(is_admin=True), SAFE_HOUSE, False),
        (ANONYMOUS, PUBLIC_CLINIC, False),
    ],
)
def test_seen_is_the_projection_and_says_so(viewer, provider, withheld):
    shown = seen(viewer, provider)
    assert shown.location_withheld is withheld
    assert shown.provider == as_seen_by(viewer, provider)
    assert (shown.provider.address is None) is withheld
