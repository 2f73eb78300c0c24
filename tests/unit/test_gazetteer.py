import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import STRtree, box
from shapely.geometry import Point, shape

from referral_api.domain.errors import AmbiguousPlaceError, InvalidInputError
from referral_api.domain.gazetteer import Gazetteer, Locality, normalize
from referral_api.domain.model import AdminArea
from referral_api.domain.projection import cell_bounds, snap
from referral_api.interop.geojson import parse_admin_areas, read_json
from referral_api.interop.localities import read_localities
from tests.conftest import AREAS_PATH, PROJECT_DIR

SHIPPED = Gazetteer(
    parse_admin_areas(read_json(AREAS_PATH)),
    read_localities(PROJECT_DIR / "data" / "localities.csv"),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bégoua", "begoua"),
        ("  3ème   Arrondissement ", "3eme arrondissement"),
        ("Ombella M'Poko", "ombella m poko"),
        ("MAMBÉRÉ-KADÉÏ", "mambere kadei"),
    ],
)
def test_names_compare_without_case_accents_or_punctuation(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("name", "first_pcode", "label"),
    [
        ("Bégoua", "CF1111", "Bégoua"),
        ("begoua", "CF1111", "Bégoua"),
        ("3e arrondissement", "CF7113", "Arrondissement 3"),
        ("3ème arrondissement", "CF7113", "Arrondissement 3"),
        ("Arrondissement 3", "CF7113", "Arrondissement 3"),
        ("3rd arrondissement", "CF7113", "Arrondissement 3"),
        ("1er arrondissement", "CF7111", "Arrondissement 1"),
        ("Bangui 5", "CF7115", "Arrondissement 5"),
        ("Bimbo", "CF1111", "Bimbo"),
        ("Bangui", "CF711", "Bangui"),
        ("PK12", "CF1111", "PK12"),
        ("Centre Ville", "CF711106", "Centre Ville"),
    ],
)
def test_place_names_resolve_to_the_most_precise_area(name, first_pcode, label):
    place = SHIPPED.resolve(name)
    assert place.pcodes[0] == first_pcode
    assert place.label == label


def test_a_named_area_carries_its_polygon_and_a_locality_its_point():
    assert SHIPPED.resolve("3e arrondissement").area is not None
    begoua = SHIPPED.resolve("Bégoua")
    assert begoua.area is None
    assert begoua.pcodes == ("CF1111", "CF111", "CF11")


def test_unknown_place_is_an_error_with_close_candidates():
    with pytest.raises(AmbiguousPlaceError) as caught:
        SHIPPED.resolve("Begua")
    assert any(c.startswith("Bégoua") for c in caught.value.candidates)
    with pytest.raises(AmbiguousPlaceError) as caught:
        SHIPPED.resolve("arrondissement")
    assert len(caught.value.candidates) == 8
    with pytest.raises(AmbiguousPlaceError) as caught:
        SHIPPED.resolve("Xyzzy")
    assert caught.value.candidates == ()


def test_a_name_shared_by_unrelated_places_is_ambiguous():
    areas = parse_admin_areas(read_json(AREAS_PATH))
    twin = Gazetteer(
        areas,
        [Locality("Bégoua", 18.6, 4.5, "CF7114")] + [Locality("Bégoua", 18.534, 4.4533, "CF1111")],
    )
    with pytest.raises(AmbiguousPlaceError) as caught:
        twin.resolve("Begoua")
    assert len(caught.value.candidates) == 2


def test_points_get_their_admin_chain():
    third = SHIPPED.area("CF7113")
    assert third is not None
    assert SHIPPED.pcodes_at(third.label_lon, third.label_lat) == ("CF7113", "CF711", "CF71")
    assert SHIPPED.pcodes_at(18.534016, 4.453281) == ("CF1111", "CF111", "CF11")
    assert SHIPPED.pcodes_at(0.0, 0.0) == ()
    assert SHIPPED.at_point(0.0, 0.0).label == ""


def test_unknown_pcode_is_invalid_input():
    with pytest.raises(InvalidInputError, match="Unknown P-code"):
        SHIPPED.at_pcode("CF9999")
    assert SHIPPED.chain("CF711106") == ("CF711106", "CF7111", "CF711", "CF71")


