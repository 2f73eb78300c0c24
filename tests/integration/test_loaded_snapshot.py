"""The snapshot file a load makes of what it writes is the file a build reads back once the
load has committed: the same name, the same placement, the same providers by row."""

from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from referral_api import loading, operations
from referral_api.cli import app
from referral_api.db import repository
from referral_api.db.snapshot import LoadedSnapshot, write_snapshot_file
from referral_api.db.snapshot_files import SnapshotFiles
from referral_api.domain.clock import utc_now
from referral_api.interop.geojson import parse_admin_areas, parse_directory, read_json
from referral_api.interop.localities import read_localities
from referral_api.settings import Settings
from tests.conftest import AREAS_PATH, SAFE_HOUSE_ID, SAMPLE_PATH, sample_document
from tests.integration.directory_files import copies, written
from tests.unit.builders import placement_differences

MAX_DISTANCE_KM = 50.0


@pytest.fixture(scope="module")
def localities():
    return read_localities(Settings().localities_path)


def only_snapshot(folder: Path) -> tuple[str, object]:
    names = [path.name for path in folder.iterdir() if path.name.startswith("snapshot-")]
    assert len(names) == 1, names
    opened = SnapshotFiles(folder).open(names[0])
    assert opened is not None
    return names[0], opened


def assert_same_as_read_back(url: str, made_in: Path, read_in: Path, localities) -> None:
    """The file the load made, against the one a build reads from the database now."""
    written_back = write_snapshot_file(url, read_in, localities, MAX_DISTANCE_KM)
    made_name, made = only_snapshot(made_in)
    read_name, read = only_snapshot(read_in)
    assert made_name == read_name == written_back.name
    assert placement_differences(made.placed, read.placed) == []
    assert len(made.records) == len(read.records)
    for row in range(len(read.records)):
        assert made.records.provider(row) == read.records.provider(row)


def load(session, parts, snapshot, areas=()):
    return operations.load_directory_parts(
        session=session, parts=parts, areas=areas, snapshot=snapshot
    )


def sample_parts():
    return operations.directory_parts(*parse_directory(sample_document()))


def test_a_load_into_an_empty_directory_makes_the_file_a_build_would(
    engine, settings, tmp_path, localities, monkeypatch
):
    made = LoadedSnapshot(SnapshotFiles(tmp_path / "made"), localities, MAX_DISTANCE_KM)
    with Session(engine) as session:
        load(session, sample_parts(), made, parse_admin_areas(read_json(AREAS_PATH)))
    # Made of what was written: the directory is not read again for it.
    monkeypatch.setattr(repository, "stored_providers", None)
    assert made.write()
    monkeypatch.undo()
    assert_same_as_read_back(
        settings.database_url, tmp_path / "made", tmp_path / "read", localities
    )
    # The safe house's record is its exact row, as the read-back's is: its placement is
    # its projection, which the comparison above holds to the build's.
    _, opened = only_snapshot(tmp_path / "made")
    ids = {str(opened.records.provider(row).id) for row in range(len(opened.records))}
    assert SAFE_HOUSE_ID in ids


def test_a_load_read_by_workers_makes_the_file_a_build_would(
    database_url, engine, tmp_path, localities
):
    path = written(tmp_path, copies(3))
    with Session(engine) as session:
        repository.save_admin_areas(session=session, areas=parse_admin_areas(read_json(AREAS_PATH)))
        session.commit()
    made = LoadedSnapshot(SnapshotFiles(tmp_path / "made"), localities, MAX_DISTANCE_KM)
    parts = loading.read_directory_file(
        path, url=database_url, now=utc_now(), workers=2, from_bytes=0, pieces=True
    )
    with Session(engine) as session:
        load(session, parts, made)
    assert made.write()
    assert_same_as_read_back(database_url, tmp_path / "made", tmp_path / "read", localities)


def test_a_load_into_a_directory_that_holds_providers_leaves_the_file_to_a_build(
    engine, tmp_path, localities
):
    with Session(engine) as session:
        load(session, sample_parts(), None)
    again = LoadedSnapshot(SnapshotFiles(tmp_path / "made"), localities, MAX_DISTANCE_KM)
    with Session(engine) as session:
        load(session, sample_parts(), again)
    # Its rows replaced stored ones: what a build reads is not what this load read.
    assert not again.write()
    assert not (tmp_path / "made").exists()


def test_a_load_whose_workers_made_no_pieces_leaves_the_file_to_a_build(
    database_url, engine, tmp_path, localities
):
    path = written(tmp_path, sample_document())
    made = LoadedSnapshot(SnapshotFiles(tmp_path / "made"), localities, MAX_DISTANCE_KM)
    parts = loading.read_directory_file(
        path, url=database_url, now=utc_now(), workers=2, from_bytes=0, pieces=False
    )
    with Session(engine) as session:
        load(session, parts, made)
    assert not made.write()


def test_a_load_that_fails_makes_no_file(engine, tmp_path, localities):
    made = LoadedSnapshot(SnapshotFiles(tmp_path / "made"), localities, MAX_DISTANCE_KM)
    parts = operations.directory_parts(*parse_directory(sample_document()))
    parts.append(parts[-1])  # the same provider twice: the load is refused
    with Session(engine) as session, pytest.raises(Exception, match="not valid"):
        load(session, parts, made)
    assert not made.write()
    with Session(engine) as session:
        assert not repository.has_providers(session=session)


def test_the_load_command_makes_the_file_of_what_it_loaded(tmp_path, monkeypatch):
    # As an operator runs it, on a fresh SQLite file with a snapshot folder.
    url = f"sqlite:///{tmp_path / 'directory.sqlite3'}"
    env = {"REFERRAL_DATABASE_URL": url, "REFERRAL_SNAPSHOT_DIR": str(tmp_path / "made")}
    monkeypatch.setattr(repository, "stored_providers", None)
    done = CliRunner().invoke(app, ["load", str(SAMPLE_PATH), "--areas", str(AREAS_PATH)], env=env)
    assert done.exit_code == 0, done.output
    assert "warning" not in done.output
    monkeypatch.undo()
    settings = Settings(database_url=url)
    localities = read_localities(settings.localities_path)
    assert_same_as_read_back(url, tmp_path / "made", tmp_path / "read", localities)
