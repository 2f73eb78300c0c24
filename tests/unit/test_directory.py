"""The index finds every entry that may cover a place, measured exactly as brute force does."""

import math
import threading
from dataclasses import replace
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from referral_api.domain.directory import (
    DirectoryIndex,
    Entry,
    Sketch,
    StoredProviders,
    Unplaced,
    _entry,
    _placement,
    _SharedSets,
    placed_new,
)
from referral_api.domain.gazetteer import Place
from referral_api.domain.geometry import distance_km
from referral_api.domain.model import Access, Cost, Eligibility, Modality, Service, Visibility
from referral_api.domain.projection import cell_of
from tests.unit.builders import (
    GAZETTEER,
    ServiceArea,
    index_of,
    placement_differences,
    provider,
    square,
)

PCODES = ["CF71", "CF711", "CF7113", "CF7114", "CF11"]
lons, lats = st.floats(18.2, 19.0), st.floats(4.0, 4.8)


@st.composite
def providers(draw, key):
    kind = draw(st.sampled_from(["point", "radius", "polygon", "pcodes", "hotline"]))
    restricted = kind != "polygon" and draw(st.booleans())
    at = None if kind == "hotline" else (draw(lons), draw(lats))
    area = ServiceArea()
    if kind == "radius":
        area = ServiceArea(radius_km=draw(st.floats(0.5, 80)))
    elif kind == "polygon":
        west, south = draw(lons), draw(lats)
        side = draw(st.floats(0.01, 0.4))
        area = ServiceArea(geometry=square(west, south, west + side, south + side))
    elif kind in ("pcodes", "hotline"):
        area = ServiceArea(pcodes=tuple(draw(st.lists(st.sampled_from(PCODES), min_size=1))))
    return provider(
        key,
        ("case_management",),
        at=at,
        service_area=area,
        modality=Modality.REMOTE if at is None else Modality.STATIC,
        visibility=Visibility.RESTRICTED if restricted else Visibility.PUBLIC,
    )


@st.composite
def directories(draw):
    """A directory built from some providers, then changed by a write: some added after the
    build, some of the build changed or removed."""
    built = [draw(providers(f"p{n}")) for n in range(draw(st.integers(0, 25)))]
    added = [draw(providers(f"new{n}")) for n in range(draw(st.integers(0, 5)))]
    index = index_of(*built)
    if not added and not draw(st.booleans()):
        return index
    removed = [str(p.id) for p in built if draw(st.integers(0, 4)) == 0]
    return index.with_changes(added, removed, revision=1, last_sequence=1)


places = st.one_of(
    st.builds(GAZETTEER.at_point, lons, lats),
    st.builds(GAZETTEER.at_pcode, st.sampled_from(PCODES)),
)


def may_cover(entry: Entry, distance: float | None, origin: Place, reach_km: float) -> bool:
    """Whether ranking could find the entry to cover the place, from its declared area."""
    area = entry.provider.service_area
    spot = origin.area if origin.area is not None else Point(origin.lon, origin.lat)
    if entry.area_pcodes & set(origin.pcodes):
        return True
    if origin.area is not None and origin.pcodes and origin.pcodes[0] in entry.area_ancestors:
        return True
    if entry.area_shape is not None and entry.area_shape.intersects(spot):
        return True
    if entry.public_area is not None:
        cells = origin.footprint
        if cell_of(origin.lon, origin.lat) in entry.public_area:
            return True
        if cells is not None and cells.meets(entry.public_area):
            return True
    if distance is None:
        return False
    if area.radius_km is not None and distance <= area.radius_km:
        return True
    return not entry.has_declared_area and distance <= reach_km


def everything(index: DirectoryIndex, place: Place, public: Place) -> dict[int, float | None]:
    nearby = index.everywhere(place, public)
    return {index.by_id[entry.id_text]: distance for entry, distance in index.entries_of(nearby)}


