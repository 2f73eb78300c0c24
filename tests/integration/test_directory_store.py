import dataclasses
import uuid

import pytest
from sqlalchemy import func, select

from referral_api import operations
from referral_api.db import repository
from referral_api.db.tables import ProviderRow
from referral_api.domain.access import ANONYMOUS, Viewer
from referral_api.domain.directory import Sketch
from referral_api.domain.errors import InvalidInputError
from referral_api.domain.geometry import BBox
from referral_api.domain.model import Status
from referral_api.domain.queries import ProviderQuery
from referral_api.interop.geojson import parse_admin_areas, parse_directory, read_json
from tests.conftest import AREAS_PATH, SAFE_HOUSE_ID, sample_document


@pytest.fixture
def loaded(session):
    organizations, providers = parse_directory(sample_document())
    areas = parse_admin_areas(read_json(AREAS_PATH))
    operations.load_directory(
        session=session, organizations=organizations, providers=providers, areas=areas
    )
    return session


def ids(providers):
    return {str(provider.id) for provider in providers}


def find(session, viewer=ANONYMOUS, **filters):
    return repository.find_providers(
        session=session, query=ProviderQuery(**filters), viewer=viewer, after=None, limit=500
    )


def test_load_then_export_gives_back_every_field(loaded):
    document = sample_document()
    exported = operations.export_directory(session=loaded)

    def by_id(parsed):
        organizations, providers = parsed
        return sorted(organizations, key=lambda o: o.id), sorted(providers, key=lambda p: p.id)

    assert by_id(parse_directory(exported)) == by_id(parse_directory(document))
    assert repository.current_revision(session=loaded) == 1


def test_loading_again_replaces_entries_instead_of_duplicating_them(loaded):
    organizations, providers = parse_directory(sample_document())
    report = operations.load_directory(
        session=loaded, organizations=organizations, providers=providers
    )
    assert report.revision == 2
    assert loaded.scalar(select(func.count()).select_from(ProviderRow)) == len(providers)
    assert all(p.revision == 2 for p in repository.all_providers(session=loaded))


def test_a_load_naming_an_unknown_organization_writes_nothing(session):
    organizations, providers = parse_directory(sample_document())
    stray = dataclasses.replace(providers[7], id=uuid.uuid4(), organization_id="no-such-org")
    with pytest.raises(InvalidInputError, match="organization") as caught:
        operations.load_directory(
            session=session, organizations=organizations, providers=[*providers, stray]
        )
    assert caught.value.problems[0].location == (
        "features",
        len(providers),
        "properties",
        "organization_id",
    )
    assert not repository.has_providers(session=session)
    assert repository.list_organizations(session=session) == []


@pytest.mark.parametrize(
    ("need", "must_include", "must_exclude"),
    [
        ("medical", {"medical.pep", "medical.ec", "medical.general"}, {"legal.aid"}),
        ("medical.pep", {"medical.pep"}, {"legal.aid", "case_management"}),
        ("legal", {"legal.aid", "legal.police", "legal.justice"}, {"medical.pep"}),
    ],
)
def test_need_filter_matches_a_sector_and_its_sub_codes(loaded, need, must_include, must_exclude):
    found = find(loaded, need=need)
    offered = {service.need for provider in found for service in provider.services}
    assert must_include <= offered
    for provider in found:
        assert any(s.need == need or s.need.startswith(need + ".") for s in provider.services)
    assert all(not set(p.need_codes) <= must_exclude for p in found)


def test_pcode_filter_works_at_every_level(loaded):
    bangui = find(loaded, pcode="CF71")
    city = find(loaded, pcode="CF711")
    third = find(loaded, pcode="CF7113")
    assert ids(bangui) == ids(city)
    assert ids(third) < ids(bangui)
    assert all(p.admin.adm3 == "CF7113" for p in third)
    assert find(loaded, pcode="CF9999") == []


def test_bbox_and_status_filters(loaded):
    box = BBox(18.55, 4.36, 18.58, 4.38)
    inside = find(loaded, bbox=box)
    assert inside and all(box.contains(p.lon, p.lat) for p in inside)
    closed = find(loaded, status=Status.TEMPORARILY_CLOSED)
    assert [p.name for p in closed] == ["Centre de santé Saint Luc"]