def test_a_broken_localities_file_is_a_clear_error(tmp_path):
    path = tmp_path / "localities.csv"
    path.write_text("name,lon,lat,adm3_pcode\nX,abc,4,CF1111\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="not a valid localities file"):
        read_localities(path)
    assert read_localities(tmp_path / "absent.csv") == []


def _square_area(pcode: str, level: int, west: float, south: float, side: float) -> AdminArea:
    ring = [
        [west, south],
        [west + side, south],
        [west + side, south + side],
        [west, south + side],
        [west, south],
    ]
    geometry = {"type": "Polygon", "coordinates": [ring]}
    return AdminArea(pcode, pcode, level, None, west, south, "test", geometry)


# Squares sharing borders at one level (a point on a border is in two), some on the lines
# of the projection's grid and some across them, and a smaller level inside.
STEP = 0.1
GRID_AREAS = [
    _square_area(f"G{i}{j}", 1, 18.0 + i * STEP, 4.0 + j * STEP, STEP)
    for i in range(4)
    for j in range(4)
] + [_square_area(f"H{i}", 2, 18.013 + i * 0.07, 4.027 + i * 0.07, 0.061) for i in range(4)]


class TreeOfAreas:
    """The reference: a tree of the areas' polygons, asked for each point."""

    def __init__(self, areas: list[AdminArea]) -> None:
        self.polygons = [area for area in areas if area.geometry is not None]
        self.tree = STRtree([shape(area.geometry) for area in self.polygons])

    def pcodes_at(self, lon: float, lat: float) -> tuple[str, ...]:
        """The hits of one tree query for the point, most precise first."""
        found = self.tree.query(Point(lon, lat), predicate="intersects").tolist()
        return tuple(
            self.polygons[at].pcode for at in sorted(found, key=lambda at: -self.polygons[at].level)
        )


GRID, GRID_TREE = Gazetteer(GRID_AREAS), TreeOfAreas(GRID_AREAS)

on_the_grid = st.builds(
    lambda i, j, di, dj: (18.0 + i * STEP + di, 4.0 + j * STEP + dj),
    st.integers(-1, 5),
    st.integers(-1, 5),
    st.sampled_from([0.0, 0.05, 0.013, 0.074, 1e-12, -1e-12, 0.061]),
    st.sampled_from([0.0, 0.05, 0.027, 0.088, 1e-12, -1e-12, 0.061]),
)
anywhere = st.tuples(st.floats(17.95, 18.45), st.floats(3.95, 4.45))


@settings(max_examples=300, deadline=None)
@given(st.one_of(on_the_grid, anywhere))
def test_the_areas_of_a_point_are_those_a_tree_query_for_it_finds(point):
    # A grid cell's areas are remembered and only those whose border crosses the cell are
    # tested: borders, corners and points an ulp away answer as the tree does, in its order.
    lon, lat = point
    fresh = Gazetteer(GRID_AREAS)
    expected = GRID_TREE.pcodes_at(lon, lat)
    assert fresh.pcodes_at(lon, lat) == expected
    assert GRID.pcodes_at(lon, lat) == expected  # from cells remembered by earlier examples
    centre = snap(lon, lat)
    assert GRID.public_view(GRID.at_point(lon, lat)).pcodes == GRID_TREE.pcodes_at(*centre)


SHIPPED_TREE = TreeOfAreas(parse_admin_areas(read_json(AREAS_PATH)))
THIRD = shape(SHIPPED.area("CF7113").geometry)  # Bangui's third arrondissement


@settings(max_examples=150, deadline=None)
@given(st.tuples(st.floats(18.3, 18.8), st.floats(4.2, 4.6)), st.integers(0, 9))
def test_the_shipped_areas_of_a_point_are_those_a_tree_query_finds(point, vertex):
    # Bangui's arrondissements are smaller than a cell: most of its cells are crossed.
    lon, lat = point
    assert SHIPPED.pcodes_at(lon, lat) == SHIPPED_TREE.pcodes_at(lon, lat)
    x, y = shapely.get_coordinates(THIRD)[vertex * 7]
    assert SHIPPED.pcodes_at(x, y) == SHIPPED_TREE.pcodes_at(x, y)


@settings(max_examples=100, deadline=None)
@given(st.integers(359, 370), st.integers(79, 90))
def test_the_units_of_a_cell_are_the_areas_it_touches(column, row):
    touched = GRID_TREE.tree.query(box(*cell_bounds((column, row))), predicate="intersects")
    assert GRID.units_of_cell((column, row)) == tuple(
        sorted(GRID_AREAS[at].pcode for at in touched.tolist())
    )


def test_a_point_an_ulp_outside_the_cell_it_falls_in_is_placed_exactly():
    # 15.1 / 0.05 is 302.0, but cell 302 starts at 302 * 0.05 = 15.100000000000001: the
    # point lies west of an area whose border is that cell's.
    west = cell_bounds((302, 80))[0]
    assert west > 15.1
    east = Gazetteer([_square_area("EAST", 1, west, 4.0, 0.5)])
    assert east.pcodes_at(15.1, 4.2) == ()
    assert east.pcodes_at(west, 4.2) == ("EAST",)


def test_a_named_area_is_read_once_and_is_its_polygon():
    # Searches by P-code share one polygon per area: reading a prefecture's took longer than
    # the search itself.
    place = SHIPPED.at_pcode("CF11")
    assert place.area is not None
    assert place.area.equals(shape(SHIPPED.area("CF11").geometry))
    assert SHIPPED.at_pcode("CF11").area is place.area
    assert SHIPPED.public_view(place).footprint is not None
