"""A directory file is loaded as it is read: checked feature by feature, written in chunks,
every problem reported under its path, and nothing kept of a file with any problem."""

import json
import shutil
import uuid

import pytest
from sqlalchemy.orm import Session

from referral_api import operations
from referral_api.db import repository
from referral_api.db.engine import make_engine
from referral_api.db.migrate import upgrade
from referral_api.domain.errors import FieldProblem, InvalidInputError
from referral_api.interop.geojson import (
    FeatureRead,
    parse_directory,
    read_json,
    stream_directory,
)
from referral_api.settings import Settings
from tests.conftest import SAMPLE_PATH, sample_document


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """An empty migrated SQLite file, migrated once for the module."""
    path = tmp_path_factory.mktemp("streamed") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(Settings().migrations_dir, engine)
    engine.dispose()
    return path


@pytest.fixture
def session(migrated, tmp_path):
    path = tmp_path / "directory.sqlite3"
    shutil.copyfile(migrated, path)
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        yield session
    engine.dispose()


def written(tmp_path, document, name="directory.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def copies(count):
    """The sample's features `count` times over, each copy with ids of its own."""
    document = sample_document()
    features = []
    for n in range(count):
        for feature in document["features"]:
            features.append(
                dict(feature, id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{n}/{feature['id']}")))
            )
    return dict(document, features=features)


def test_a_streamed_file_reads_as_the_whole_document_does():
    parts = list(stream_directory(SAMPLE_PATH))
    organizations, providers = parse_directory(read_json(SAMPLE_PATH))
    features = [part for part in parts if isinstance(part, FeatureRead)]
    assert [part for part in parts if not isinstance(part, FeatureRead)] == organizations
    assert [feature.provider for feature in features] == providers
    assert not any(feature.problems for feature in features)


def test_every_problem_is_reported_with_its_path_and_nothing_is_kept(
    session, tmp_path, monkeypatch
):
    # Chunks of 10: the bad features come after several chunks were written.
    monkeypatch.setattr(operations, "LOAD_CHUNK", 10)
    document = copies(3)
    last = len(document["features"]) - 1
    document["features"][100]["properties"]["services"][0]["need"] = "medical.magic"
    document["features"][120]["properties"]["survivor_name"] = "must never be accepted"
    document["features"][last]["id"] = document["features"][0]["id"]
    document["organizations"][0]["kind"] = "secret-society"
    with pytest.raises(InvalidInputError) as caught:
        operations.load_directory_parts(
            session=session, parts=stream_directory(written(tmp_path, document))
        )
    locations = {problem.location for problem in caught.value.problems}
    assert ("features", 100, "services", 0, "need") in locations
    assert ("features", 120, "properties", "survivor_name") in locations
    assert ("features", last, "id") in locations
    assert ("organizations", 0, "kind") in locations
    # The organization refused, its providers name one that does not exist.
    refused = document["organizations"][0]["id"]
    first = next(
        n
        for n, f in enumerate(document["features"])
        if f["properties"]["organization_id"] == refused
    )
    assert ("features", first, "properties", "organization_id") in locations
    assert not repository.has_providers(session=session)
    assert repository.list_organizations(session=session) == []


def test_a_file_cut_short_is_not_json_and_writes_nothing(session, tmp_path, monkeypatch):
    monkeypatch.setattr(operations, "LOAD_CHUNK", 10)
    path = written(tmp_path, copies(2))
    path.write_bytes(path.read_bytes()[:-5000])
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        operations.load_directory_parts(session=session, parts=stream_directory(path))
    assert not repository.has_providers(session=session)


def test_organizations_after_the_features_and_a_second_load_replace(session, tmp_path):
    document = copies(2)
    reordered = {"features": document["features"], **document}  # features first
    assert next(iter(reordered)) == "features"
    report = operations.load_directory_parts(
        session=session, parts=stream_directory(written(tmp_path, reordered))
    )
    assert (report.organizations, report.providers) == (7, 110)
    again = operations.load_directory_parts(
        session=session, parts=stream_directory(written(tmp_path, document, "again.geojson"))
    )
    assert again.providers == 110 and again.revision == report.revision + 1
    assert len(repository.all_providers(session=session)) == 110


@pytest.mark.parametrize(
    ("document", "location"),
    [
        ({"type": "FeatureCollection"}, ("features",)),
        ({"type": "Feature"}, ("type",)),
        ({"type": "FeatureCollection", "features": None}, ("features",)),
        ({"type": "FeatureCollection", "organizations": {}, "features": []}, ("organizations",)),
    ],
)
def test_a_file_that_is_no_directory_says_what_is_wrong(tmp_path, document, location):
    with pytest.raises(InvalidInputError) as caught:
        list(stream_directory(written(tmp_path, document)))
    assert caught.value.problems[0].location == location


def test_a_wrong_type_beside_features_is_a_problem(tmp_path):
    document = dict(sample_document(), type="Topology")
    parts = list(stream_directory(written(tmp_path, document)))
    assert FieldProblem(("type",), "Input should be 'FeatureCollection'") in parts
