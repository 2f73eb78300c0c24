"""The public projection: the grid, the public area of a safe house, and what documents keep."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from referral_api.domain.directory import DirectoryIndex
from referral_api.domain.model import AdminCodes, Contacts, ServiceArea, Visibility
from referral_api.domain.projection import (
    GRID_DEGREES,
    MAX_LISTED_CELLS,
    CellArea,
    cell_of,
    centre_of,
    footprint,
    public_area,
    public_pcodes,
    public_projection,
    snap,
    withheld,
)
from tests.unit.builders import GAZETTEER, provider, square

HOUSE = (18.6182, 4.3808)  # cell (372, 87): lon 18.60-18.65, lat 4.35-4.40


def house(**fields):
    values = {
        "at": HOUSE,
        "visibility": Visibility.RESTRICTED,
        "address": "Rue 12",
        "admin": AdminCodes("CF71", "CF711", "CF7117", "201506"),
        "contacts": Contacts(phones=("+23675000000",), focal_point_role="Gestionnaire de cas"),
    }
    values.update(fields)
    return provider("house", ("safety.shelter",), **values)


@given(st.floats(-179.99, 179.99), st.floats(-89.99, 89.99))
def test_a_point_snaps_to_the_centre_of_its_own_cell(lon, lat):
    cell = cell_of(lon, lat)
    centre = snap(lon, lat)
    assert cell_of(*centre) == cell
    assert abs(centre[0] - lon) <= GRID_DEGREES / 2 + 1e-9
    assert abs(centre[1] - lat) <= GRID_DEGREES / 2 + 1e-9


def test_centres_stay_within_wgs84():
    assert centre_of(cell_of(180.0, 90.0)) == (180.0, 90.0)
    assert centre_of(cell_of(-180.0, -90.0)) == (-179.975, -89.975)


def test_a_small_radius_shows_as_the_house_cell_alone():
    own = CellArea((372, 87, 372, 87), frozenset({(372, 87)}))
    assert public_area(house(service_area=ServiceArea(radius_km=1.0))) == own


@pytest.mark.parametrize("at", [HOUSE, None])
def test_a_polygon_of_a_confidential_entry_counts_for_nothing(at):
    # Refused on every write; one stored before that rule must not show where it is.
    buffer = ServiceArea(geometry=square(18.56, 4.32, 18.67, 4.44))
    assert public_area(house(service_area=buffer, at=at)) is None
    entry = DirectoryIndex([house(service_area=buffer)], GAZETTEER, max_distance_km=50.0)
    assert not entry.entries[0].has_declared_area  # reaches as far as one without an area


def test_a_radius_is_measured_from_the_cell_centre_so_any_house_of_the_cell_shows_alike():
    east_edge, west_edge = (18.6495, 4.3505), (18.6005, 4.3995)
    area = ServiceArea(radius_km=6.0)
    first = public_area(house(service_area=area, at=east_edge))
    second = public_area(house(service_area=area, at=west_edge))
    assert first == second
    assert first is not None and first.cells is not None
    assert {(371, 87), (373, 87), (372, 86), (372, 88)} <= first.cells
    assert (371, 86) not in first.cells  # 7.8 km away, diagonally


def test_an_area_too_large_to_list_stands_for_its_whole_span():
    huge = ServiceArea(radius_km=1500.0)
    cells = public_area(house(service_area=huge))
    assert cells is not None and cells.cells is None
    west, south, east, north = cells.span or (0, 0, 0, 0)
    assert (east - west + 1) * (north - south + 1) > MAX_LISTED_CELLS
    assert cell_of(*HOUSE) in cells and cell_of(29.9, 0.1) in cells
    assert cell_of(40.0, 0.1) not in cells
    assert cells.meets(footprint_of(18.6, 4.3, 18.7, 4.4))
    assert not cells.meets(footprint_of(41.0, 4.3, 41.1, 4.4))


def footprint_of(west, south, east, north):
    from shapely.geometry import shape

    return footprint(shape(square(west, south, east, north)))


def test_a_named_area_touches_the_cells_its_polygon_meets():
    cells = footprint_of(18.61, 4.36, 18.66, 4.39)
    assert cells.cells == {(372, 87), (373, 87)}
    assert cells.meets(CellArea((372, 87, 372, 87), frozenset({(372, 87)})))
    assert not cells.meets(CellArea((371, 87, 371, 87), frozenset({(371, 87)})))


def test_declared_p_codes_and_no_area_have_no_cells():
    assert public_area(house(service_area=ServiceArea(pcodes=("CF7117",)))) is None
    assert public_area(house()) is None


def chain(pcode):
    return {"CF7117": ("CF7117", "CF711", "CF71"), "CF711": ("CF711", "CF71")}.get(pcode, ())


def test_service_p_codes_count_no_finer_than_adm2_and_take_in_the_whole_cell():
    declared = ("CF7117", "CF711", "CF71", "XX")
    assert public_pcodes(declared, chain) == ("CF711", "CF71", "XX")
    # Its cell touches Bimbo too: which side it serves must not tell which side it is on.
    assert public_pcodes(("CF7117",), chain, ("CF1111", "CF7117")) == ("CF711", "CF1111")
    assert public_pcodes((), chain, ("CF1111",)) == ()


def test_the_projection_keeps_the_route_and_nothing_that_locates():
    full = house(service_area=ServiceArea(radius_km=3.0, pcodes=("CF7117",)))
    seen = public_projection(full, chain, lambda _cell: ())
    assert (seen.lon, seen.lat) == (18.625, 4.375)
    assert seen.address is None
    # Cell (372, 87) holds parts of Bangui and of Bimbo: no admin unit, of any level, shows.
    assert seen.admin == AdminCodes(cod_version="201506")
    assert seen.service_area == ServiceArea(pcodes=("CF711",))
    assert seen.contacts == full.contacts and seen.services == full.services
    shown = withheld(full)
    assert (shown.lon, shown.lat, shown.address) == (None, None, None)
    assert shown.admin == seen.admin and shown.service_area == ServiceArea()


def test_a_public_entry_is_its_own_projection_but_is_withheld_when_asked():
    clinic = house(visibility=Visibility.PUBLIC)
    assert public_projection(clinic, chain, lambda _cell: ()) is clinic
    # A version of the entry from before it became confidential is withheld all the same.
    assert withheld(clinic).lon is None and withheld(clinic).address is None
