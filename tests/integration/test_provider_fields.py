"""Every field of a provider survives every shape it takes: storage, documents, responses.

A field forgotten in one mapping would otherwise be caught only where the sample sets it.
The entry below sets every field, its services' and its groups' included, to a value other
than its default, and the first test fails as soon as the domain model grows a field it
does not set.
"""

import dataclasses
import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from referral_api.api.schemas import ProviderOut
from referral_api.db import repository
from referral_api.db.tables import ProviderRow, ServiceRow
from referral_api.documents import (
    ProviderDocument,
    ProviderFeature,
    ProviderProperties,
    ServiceDocument,
)
from referral_api.domain.access import Viewer
from referral_api.domain.model import (
    Access,
    AdminCodes,
    Contacts,
    Cost,
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
from referral_api.interop.geojson import parse_directory, provider_feature, read_json

MOMENT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
# What storage owns: set by the server on each write, not carried by documents.
STORED = ("revision", "created_at", "updated_at")
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[18.5, 4.3], [18.6, 4.3], [18.6, 4.4], [18.5, 4.4], [18.5, 4.3]]],
}
EVERY_FIELD = Provider(
    id=uuid.UUID(int=42),
    organization_id="femmes-debout",
    name="Maison d'accueil",
    modality=Modality.MOBILE,
    services=(
        Service(
            "safety.shelter",
            eligibility=Eligibility(
                sexes=(Sex.FEMALE, Sex.INTERSEX),
                min_age=12,
                max_age=60,
                child_friendly=True,
                population_groups=("idp",),
            ),
            cost=Cost.FEE,
            access=Access.CALL_FIRST,
            capabilities=("shelter_night",),
            notes={"fr": "Appeler avant", "en": "Call first"},
        ),
        Service("case_management"),
    ),
    description={"fr": "Accueil", "en": "Shelter"},
    lon=18.55,
    lat=4.37,
    address="Rue 12",
    admin=AdminCodes(adm1="CF71", adm2="CF711", adm3="CF7113", cod_version="201506"),
    service_area=ServiceArea(geometry=SQUARE, radius_km=3.0, pcodes=("CF7113",)),
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


def _unset_fields(value: Any, path: str) -> list[str]:
    """The fields of a domain value, and of the values it holds, left at their default."""
    unset = []
    for field in dataclasses.fields(value):
        held = getattr(value, field.name)
        if field.default is not dataclasses.MISSING:
            default = field.default
        elif field.default_factory is not dataclasses.MISSING:
            default = field.default_factory()
        else:
            default = None  # required: any value but an empty one
        if held == default or held in ("", ()):
            unset.append(f"{path}.{field.name}")
        for item in held if isinstance(held, tuple) else (held,):
            if dataclasses.is_dataclass(item):
                unset += _unset_fields(item, f"{path}.{field.name}")
    return unset


def test_the_entry_sets_every_field_of_the_model():
    # The second service is there to be told apart from the first; it may keep defaults.
    first = dataclasses.replace(EVERY_FIELD, services=EVERY_FIELD.services[:1])
    assert _unset_fields(first, "provider") == []
    assert _unset_fields(DEFAULT, "provider")  # the check sees a default when there is one


def test_documents_carry_every_field():
    document = ProviderDocument.of_provider(EVERY_FIELD)
    stored = {name: getattr(EVERY_FIELD, name) for name in STORED}
    assert document.to_provider(EVERY_FIELD.id, **stored) == EVERY_FIELD
    # As JSON: the change feed's before and after, a PATCH merged over the stored entry.
    again = ProviderDocument.model_validate(json.loads(document.model_dump_json()))
    assert again.to_provider(EVERY_FIELD.id, **stored) == EVERY_FIELD
    for service in EVERY_FIELD.services:
        assert ServiceDocument.of(service).to_domain() == service


def test_an_undeclared_area_is_no_area_in_documents():
    provider = dataclasses.replace(EVERY_FIELD, service_area=ServiceArea())
    document = ProviderDocument.of_provider(provider)
    assert document.service_area is None
    assert document.to_provider(provider.id, revision=7, created_at=MOMENT, updated_at=MOMENT) == (
        provider
    )


def test_responses_and_features_show_every_field():
    shown = ProviderOut.seen_by(Viewer(is_admin=True), EVERY_FIELD)
    located = {"id", "lon", "lat"}
    for field in dataclasses.fields(Provider):
        if field.name not in located:
            assert field.name in ProviderOut.model_fields, field.name
    assert (shown.location.lon, shown.location.lat) == (EVERY_FIELD.lon, EVERY_FIELD.lat)
    assert (shown.id, shown.revision, shown.created_at, shown.updated_at) == (
        EVERY_FIELD.id,
        EVERY_FIELD.revision,
        EVERY_FIELD.created_at,
        EVERY_FIELD.updated_at,
    )
    rebuilt = ProviderProperties(**shown.model_dump(include=set(ProviderProperties.model_fields)))
    assert rebuilt.to_domain(EVERY_FIELD.id, EVERY_FIELD.lon, EVERY_FIELD.lat) == _without_stored(
        EVERY_FIELD
    )
    feature = ProviderFeature.model_validate(json.loads(json.dumps(provider_feature(EVERY_FIELD))))
    assert set(feature.properties.model_fields_set) == set(ProviderProperties.model_fields)
    lon, lat = feature.geometry.coordinates
    assert feature.properties.to_domain(feature.id, lon, lat) == _without_stored(EVERY_FIELD)


def _store(session, *, stored_already: bool) -> None:
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


def _columns_left_empty(session) -> list[str]:
    """The columns of the stored provider and its first service that nothing filled."""
    rows = (
        (ProviderRow, ProviderRow.id == EVERY_FIELD.id, {"deleted_at"}),  # cleared by storage
        (ServiceRow, ServiceRow.position == 0, set()),
    )
    empty = []
    for table, which, cleared in rows:
        columns = table.__table__.columns  # type: ignore[attr-defined]
        row = session.execute(select(*columns).where(which)).mappings().one()
        empty += [
            f"{table.__tablename__}.{name}"
            for name, value in row.items()
            if name not in cleared and value in (None, "", [], {})
        ]
    return empty


@pytest.mark.parametrize("stored_already", [False, True], ids=["insert", "update"])
def test_storage_keeps_every_field(session, stored_already):
    _store(session, stored_already=stored_already)
    assert _columns_left_empty(session) == []
    read = repository.get_provider(session=session, provider_id=EVERY_FIELD.id)
    assert read is not None
    assert _without_stored(read) == _without_stored(EVERY_FIELD)
    # The snapshot's read of the whole directory decodes the same columns its own way.
    (snapshot,) = repository.all_providers(session=session)
    assert snapshot == read


def test_a_conditional_update_keeps_every_field(session):
    _store(session, stored_already=False)
    current = repository.get_provider(session=session, provider_id=EVERY_FIELD.id)
    assert current is not None
    changed = dataclasses.replace(EVERY_FIELD, services=EVERY_FIELD.services[::-1])
    revision = repository.update_provider_if(
        session=session, provider=changed, expected_revision=current.revision
    )
    session.commit()
    assert revision == current.revision + 1
    read = repository.get_provider(session=session, provider_id=EVERY_FIELD.id)
    assert read is not None
    assert _without_stored(read) == _without_stored(changed)


def _stored_rows(session) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The provider's and its services' columns as the database holds them."""
    provider = session.execute(select(*ProviderRow.__table__.columns)).mappings().one()
    services = session.execute(
        select(*ServiceRow.__table__.columns).order_by(ServiceRow.position)
    ).mappings()
    return (
        {name: value for name, value in provider.items() if name not in {"revision", "updated_at"}},
        [{name: value for name, value in row.items() if name != "id"} for row in services],
    )


def test_the_bulk_insert_stores_every_column_as_the_orm_does(session):
    # The load writes rows through the driver, with each column's conversion applied by
    # hand; an update writes them through SQLAlchemy. Both must leave the same values.
    _store(session, stored_already=False)
    inserted = _stored_rows(session)
    current = repository.get_provider(session=session, provider_id=EVERY_FIELD.id)
    assert current is not None
    repository.update_provider_if(
        session=session, provider=EVERY_FIELD, expected_revision=current.revision
    )
    session.commit()
    assert _stored_rows(session) == inserted


def test_a_bulk_insert_refused_by_the_database_is_sqlalchemy_s_error_without_values(session):
    # No organization is stored: the foreign key refuses the row. The error must be the
    # kind every other statement raises, and must not show the provider's coordinates.
    with pytest.raises(IntegrityError) as refused:
        repository.insert_providers(session=session, providers=[EVERY_FIELD])
    assert str(EVERY_FIELD.lat) not in str(refused.value)
    assert EVERY_FIELD.name not in str(refused.value)


@pytest.mark.parametrize("url", ["sqlite://", "postgresql+psycopg://nobody@localhost/none"])
def test_rows_made_with_remembered_conversions_are_those_made_afresh(url):
    # A load converts a repeated value once: the rows it makes of a run of providers, with
    # values repeated and not, equal the rows of each made with nothing remembered.
    from referral_api.db.engine import make_engine
    from tests.conftest import SAMPLE_PATH

    dialect = make_engine(url).dialect  # never connected: the dialect alone converts
    sample = parse_directory(read_json(SAMPLE_PATH))[1]
    # The same moment in another zone, and -0.0 beside 0.0: equal keys, remembered once.
    elsewhere = MOMENT.astimezone(timezone(timedelta(hours=1)))
    run = [
        *sample,
        EVERY_FIELD,
        *sample,
        dataclasses.replace(EVERY_FIELD, created_at=None, last_verified_at=elsewhere),
        dataclasses.replace(EVERY_FIELD, lon=0.0, lat=-0.0),
        dataclasses.replace(EVERY_FIELD, lon=-0.0, lat=0.0),
    ]
    remembering = repository.NewRows(dialect, MOMENT)
    remembered = [remembering(provider) for provider in run]
    afresh = [repository.NewRows(dialect, MOMENT)(provider) for provider in run]
    assert _driver_values(remembered) == _driver_values(afresh)


def _driver_values(value):
    """Values as compared: psycopg's JSON wrapper compares by identity, its value by value."""
    if isinstance(value, tuple | list):
        return [_driver_values(item) for item in value]
    return ("json", value.obj) if type(value).__name__ == "Json" else value
