"""Every field of a provider survives every shape it takes: storage, documents, responses.

A field forgotten in one mapping would otherwise be caught only where the sample sets it.
The entry below sets every field to a value other than its default, and the first test
fails as soon as the domain model grows a field it does not set.
"""

import dataclasses
import uuid
from datetime import UTC, date, datetime

import pytest

from referral_api.api.schemas import ProviderOut
from referral_api.db import repository
from referral_api.documents import ProviderDocument, ProviderProperties
from referral_api.domain.access import Viewer
from referral_api.domain.model import (
    AdminCodes,
    Contacts,
    Eligibility,
    Modality,
    Organization,
    OrganizationKind,
    Provider,
    Service,
    ServiceArea,
    Sex,
    Status,
    Visibility,
)
from referral_api.interop.geojson import provider_feature

MOMENT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
# What storage owns: set by the server on each write, not carried by documents.
STORED = ("revision", "created_at", "updated_at")
EVERY_FIELD = Provider(
    id=uuid.UUID(int=42),
    organization_id="femmes-debout",
    name="Maison d'accueil",
    modality=Modality.MOBILE,
    services=(
        Service(
            "safety.shelter",
            eligibility=Eligibility(sexes=(Sex.FEMALE,), min_age=12, max_age=60),
        ),
    ),
    description={"fr": "Accueil", "en": "Shelter"},
    lon=18.55,
    lat=4.37,
    address="Rue 12",
    admin=AdminCodes(adm1="CF71", adm2="CF711", adm3="CF7113", cod_version="201506"),
    service_area=ServiceArea(radius_km=3.0, pcodes=("CF7113",)),
    contacts=Contacts(phones=("+23672000000",), email="a@example.org", focal_point_role="VBG"),
    opening_hours="Mo-Fr 08:00-16:00",
    timezone="UTC",
    languages=("fr", "sg"),
    accessibility=("wheelchair",),
    status=Status.TEMPORARILY_CLOSED,
    status_reason="works",
    status_until=date(2027, 1, 1),
    accepting_referrals=False,
    visibility=Visibility.RESTRICTED,
    last_verified_at=MOMENT,
    last_verified_by="femmes-debout",
    verification="sample",
    source="test",
    licence="ODbL 1.0",
    revision=7,
    created_at=MOMENT,
    updated_at=MOMENT,
)
DEFAULT = Provider(
    id=uuid.UUID(int=0), organization_id="", name="", modality=Modality.STATIC, services=()
)


def _without_stored(provider: Provider) -> Provider:
    defaults = {name: getattr(DEFAULT, name) for name in STORED}
    return dataclasses.replace(provider, **defaults)


def test_the_entry_sets_every_field_of_the_model():
    for field in dataclasses.fields(Provider):
        assert getattr(EVERY_FIELD, field.name) != getattr(DEFAULT, field.name), field.name


def test_documents_carry_every_field():
    document = ProviderDocument.of_provider(EVERY_FIELD)
    stored = {name: getattr(EVERY_FIELD, name) for name in STORED}
    assert document.to_provider(EVERY_FIELD.id, **stored) == EVERY_FIELD


def test_responses_and_features_show_every_field():
    shown = ProviderOut.seen_by(Viewer(is_admin=True), EVERY_FIELD)
    located = {"id", "lon", "lat"}
    for field in dataclasses.fields(Provider):
        if field.name not in located:
            assert field.name in ProviderOut.model_fields, field.name
    assert (shown.location.lon, shown.location.lat) == (EVERY_FIELD.lon, EVERY_FIELD.lat)
    rebuilt = ProviderProperties(**shown.model_dump(include=set(ProviderProperties.model_fields)))
    assert rebuilt.to_domain(EVERY_FIELD.id, EVERY_FIELD.lon, EVERY_FIELD.lat) == _without_stored(
        EVERY_FIELD
    )
    properties = provider_feature(EVERY_FIELD)["properties"]
    assert set(properties) == set(ProviderProperties.model_fields)


@pytest.mark.parametrize("stored_already", [False, True], ids=["insert", "update"])
def test_storage_keeps_every_field(session, stored_already):
    repository.save_organization(
        session=session,
        organization=Organization(
            id="femmes-debout", name="Femmes Debout", kind=OrganizationKind.NGO
        ),
    )
    if stored_already:
        repository.insert_providers(
            session=session, providers=[dataclasses.replace(EVERY_FIELD, name="x", services=())]
        )
        session.commit()
    repository.upsert_provider(session=session, provider=EVERY_FIELD)
    session.commit()
    read = repository.get_provider(session=session, provider_id=EVERY_FIELD.id)
    assert read is not None
    assert _without_stored(read) == _without_stored(EVERY_FIELD)
