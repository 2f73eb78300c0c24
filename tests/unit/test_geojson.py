import pytest

from referral_api.domain.errors import InvalidInputError
from referral_api.domain.model import Modality, Visibility
from referral_api.interop.geojson import (
    directory_collection,
    parse_admin_areas,
    parse_directory,
    read_json,
)
from tests.conftest import AREAS_PATH, sample_document


def test_the_shipped_sample_is_a_valid_realistic_pathway():
    organizations, providers = parse_directory(sample_document())
    assert len(providers) >= 40
    needs = {service.need for provider in providers for service in provider.services}
    assert {
        "case_management",
        "medical.cmr",
        "medical.pep",
        "medical.ec",
        "psychosocial.pss",
        "legal.aid",
        "legal.police",
        "safety.shelter",
    } <= needs
    modalities = {provider.modality for provider in providers}
    assert {Modality.STATIC, Modality.MOBILE, Modality.REMOTE} <= modalities
    assert any(p.opening_hours == "24/7" and "medical.pep" in p.need_codes for p in providers)
    assert any(p.modality is Modality.MOBILE and p.service_area.geometry for p in providers)
    assert any(p.visibility is Visibility.RESTRICTED for p in providers)
    for provider in providers:
        assert provider.source and provider.licence
        assert provider.verification == "sample"
    assert {provider.organization_id for provider in providers} <= {o.id for o in organizations}


def test_export_format_reads_back_to_the_same_directory():
    organizations, providers = parse_directory(sample_document())
    again = parse_directory(directory_collection(organizations, providers))
    assert again == (organizations, providers)


def test_every_problem_of_a_file_is_reported_with_its_feature():
    document = sample_document()
    document["features"][3]["properties"]["services"][0]["need"] = "medical.magic"
    document["features"][5]["geometry"]["coordinates"] = [218.0, 4.3]
    document["features"][7]["properties"]["opening_hours"] = "whenever"
    document["features"][9]["id"] = document["features"][8]["id"]
    with pytest.raises(InvalidInputError) as caught:
        parse_directory(document)
    locations = {problem.location for problem in caught.value.problems}
    assert ("features", 3, "services", 0, "need") in locations
    assert ("features", 5, "geometry", "coordinates", 0) in locations
    assert ("features", 7, "opening_hours") in locations
    assert ("features", 9, "id") in locations


def test_schema_errors_name_the_path_and_unknown_fields_are_refused():
    document = sample_document()
    document["features"][0]["properties"]["survivor_name"] = "must never be accepted"
    del document["features"][1]["properties"]["name"]
    with pytest.raises(InvalidInputError) as caught:
        parse_directory(document)
    locations = {problem.location for problem in caught.value.problems}
    assert ("features", 0, "properties", "survivor_name") in locations
    assert ("features", 1, "properties", "name") in locations


def test_not_json_and_missing_files_are_clear_errors(tmp_path):
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        read_json(broken)
    with pytest.raises(InvalidInputError, match="No such file"):
        read_json(tmp_path / "missing.geojson")
    with pytest.raises(InvalidInputError, match="not valid"):
        parse_directory({"type": "Feature"})


def test_the_gazetteer_has_every_level_with_cod_versions():
    areas = parse_admin_areas(read_json(AREAS_PATH))
    levels = {area.level for area in areas}
    assert levels == {1, 2, 3, 4}
    arrondissements = [a for a in areas if a.parent_pcode == "CF711"]
    assert len(arrondissements) == 8
    assert all(a.geometry is not None for a in arrondissements)
    assert {a.cod_version for a in areas} == {"201506"}
    with pytest.raises(InvalidInputError):
        parse_admin_areas({"type": "FeatureCollection", "features": [{"type": "Feature"}]})


def test_a_verification_moment_at_the_edge_of_the_calendar_is_a_clear_error():
    document = sample_document()
    document["features"][0]["properties"]["last_verified_at"] = "0001-01-01T00:00:00+14:00"
    with pytest.raises(InvalidInputError) as caught:
        parse_directory(document)
    locations = {problem.location for problem in caught.value.problems}
    assert ("features", 0, "last_verified_at") in locations