def test_location_filters_never_find_a_safe_house_for_those_who_may_not_locate_it(loaded):
    safe_house = repository.get_provider(session=loaded, provider_id=uuid.UUID(SAFE_HOUSE_ID))
    assert safe_house is not None and safe_house.lon is not None
    tight = BBox(
        safe_house.lon - 1e-4, safe_house.lat - 1e-4, safe_house.lon + 1e-4, safe_house.lat + 1e-4
    )
    adm3 = safe_house.admin.adm3
    assert SAFE_HOUSE_ID not in ids(find(loaded, bbox=tight))
    assert SAFE_HOUSE_ID not in ids(find(loaded, pcode=adm3))
    assert SAFE_HOUSE_ID not in ids(find(loaded, Viewer(organization_id="other"), bbox=tight))
    owner = Viewer(organization_id=safe_house.organization_id)
    assert SAFE_HOUSE_ID in ids(find(loaded, owner, bbox=tight))
    assert SAFE_HOUSE_ID in ids(find(loaded, Viewer(is_admin=True), pcode=adm3))
    # Nor an area of any level: its grid cell straddles Bangui (CF71) and Bimbo (CF11).
    for pcode in ("CF71", "CF711", "CF11"):
        assert SAFE_HOUSE_ID not in ids(find(loaded, pcode=pcode))
    assert SAFE_HOUSE_ID in ids(find(loaded, owner, pcode="CF71"))


def test_pagination_visits_every_provider_exactly_once(loaded):
    seen: list[str] = []
    cursor = None
    while True:
        page = operations.list_providers(
            session=loaded, query=ProviderQuery(), viewer=ANONYMOUS, cursor=cursor, limit=7
        )
        seen += [str(p.id) for p in page.providers]
        assert page.total == 55
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == 55


def test_a_forged_cursor_is_invalid_input(loaded):
    with pytest.raises(InvalidInputError, match="cursor"):
        operations.list_providers(
            session=loaded, query=ProviderQuery(), viewer=ANONYMOUS, cursor="!!!", limit=5
        )


def test_admin_areas_filter_by_level_and_parent(loaded):
    arrondissements = operations.list_admin_areas(session=loaded, level=3, parent_pcode="CF711")
    assert [a.pcode for a in arrondissements] == [f"CF711{i}" for i in range(1, 9)]
    assert operations.get_admin_area(session=loaded, pcode="CF7113").name == "Arrondissement 3"


def test_an_expired_idempotency_key_can_be_claimed_again(loaded):
    from datetime import timedelta

    def claim(key_id, key, request_hash, lease=timedelta(hours=24)):
        return repository.claim_idempotency_key(
            session=loaded,
            key_id=key_id,
            idempotency_key=key,
            request_hash=request_hash,
            claim=f"{key_id}-{request_hash}",
            lease=lease,
        )

    assert claim("k1", "x", "a") is None
    seen = claim("k1", "x", "b")
    assert seen is not None and seen.request_hash == "a" and seen.status_code is None
    assert claim("k2", "x", "b") is None
    assert claim("k3", "y", "a", lease=timedelta(seconds=-1)) is None
    assert claim("k3", "y", "c") is None


def test_an_unanswered_claim_lapses_with_its_lease_and_cannot_answer_after(loaded):
    from datetime import timedelta

    def claim(claim, lease):
        return repository.claim_idempotency_key(
            session=loaded,
            key_id="k1",
            idempotency_key="x",
            request_hash="same body",
            claim=claim,
            lease=lease,
        )

    def answer(claim):
        answered = repository.record_idempotent_answer(
            session=loaded,
            key_id="k1",
            idempotency_key="x",
            claim=claim,
            status_code=201,
            response={"claim": claim},
            ttl=timedelta(hours=24),
        )
        loaded.commit()
        return answered

    assert claim("crashed", timedelta(seconds=-1)) is None  # its process died at once
    assert claim("retry", timedelta(seconds=30)) is None
    assert not answer("crashed")  # had it only been slow, it may not answer now
    busy = claim("duplicate", timedelta(seconds=30))
    assert busy is not None and busy.response is None  # the retry's lease is live
    assert answer("retry")
    replayed = claim("later", timedelta(seconds=30))
    assert replayed is not None and replayed.response == {"claim": "retry"}
    # Once answered, the record lasts the replay window, not the lease.
    repository.release_idempotency_key(
        session=loaded, key_id="k1", idempotency_key="x", claim="retry"
    )
    assert claim("again", timedelta(seconds=-1)) is not None


def test_the_snapshot_read_gives_each_live_provider_its_own_services(loaded):
    # Providers and services are read side by side: a deleted provider between live ones
    # must take its services with it, and no live one may take another's.
    everyone = sorted(repository.all_providers(session=loaded), key=lambda p: str(p.id))
    for gone in everyone[1::3]:
        repository.set_deleted_if(
            session=loaded, provider_id=gone.id, expected_revision=None, deleted=True
        )
    loaded.commit()
    stored, _ = repository.stored_providers(session=loaded)
    live = [repository.get_provider(session=loaded, provider_id=p.id) for p in everyone]
    expected = sorted((p for p in live if p is not None), key=lambda p: p.id)
    assert len(expected) == len(everyone) - len(everyone[1::3])
    assert [stored.provider(row) for row in range(len(stored.sketches))] == expected
    assert list(stored.sketches) == [Sketch.of(provider) for provider in expected]
