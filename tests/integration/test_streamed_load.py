"""A directory file is loaded as it is read: checked feature by feature, written in chunks,
every problem reported under its path, and nothing kept of a file with any problem."""

import json
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from referral_api import operations
from referral_api.db import repository
from referral_api.db.engine import make_engine
from referral_api.domain.errors import FieldProblem, InvalidInputError
from referral_api.interop import geojson
from referral_api.interop.geojson import (
    FeatureRead,
    parse_directory,
    read_json,
    stream_directory,
)
from tests.conftest import SAMPLE_PATH, sample_document
from tests.integration.directory_files import copies, migrated_sqlite, text_file, written


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """An empty migrated SQLite file, migrated once for the module."""
    return migrated_sqlite(tmp_path_factory.mktemp("streamed") / "template.sqlite3")


@pytest.fixture
def session(migrated, tmp_path):
    path = tmp_path / "directory.sqlite3"
    shutil.copyfile(migrated, path)
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        yield session
    engine.dispose()


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


def _read_whole(path):
    """What the whole document says: its organizations and providers, no problem."""
    organizations, providers = parse_directory(read_json(path))
    return sorted(organizations, key=lambda o: o.id), providers


def _read_streamed(path):
    parts = list(stream_directory(path))
    features = [part for part in parts if isinstance(part, FeatureRead)]
    assert [feature.position for feature in features] == list(range(len(features)))
    assert not [part for part in parts if isinstance(part, FieldProblem)]
    assert not any(feature.problems for feature in features)
    organizations = [part for part in parts if not isinstance(part, FeatureRead)]
    return sorted(organizations, key=lambda o: o.id), [feature.provider for feature in features]


_SAMPLE = sample_document()
_LAYOUTS = st.fixed_dictionaries(
    {
        "features": st.integers(0, len(_SAMPLE["features"])),
        "indent": st.sampled_from([None, 0, 1, 4, "\t"]),
        "separators": st.sampled_from([(",", ":"), (", ", ": "), (" ,\r\n", " :\t")]),
        "ensure_ascii": st.booleans(),
        "order": st.permutations(["type", "organizations", "features", "attribution", "extra"]),
        "extra": st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats(allow_nan=False, allow_infinity=False)
            | st.text(),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.text(max_size=5), inner, max_size=3)
            ),
            max_leaves=8,
        ),
        "window": st.integers(1, 300),
    }
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(layout=_LAYOUTS)
def test_a_file_streamed_in_any_layout_reads_as_the_whole_document(tmp_path, monkeypatch, layout):
    # A window of a few characters makes every value straddle the reads of the file.
    monkeypatch.setattr(geojson, "_BLOCK", layout["window"])
    members = dict(
        _SAMPLE, features=_SAMPLE["features"][: layout["features"]], extra=layout["extra"]
    )
    document = {name: members[name] for name in layout["order"]}
    path = tmp_path / "layout.geojson"
    path.write_text(
        json.dumps(
            document,
            indent=layout["indent"],
            separators=layout["separators"],
            ensure_ascii=layout["ensure_ascii"],
        ),
        encoding="utf-8",
    )
    assert _read_streamed(path) == _read_whole(path)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.floats(0, 1, exclude_max=True), window=st.integers(1, 500))
def test_a_file_cut_anywhere_is_refused_as_json_never_read_in_part(
    tmp_path, monkeypatch, cut, window
):
    monkeypatch.setattr(geojson, "_BLOCK", window)
    text = json.dumps(dict(_SAMPLE, features=_SAMPLE["features"][:4]), indent=1)
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        list(stream_directory(text_file(tmp_path, text[: int(len(text) * cut)])))


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text.replace('"coordinates": [', '"coordinates": [NaN, ', 1),
        lambda text: text.replace("[", "[Infinity, ", 1),
        lambda text: text + " {}",
        lambda text: text.replace('"type"', "type", 1),
        lambda text: text.replace(",", ",,", 1),
        lambda text: text.replace('"features": [', '"features": [1 2, ', 1),
    ],
)
def test_what_json_does_not_allow_is_refused_with_where(tmp_path, damage):
    text = json.dumps(dict(_SAMPLE, features=_SAMPLE["features"][:3]))
    with pytest.raises(InvalidInputError, match=r"not valid JSON: .* at character \d+"):
        list(stream_directory(text_file(tmp_path, damage(text))))


def test_a_value_too_large_to_hold_is_refused_not_read_on(tmp_path, monkeypatch):
    monkeypatch.setattr(geojson, "_BLOCK", 64)
    monkeypatch.setattr(geojson, "LARGEST_VALUE", 1000)
    document = dict(_SAMPLE, features=_SAMPLE["features"][:3])
    document["features"][1] = dict(document["features"][1], padding="x" * 5000)
    with pytest.raises(InvalidInputError, match="larger than 1000 characters"):
        list(stream_directory(written(tmp_path, document)))


def test_a_file_wrong_early_on_is_refused_where_it_is_wrong_not_read_to_its_end(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(geojson, "_BLOCK", 64)
    monkeypatch.setattr(geojson, "LARGEST_VALUE", 5000)  # a few features, not 20
    text = json.dumps(dict(_SAMPLE, features=_SAMPLE["features"][:20]))
    # A closing brace doubled, a few features in: what follows cannot be read.
    wrong = text.index(', {"type": "Feature"', text.index('"features": [') + 5000 // 4)
    with pytest.raises(InvalidInputError) as caught:
        list(stream_directory(text_file(tmp_path, text[:wrong] + "}" + text[wrong:])))
    assert "larger than" not in caught.value.detail
    assert caught.value.detail.endswith(f"at character {wrong}")


@pytest.mark.parametrize("window", range(1, 24))
@pytest.mark.parametrize(
    "text",
    [
        '{"version": 1.5e+3, "n": -2.25, "features": [], "type": "FeatureCollection"}',
        # Found by the layout property: the window moved at the file's end, past a number.
        '{"type":"FeatureCollection","features":[],"extra":0}',
    ],
)
def test_a_number_cut_by_the_window_is_read_whole(tmp_path, monkeypatch, window, text):
    monkeypatch.setattr(geojson, "_BLOCK", window)
    assert list(stream_directory(text_file(tmp_path, text))) == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"type": "FeatureCollection", "features": [],}', "member's name"),
        ('{"type": "FeatureCollection", "features": [], "x": ' + "[" * 100_000, "too deeply"),
        ('{"type": "FeatureCollection", "features": [{}, ]}', "Expecting value"),
    ],
)
def test_json_the_standard_refuses_is_refused(tmp_path, text, reason):
    with pytest.raises(InvalidInputError, match=reason):
        list(stream_directory(text_file(tmp_path, text)))


@pytest.mark.parametrize("member", ["features", "organizations"])
def test_a_list_given_twice_is_a_problem_not_two_lists(tmp_path, member):
    text = f'{{"type": "FeatureCollection", "{member}": [], "features": [], "{member}": []}}'
    with pytest.raises(InvalidInputError) as caught:
        list(stream_directory(text_file(tmp_path, text)))
    assert caught.value.problems[0].location == (member,)