@settings(max_examples=150, deadline=None)
@given(directories(), places, st.sampled_from([2.0, 15.0, 50.0]))
def test_candidates_are_each_once_every_entry_that_may_cover_the_place(index, place, reach):
    public = index.public_view(place)
    nearby = index.candidates(place, public, reach)
    rows = nearby.rows.tolist()
    assert rows == sorted(set(rows))
    every = everything(index, place, public)
    assert set(rows) <= set(every)  # no removed entry
    for row, distance in zip(rows, nearby.distances.tolist(), strict=True):
        expected = every[row]
        # The same figures as brute force, to the last bit: ranking compares them with
        # limits and with each other.
        assert (math.isnan(distance) and expected is None) or distance == expected
    for row, distance in every.items():
        entry = index.entries[row]
        origin = public if entry.confidential else place
        if may_cover(entry, distance, origin, reach):
            assert row in rows, (entry.provider.name, distance)


def test_a_confidential_entry_is_measured_from_the_public_view_alone():
    # Both in one cell of the public grid: the safe house is as far as the cells' centres.
    here, there = (18.5612, 4.3777), (18.565, 4.379)
    safe_house = provider("safe-house", at=there, visibility=Visibility.RESTRICTED)
    index = index_of(safe_house, provider("clinic", at=there))
    place = GAZETTEER.at_point(*here)
    nearby = index.candidates(place, index.public_view(place), 50.0)
    found = {entry.provider.name: distance for entry, distance in index.entries_of(nearby)}
    assert found == {"safe-house": 0.0, "clinic": distance_km(*here, *there)}


def test_an_entry_at_the_edge_of_reach_is_a_candidate_from_the_right_view():
    # The safe house is within reach of the place's public view (its cell's centre) and
    # not of the place; the clinic is just within reach of the place, which the drop of
    # entries beyond reach must keep.
    safe_house = provider("safe-house", at=(18.575, 4.375), visibility=Visibility.RESTRICTED)
    place = GAZETTEER.at_point(18.114, 4.375)
    clinic = provider("clinic", at=(18.114, 4.375), km_east=49.9)
    index = index_of(safe_house, clinic)
    public = index.public_view(place)
    assert distance_km(place.lon, place.lat, 18.575, 4.375) > 50.0
    assert distance_km(public.lon, public.lat, 18.575, 4.375) <= 50.0
    nearby = index.candidates(place, public, 50.0)
    assert {entry.provider.name for entry, _ in index.entries_of(nearby)} == {
        "safe-house",
        "clinic",
    }


@st.composite
def any_providers(draw, key):
    """Providers of every modality and mix of needs (safe entry points among them)."""
    base = draw(providers(key))
    needs = draw(
        st.lists(
            st.sampled_from(["case_management", "psychosocial.pss", "medical.pep", "legal.aid"]),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    modality = draw(st.sampled_from(list(Modality))) if base.lon is not None else base.modality
    return replace(base, services=tuple(Service(need) for need in needs), modality=modality)


def comparable(placed):
    return placed._replace(
        values=tuple("nan" if isinstance(v, float) and math.isnan(v) else v for v in placed.values)
    )


@settings(max_examples=200, deadline=None)
@given(any_providers("p"))
def test_a_sketch_places_a_public_provider_where_its_entry_would(provider_):
    # A build places public providers from their sketches and makes their entries later:
    # the two must agree, or a search would miss the provider the index placed wrongly.
    shared = _SharedSets()
    entry = _entry(provider_, GAZETTEER, shared)
    sketch = Sketch.of(provider_)
    from_entry = _placement(entry, sketch, GAZETTEER, shared, 50.0)
    if not entry.confidential:
        assert comparable(_placement(None, sketch, GAZETTEER, shared, 50.0)) == comparable(
            from_entry
        )
    lazy = DirectoryIndex([provider_], GAZETTEER, max_distance_km=50.0)
    assert lazy.entries[0] == entry


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 30).flatmap(lambda n: st.tuples(*(any_providers(f"p{k}") for k in range(n)))))
def test_providers_placed_where_they_were_read_are_placed_as_a_build_places_them(drawn):
    # A load places what it reads, in its workers, but for the gazetteer it completes at
    # the end; a server then maps that placement. Placed otherwise, a search would miss a
    # provider, or find a safe house by its exact point rather than its projection.
    placing = [
        provider_
        if provider_.is_restricted
        else Unplaced._make(tuple(Unplaced.of(Sketch.of(provider_))))
        for provider_ in drawn
    ]
    ids = [provider_.id.bytes for provider_ in drawn]
    made = placed_new(ids, placing, GAZETTEER, max_distance_km=50.0)
    built = DirectoryIndex(list(drawn), GAZETTEER, max_distance_km=50.0).placement
    assert placement_differences(made, built) == []


