import pytest

from referral_api.domain.errors import AmbiguousPlaceError, InvalidInputError
from referral_api.domain.gazetteer import Gazetteer, Locality, normalize
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
