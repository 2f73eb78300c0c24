import math
import random
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referral_api.domain.errors import InvalidInputError
from referral_api.domain.geometry import (
    BBOX_PATTERN,
    MAX_POLYGON_VERTICES,
    BBox,
    SpherePoint,
    degrees_around,
    distance_km,
    distances_km,
    haversine_km,
    parse_service_area,
)

SQUARE = {"type": "Polygon", "coordinates": [[[18.5, 4.3], [18.6, 4.3], [18.6, 4.4], [18.5, 4.3]]]}


def test_distance_matches_known_great_circle_lengths():
    # One degree of latitude is 111.2 km on the mean sphere.
    assert distance_km(18.5, 4.0, 18.5, 5.0) == pytest.approx(111.19, abs=0.01)
    # CNHU Bangui to the Bégoua district hospital: about 10.2 km as the crow flies.
    assert distance_km(18.5763, 4.371737, 18.534016, 4.453281) == pytest.approx(10.2, abs=0.1)
    assert distance_km(18.5, 4.3, 18.5, 4.3) == 0.0
    assert distance_km(-179.9, 0, 179.9, 0) == pytest.approx(22.24, abs=0.01)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ((18.5763, 4.371737), (18.534016, 4.453281)),
        ((18.55, 4.37), (22.0, 9.5)),
        ((-0.1, 51.5), (2.35, 48.86)),
        ((18.5, 4.3), (18.5, 4.3)),
    ],
)
def test_distance_agrees_with_geopy_within_half_a_percent(a, b):
    from geopy.distance import geodesic, great_circle

    ours = distance_km(a[0], a[1], b[0], b[1])
    assert ours == pytest.approx(great_circle((a[1], a[0]), (b[1], b[0])).km, rel=1e-3, abs=1e-6)
    assert ours == pytest.approx(geodesic((a[1], a[0]), (b[1], b[0])).km, rel=5e-3, abs=1e-6)


@pytest.mark.parametrize("centre", [(18.55, 4.37), (-70.6, -33.4), (25.0, 69.5), (179.9, 0.0)])
def test_array_distances_are_the_scalar_distance_and_nan_without_a_location(centre):
    rng = random.Random(5)
    here = SpherePoint.of(*centre)
    points = [
        SpherePoint.of(
            (centre[0] + rng.uniform(-1.5, 1.5) + 180) % 360 - 180,
            max(-90.0, min(90.0, centre[1] + rng.uniform(-1, 1))),
        )
        for _ in range(2000)
    ]
    points.append(SpherePoint(math.nan, math.nan, math.nan))
    arrays = tuple(np.array([point[field] for point in points]) for field in range(3))
    found = distances_km(here, arrays).tolist()
    expected = [haversine_km(here, point) for point in points[:-1]]
    # Search compares the array's figures with radii and the scalar one's reference ranking.
    assert found[:-1] == pytest.approx(expected, rel=1e-12, abs=1e-9)
    assert math.isnan(found[-1])


def test_array_distances_from_a_centre_per_point_are_those_from_each_centre():
    # Search measures confidential rows from the public view and others from the place in
    # one pass: each figure must be the one its own centre gives, to the last bit.
    rng = random.Random(6)
    points = [SpherePoint.of(rng.uniform(18, 19), rng.uniform(4, 5)) for _ in range(300)]
    centres = [SpherePoint.of(rng.uniform(18, 19), rng.uniform(4, 5)) for _ in range(2)]
    which = [rng.randrange(2) for _ in points]
    arrays = tuple(np.array([point[field] for point in points]) for field in range(3))
    per_point = tuple(np.array([centres[n][field] for n in which]) for field in range(3))
    found = distances_km(per_point, arrays).tolist()
    assert found == [distances_km(centres[n], arrays)[k] for k, n in enumerate(which)]


