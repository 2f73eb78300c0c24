"""Search learns nothing of a safe house beyond its public projection: properties.

Two claims, each over random directories and queries:
- for a directory of confidential providers (and phone lines, which have no place), two
  query points in one grid cell get the same answer, to the last digit of every score;
- for any directory and any query (point, P-code or place), moving a confidential provider
  anywhere inside its cell, and redrawing its area with the same public cells, changes
  nothing in the answer: not an option, a rank, a score, a note or an `explain` count.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import shapely
import shapely.affinity
import shapely.geometry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import shape

from referral_api.domain.directory import DirectoryIndex
from referral_api.domain.gazetteer import Gazetteer
from referral_api.domain.model import (
    AdminArea,
    AdminCodes,
    Eligibility,
    Modality,
    Provider,
    Service,
    ServiceArea,
    Sex,
    Status,
    Visibility,
)
from referral_api.domain.projection import GRID_DEGREES, cell_of, public_area
from referral_api.domain.ranking import (
    Profile,
    RankingWeights,
    SearchResult,
    TimeSinceIncident,
    search,
)
from tests.unit.builders import provider, query, square

WEIGHTS = RankingWeights()
# Admin boundaries that do not fall on the grid's lines, as real ones do not.
WEST, MID, EAST, SOUTH, NORTH = 18.4137, 18.5871, 18.7432, 4.2213, 4.4459
GAZETTEER = Gazetteer(
    (
        AdminArea("CF71", "Bangui", 1, None, 18.6, 4.4, "201506", square(18.3, 4.1, 18.9, 4.7)),
        AdminArea("CF711", "Bangui", 2, "CF71", 18.6, 4.4, "201506", square(18.3, 4.1, 18.9, 4.7)),
        AdminArea(
            "CF7113",
            "A3",
            3,
            "CF711",
            18.5,
            4.33,
            "201506",
            square(18.4137, 4.2213, 18.5871, 4.4459),
        ),
        AdminArea(
            "CF7114",
            "A4",
            3,
            "CF711",
            18.66,
            4.33,
            "201506",
            square(18.5871, 4.2213, 18.7432, 4.4459),
        ),
    )
)
NEEDS = ("medical.pep", "medical", "psychosocial", "case_management", "safety.shelter", "legal")
# Around Bangui, where the test gazetteer has areas, and a little beyond it.
LON, LAT = (18.35, 18.85), (4.15, 4.65)

coordinates = st.tuples(st.floats(*LON), st.floats(*LAT))
# Where an attacker probes: anywhere, and close to the admin boundaries, where a cell holds
# points of two areas.
near_a_boundary = st.one_of(
    st.tuples(st.sampled_from([WEST, MID, EAST]), st.floats(*LAT)),
    st.tuples(st.floats(*LON), st.sampled_from([SOUTH, NORTH])),
).flatmap(
    lambda point: st.tuples(
        st.floats(point[0] - 0.01, point[0] + 0.01), st.floats(point[1] - 0.01, point[1] + 0.01)
    )
)
probes = st.one_of(coordinates, near_a_boundary)


@st.composite
def services(draw: st.DrawFn) -> tuple[Service, ...]:
    needs = draw(st.lists(st.sampled_from(NEEDS), min_size=1, max_size=3, unique=True))
    out = []
    for need in needs:
        sexes = draw(st.sampled_from([(), (Sex.FEMALE,), (Sex.MALE,)]))
        max_age = draw(st.sampled_from([None, 17]))
        capabilities = draw(st.sampled_from([(), ("pep",), ("pep", "ec")]))
        eligibility = Eligibility(sexes=sexes, max_age=max_age)
        out.append(Service(need, eligibility=eligibility, capabilities=capabilities))
    return tuple(out)


def _rectangle(draw: st.DrawFn, around: tuple[float, float]) -> dict[str, Any]:
    lon, lat = around
    west = lon - draw(st.floats(0.001, 0.2))
    east = lon + draw(st.floats(0.001, 0.2))
    south = lat - draw(st.floats(0.001, 0.2))
    north = lat + draw(st.floats(0.001, 0.2))
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


@st.composite
def service_areas(draw: st.DrawFn, around: tuple[float, float]) -> ServiceArea:
    kind = draw(st.sampled_from(["none", "polygon", "radius", "pcodes"]))
    if kind == "polygon":
        return ServiceArea(geometry=_rectangle(draw, around))
    if kind == "radius":
        return ServiceArea(radius_km=draw(st.floats(0.2, 30.0)))
    if kind == "pcodes":
        return ServiceArea(pcodes=(draw(st.sampled_from(["CF7113", "CF7114", "CF711"])),))
    return ServiceArea()


@st.composite
def providers(draw: st.DrawFn, key: str, *, confidential: bool, located: bool) -> Provider:
    at = draw(coordinates) if located else None
    return provider(
        key,
        services=draw(services()),
        at=at,
        visibility=Visibility.RESTRICTED if confidential else Visibility.PUBLIC,
        service_area=draw(service_areas(at)) if at else ServiceArea(pcodes=("CF71",)),
        status=draw(st.sampled_from([Status.ACTIVE, Status.ACTIVE, Status.CLOSED])),
        opening_hours=draw(st.sampled_from(["24/7", "Mo-Fr 08:00-16:00", None])),
        verified_days_ago=draw(st.sampled_from([3, 200, None])),
        address="Rue 12, porte bleue" if confidential else None,
        admin=AdminCodes("CF71", "CF711", "CF7113", "201506"),
        modality=Modality.STATIC if located else Modality.REMOTE,
    )


@st.composite
def directories(draw: st.DrawFn, *, with_public_places: bool) -> list[Provider]:
    found = [
        draw(providers(f"confidential-{n}", confidential=True, located=True))
        for n in range(draw(st.integers(1, 5)))
    ]
    found += [
        draw(providers(f"line-{n}", confidential=False, located=False))
        for n in range(draw(st.integers(0, 2)))
    ]
    if with_public_places:
        found += [
            draw(providers(f"public-{n}", confidential=False, located=True))
            for n in range(draw(st.integers(0, 8)))
        ]
    return found


@st.composite
def options(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "needs": tuple(draw(st.lists(st.sampled_from(NEEDS), min_size=1, max_size=3, unique=True))),
        "profile": Profile(
            age=draw(st.sampled_from([None, 15, 30])),
            sex=draw(st.sampled_from([None, Sex.FEMALE, Sex.MALE])),
        ),
        "time_since_incident": draw(st.sampled_from(list(TimeSinceIncident))),
        "open_now": draw(st.booleans()),
        "max_distance_km": draw(st.sampled_from([None, 2.0, 7.5, 20.0])),
        "limit": draw(st.sampled_from([1, 3, 10])),
        "explain": draw(st.booleans()),
    }


def _run(directory: list[Provider], place: Any, chosen: dict[str, Any]) -> SearchResult:
    fields = dict(chosen)
    explain = fields.pop("explain")
    index = DirectoryIndex(directory, GAZETTEER, max_distance_km=WEIGHTS.max_distance_km)
    return search(index, query(place=place, **fields), WEIGHTS, explain=explain)


def _observed(result: SearchResult) -> tuple[Any, ...]:
    """Everything an answer shows, rendering aside: what a caller can compare."""

    def listed(found: Any) -> list[Any]:
        return [
            (
                option.rank,
                option.facts.entry.id_text,
                option.facts.seen.matched_needs,
                option.facts.seen.distance_km,
                option.facts.score,
                option.tier,
                option.facts.seen.hours,
                option.reasons,
                option.warnings,
                option.is_safe_entry,
            )
            for option in found
        ]

    return (
        listed(result.options),
        [(need.need, listed(need.options)) for need in result.pathway],
        listed(result.one_stop),
        listed(result.safe_entry_points),
        result.considered,
        result.exclusions,
    )


def _inside(cell: tuple[int, int], share: tuple[float, float]) -> tuple[float, float]:
    """A point of the cell, `share` of the way across it."""
    point = (cell[0] + share[0]) * GRID_DEGREES, (cell[1] + share[1]) * GRID_DEGREES
    assert cell_of(*point) == cell
    return point


# Edges of a cell are where rounding decides: a share of 0.001 is still well inside.
shares = st.tuples(st.floats(0.001, 0.999), st.floats(0.001, 0.999))
RUNS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RUNS
@given(directories(with_public_places=False), probes, shares, shares, options())
def test_two_points_of_one_cell_get_the_same_answer(directory, somewhere, first, second, chosen):
    cell = cell_of(*somewhere)
    here = GAZETTEER.at_point(*_inside(cell, first))
    there = GAZETTEER.at_point(*_inside(cell, second))
    assert _observed(_run(directory, here, chosen)) == _observed(_run(directory, there, chosen))


def _moved_with(original: Provider, offset: tuple[float, float]) -> ServiceArea:
    """The declared area moved along with the house, as a buffer drawn around it would."""
    area = original.service_area
    if area.geometry is None:
        return area
    moved = shapely.affinity.translate(shape(area.geometry), *offset)
    return replace(area, geometry=shapely.geometry.mapping(moved))


def _moved_within_cell(original: Provider, share: tuple[float, float]) -> Provider:
    assert original.lon is not None and original.lat is not None
    lon, lat = _inside(cell_of(original.lon, original.lat), share)
    return replace(
        original,
        lon=lon,
        lat=lat,
        address="Avenue 3, derrière le marché",
        admin=replace(original.admin, adm2="CF111", adm3="CF7114"),
        service_area=_moved_with(original, (lon - original.lon, lat - original.lat)),
    )


places = st.one_of(
    probes.map(lambda point: GAZETTEER.at_point(*point)),
    st.sampled_from(["CF7113", "CF7114", "CF711", "CF71"]).map(GAZETTEER.at_pcode),
)


@RUNS
@given(directories(with_public_places=True), places, st.data(), options())
def test_moving_a_safe_house_within_its_cell_changes_no_answer(directory, place, data, chosen):
    moved = [
        _moved_within_cell(entry, data.draw(shares)) if entry.is_restricted else entry
        for entry in directory
    ]
    assert _observed(_run(directory, place, chosen)) == _observed(_run(moved, place, chosen))


def _shelter(at: tuple[float, float], area: ServiceArea) -> Provider:
    return provider(
        "house", ("safety.shelter",), at=at, visibility=Visibility.RESTRICTED, service_area=area
    )


def test_the_moved_house_really_moved_and_took_its_area_along():
    house = _shelter((18.6182, 4.3808), ServiceArea(geometry=square(18.55, 4.33, 18.7, 4.43)))
    moved = _moved_within_cell(house, (0.9, 0.1))
    assert house.lon is not None and moved.lon is not None and moved.lat is not None
    assert math.dist((house.lon, house.lat), (moved.lon, moved.lat)) > 0.01
    assert moved.service_area != house.service_area
    assert shape(moved.service_area.geometry).contains(shapely.Point(moved.lon, moved.lat))
    assert public_area(moved) == public_area(house)


def test_a_house_serving_one_area_is_judged_from_the_cell_centre_not_the_point():
    # The cell (371, 84) holds points of both areas; its centre, 18.575, lies in CF7113.
    house = _shelter((18.62, 4.23), ServiceArea(pcodes=("CF711",)))
    in_cf7114, in_cf7113 = GAZETTEER.at_point(18.595, 4.23), GAZETTEER.at_point(18.56, 4.23)
    assert in_cf7114.pcodes[0] == "CF7114" and in_cf7113.pcodes[0] == "CF7113"
    assert cell_of(18.595, 4.23) == cell_of(18.56, 4.23)
    chosen = {"needs": ("safety.shelter",), "explain": True}
    answers = [_run([house], place, chosen) for place in (in_cf7114, in_cf7113)]
    assert _observed(answers[0]) == _observed(answers[1])
    assert [option.facts.entry.provider.name for option in answers[0].options] == ["house"]


def test_a_house_serving_its_arrondissement_counts_as_serving_the_city():
    # Serving CF7114 alone would say which arrondissement of a few km² the house is in.
    house = _shelter((18.62, 4.23), ServiceArea(pcodes=("CF7114",)))
    in_cf7113 = GAZETTEER.at_point(18.45, 4.43)
    result = _run([house], in_cf7113, {"needs": ("safety.shelter",), "explain": False})
    assert [option.facts.entry.provider.name for option in result.options] == ["house"]