def test_a_confidential_sketch_is_never_placed_where_it_is():
    safe_house = provider("safe", ("safety.shelter",), visibility=Visibility.RESTRICTED)
    with pytest.raises(ValueError, match="projection"):
        Unplaced.of(Sketch.of(safe_house))


services_drawn = st.lists(
    st.builds(
        Service,
        need=st.sampled_from(["medical.pep", "psychosocial", "legal.police", "case_management"]),
        eligibility=st.sampled_from([Eligibility(), Eligibility(min_age=18)]),
        cost=st.sampled_from(list(Cost)),
        access=st.sampled_from(list(Access)),
        capabilities=st.lists(st.sampled_from(["pep", "ec", "cmr"]), max_size=2).map(tuple),
    ),
    max_size=4,
)
languages_drawn = st.lists(st.sampled_from(["fr", "sg", "ar"]), max_size=3, unique=True)


@settings(max_examples=200, deadline=None)
@given(services_drawn, languages_drawn)
def test_an_entry_says_what_all_its_services_say_and_shares_its_sets(services, languages):
    # Made in one pass over the services, and its sets found by their tuples: each flag is
    # still what every service says, and equal sets are one object across entries.
    shared = _SharedSets()
    base = provider("a", ("case_management",))
    one, other = (
        _entry(
            replace(base, id=UUID(int=n), services=tuple(services), languages=tuple(languages)),
            GAZETTEER,
            shared,
        )
        for n in (1, 2)
    )
    assert one.unrestricted == all(s.eligibility == Eligibility() for s in services)
    assert one.all_free == all(s.cost is Cost.FREE for s in services)
    assert one.walk_in_only == all(s.access is Access.WALK_IN for s in services)
    capabilities = {c for s in services for c in s.capabilities}
    needs = {s.need for s in services}
    assert one.can_pep == ("medical.pep" in needs or "pep" in capabilities)
    assert one.can_ec == ("ec" in capabilities)
    assert one.needs == needs and one.languages == set(languages)
    for name in ("needs", "languages", "accessibility", "area_pcodes", "area_ancestors"):
        assert getattr(one, name) is getattr(other, name)
    # A set made first by a frozenset and then asked by a tuple is the same object.
    assert shared.of_tuple(tuple(reversed(languages))) is one.languages


def test_searches_reading_a_row_at_once_share_one_entry():
    # The ranking's memo knows an entry by its identity while the snapshot lives: two
    # searches making the same row's entry at the same moment must end with one of them.
    made = [provider("a", ("case_management",))]
    both = threading.Barrier(2, timeout=30)

    def slowly(row):
        both.wait()  # each thread decodes the provider before either keeps its entry
        return made[row]

    index = DirectoryIndex(
        StoredProviders([Sketch.of(made[0])], slowly), GAZETTEER, max_distance_km=50.0
    )
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(index.entries[0])) for _ in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen[0] is seen[1] is index.entries[0]


# Ids whose bytes end or start in zeros among them: numpy reads a fixed-width value back
# without its trailing zero bytes.
uuids = st.one_of(
    st.uuids(),
    st.integers(0, 2**16 - 1).map(lambda n: UUID(int=n << 112)),
    st.integers(0, 2**16).map(lambda n: UUID(int=n)),
)


@given(st.lists(uuids, unique=True, max_size=40), uuids)
def test_the_build_finds_the_row_of_every_id_and_of_no_other(ids, other):
    directory = [replace(provider(f"p{n}"), id=id_) for n, id_ in enumerate(ids)]
    index = DirectoryIndex(directory, GAZETTEER, max_distance_km=50.0)
    assert dict(index.by_id) == {str(id_): row for row, id_ in enumerate(ids)}
    assert [index.by_id[str(id_)] for id_ in ids] == list(range(len(ids)))
    if other not in ids:
        assert str(other) not in index.by_id
    assert "not an id" not in index.by_id