def test_box_around_a_point_widens_in_longitude_away_from_the_equator():
    dlon_equator, dlat = degrees_around(0.0, 50)
    dlon_north, _ = degrees_around(60.0, 50)
    assert dlat == pytest.approx(0.4497, abs=1e-3)
    assert dlon_equator == pytest.approx(dlat)
    assert dlon_north == pytest.approx(2 * dlat, rel=1e-3)
    assert degrees_around(89.9, 5000)[0] == 180.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18.5,4.3,18.6,4.4", BBox(18.5, 4.3, 18.6, 4.4)),
        ("-180,-90,180,90", BBox(-180, -90, 180, 90)),
        (" 18.5 , 4.3 , 18.6 , 4.4 ", BBox(18.5, 4.3, 18.6, 4.4)),
    ],
)
def test_valid_bbox_parses(text, expected):
    assert BBox.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("18.5,4.3,18.6", "four numbers"),
        ("18.5,4.3,18.6,4.4,1", "four numbers"),
        ("a,4.3,18.6,4.4", "four numbers"),
        ("nan,4.3,18.6,4.4", "four numbers"),
        ("18.5,4.3,inf,4.4", "four numbers"),
        ("1e1,4.3,18.6,4.4", "four numbers"),
        ("18.5,-91,18.6,4.4", "WGS84"),
        ("181,4.3,182,4.4", "WGS84"),
        ("18.6,4.3,18.5,4.4", "west <= east"),
        ("18.5,4.4,18.6,4.3", "west <= east"),
    ],
)
def test_invalid_bbox_says_why(text, reason):
    with pytest.raises(InvalidInputError, match=reason) as caught:
        BBox.parse(text)
    assert caught.value.problems[0].location == ("bbox",)


def test_bbox_contains_its_borders():
    box = BBox(18.5, 4.3, 18.6, 4.4)
    assert box.contains(18.5, 4.4)
    assert not box.contains(18.61, 4.35)


def test_valid_polygon_is_accepted():
    assert parse_service_area(SQUARE, ("area",)).area > 0


@pytest.mark.parametrize(
    ("geojson", "reason"),
    [
        ({"type": "Point", "coordinates": [18.5, 4.3]}, "Polygon or MultiPolygon"),
        (
            {
                "type": "Polygon",
                "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
            },
            "Self-intersection",
        ),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]]]}, "closed"),
        (
            {
                "type": "MultiPolygon",
                "coordinates": [[[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[2, 2], [3, 2], [3, 3]]]],
            },
            "closed",
        ),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "Too few points"),
        ({"type": "Polygon", "coordinates": "nope"}, "readable"),
        ({"type": "Polygon", "coordinates": []}, "empty"),
        (
            {"type": "Polygon", "coordinates": [[[170, 0], [190, 0], [190, 1], [170, 0]]]},
            "WGS84",
        ),
    ],
)
def test_invalid_polygon_is_rejected_with_the_reason(geojson, reason):
    with pytest.raises(InvalidInputError, match=reason) as caught:
        parse_service_area(geojson, ("service_area", "geometry"))
    assert caught.value.problems[0].location[:2] == ("service_area", "geometry")


def test_polygon_with_too_many_vertices_is_rejected():
    ring = [
        [
            18.5 + 0.1 * math.cos(2 * math.pi * i / 1200),
            4.3 + 0.1 * math.sin(2 * math.pi * i / 1200),
        ]
        for i in range(1200)
    ]
    ring.append(ring[0])
    assert len(ring) > MAX_POLYGON_VERTICES
    with pytest.raises(InvalidInputError, match="vertices"):
        parse_service_area({"type": "Polygon", "coordinates": [ring]}, ("area",))


def test_a_ring_across_the_antimeridian_is_refused_and_its_cut_halves_accepted():
    across = [[[179.0, -17.0], [-179.0, -17.0], [-179.0, -16.0], [179.0, -16.0], [179.0, -17.0]]]
    with pytest.raises(InvalidInputError, match="antimeridian"):
        parse_service_area({"type": "Polygon", "coordinates": across}, ("geometry",))
    east = [[[179.0, -17.0], [180.0, -17.0], [180.0, -16.0], [179.0, -16.0], [179.0, -17.0]]]
    west = [[[-180.0, -17.0], [-179.0, -17.0], [-179.0, -16.0], [-180.0, -16.0], [-180.0, -17.0]]]
    cut = {"type": "MultiPolygon", "coordinates": [east, west]}
    assert parse_service_area(cut, ("geometry",)).is_valid


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.from_regex(r"-?[0-9]{1,4}(\.[0-9]{0,3})?", fullmatch=True),
            st.from_regex(r"\d{1,2}", fullmatch=True),
            st.text(alphabet="0123456789.-+e ", max_size=6),
            st.sampled_from(["180", "180.0", "180.01", "90", "090", "-90.0", "90.5", "0"]),
        ),
        min_size=3,
        max_size=5,
    )
)
def test_the_documented_bbox_pattern_is_what_parse_reads(parts):
    text = ",".join(parts)
    try:
        BBox.parse(text)
        parsed = True
    except InvalidInputError as error:
        # The corners' order is the one rule the pattern cannot state.
        parsed = "west <= east" in error.detail
    assert bool(re.fullmatch(BBOX_PATTERN, text)) is parsed, text
