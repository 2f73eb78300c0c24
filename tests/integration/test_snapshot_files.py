"""Snapshot files: a restart or a second worker maps the file of the directory's state and
ranks exactly as the build that wrote it, and a file of another state is never used."""

import dataclasses
import fcntl
import json
import mmap
import stat
import threading
import uuid
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from referral_api import editing, operations
from referral_api.db import repository, snapshot_files
from referral_api.db import snapshot as snapshot_module
from referral_api.db.engine import engine_for, make_engine, read_consistently
from referral_api.db.snapshot import DirectorySnapshots
from referral_api.db.snapshot_files import SnapshotFiles
from referral_api.db.tables import ChangeEventRow, DirectoryStateRow, ProviderRow, ServiceRow
from referral_api.domain.access import Viewer
from referral_api.domain.directory import DirectoryIndex
from referral_api.domain.model import Provider, Visibility
from referral_api.domain.ranking import RankingWeights, SearchQuery, brute_force, search
from referral_api.interop.geojson import parse_admin_areas, parse_directory, read_json
from tests.conftest import AREAS_PATH, SAFE_HOUSE_ID, sample_document

WEIGHTS = RankingWeights()
AT = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


class CountedFiles(SnapshotFiles):
    """Snapshot files that count what is written to them."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.written: list[str] = []

    def write(self, name, *state_and_contents) -> None:
        self.written.append(name)
        super().write(name, *state_and_contents)


@pytest.fixture
def loaded(engine, session):
    organizations, providers = parse_directory(sample_document())
    operations.load_directory(
        session=session,
        organizations=organizations,
        providers=providers,
        areas=parse_admin_areas(read_json(AREAS_PATH)),
    )
    return engine


def snapshots(engine, files) -> DirectorySnapshots:
    return DirectorySnapshots(engine, localities=[], max_distance_km=50.0, files=files)


def rankings(index: DirectoryIndex) -> list[list[tuple[str, float, int]]]:
    """What every kind of question gets, asked all over the sample's region."""
    found = []
    for step in range(40):
        place = index.gazetteer.at_point(18.2 + (step % 8) * 0.1, 4.0 + (step // 8) * 0.2)
        for need in ("medical", "psychosocial", "legal", "case_management", "safety"):
            query = SearchQuery(place=place, needs=(need,), at=AT)
            options = search(index, query, WEIGHTS).options
            found.append([(o.facts.entry.id_text, o.facts.score, o.facts.tier) for o in options])
            found.append(
                [(f.entry.id_text, f.score, f.tier) for f in brute_force(index, query, WEIGHTS)]
            )
    return found


def test_a_restart_maps_the_file_and_ranks_as_the_build_did(loaded, tmp_path):
    built_files = CountedFiles(tmp_path / "snapshots")
    built = snapshots(loaded, built_files).refresh()
    assert len(built_files.written) == 1
    restart_files = CountedFiles(tmp_path / "snapshots")
    opened = snapshots(loaded, restart_files).refresh()
    assert restart_files.written == []  # mapped, not built again
    assert isinstance(opened._provider_at.__self__.buffer, mmap.mmap)
    assert len(opened) == len(built)
    assert [opened.entries[row] for row in range(len(opened))] == [
        built.entries[row] for row in range(len(built))
    ]
    assert dict(opened.by_id) == dict(built.by_id)
    assert rankings(opened) == rankings(built)
    # The folder holds the house's location, as the database does: the server's alone.
    assert stat.S_IMODE((tmp_path / "snapshots").stat().st_mode) == 0o700


class Untouched:
    """A search engine that leaves refreshing to the test."""

    def refresh(self) -> None:
        return None


ADMIN = editing.Actor(Viewer(organization_id="admin", is_admin=True, key_id="k"), request_id="r")


def verify(session, provider_id: str) -> None:
    """A write as an admin makes it: the entry verified, an event in the change feed."""
    editing.verify_provider(
        session=session, search=Untouched(), provider_id=uuid.UUID(provider_id), actor=ADMIN
    )


def fresh_rankings(engine) -> list:
    return rankings(snapshots(engine, None).refresh())


def test_a_restart_after_writes_maps_the_last_file_and_applies_the_feed(loaded, session, tmp_path):
    files = CountedFiles(tmp_path / "snapshots")
    snapshots(loaded, files).refresh()
    for _ in range(3):
        verify(session, SAFE_HOUSE_ID)
    restarted = snapshots(loaded, files).refresh()
    assert len(files.written) == 1  # mapped, and brought up to date by the feed
    assert restarted.changes_since_build == 1
    assert restarted.revision == repository.current_revision(session=session)
    assert rankings(restarted) == fresh_rankings(loaded)


def test_a_directory_made_again_is_never_caught_up_from_a_file_of_before(loaded, session, tmp_path):
    files = CountedFiles(tmp_path / "snapshots")
    snapshots(loaded, files).refresh()
    # The directory is emptied and loaded again, the house elsewhere, then written once:
    # its revision and feed count as the first directory's would after one write.
    for table in (ServiceRow, ProviderRow, ChangeEventRow, DirectoryStateRow):
        session.execute(delete(table))
    session.commit()
    organizations, providers = parse_directory(sample_document())
    house = next(p for p in providers if str(p.id) == SAFE_HOUSE_ID)
    moved = [dataclasses.replace(p, lon=p.lon + 0.05) if p is house else p for p in providers]
    operations.load_directory(session=session, organizations=organizations, providers=moved)
    verify(session, SAFE_HOUSE_ID)
    after = snapshots(loaded, files).refresh()
    assert len(files.written) == 2
    assert after.entries[after.by_id[SAFE_HOUSE_ID]].exact.lon == house.lon + 0.05


def test_a_file_of_another_history_is_never_caught_up(loaded, session, tmp_path):
    # A database restored from a backup and written again numbers other writes as the
    # first history did: the file of the first must not be brought up to date by them.
    files = CountedFiles(tmp_path / "snapshots")
    verify(session, SAFE_HOUSE_ID)
    snapshots(loaded, files).refresh()
    (written,) = (tmp_path / "snapshots").glob("snapshot-*")
    meta = json.loads((written / "meta.json").read_text())
    meta["last_event_at"] = "2026-01-01T00:00:00+00:00"  # another history's event
    (written / "meta.json").write_text(json.dumps(meta))
    verify(session, SAFE_HOUSE_ID)
    snapshots(loaded, files).refresh()
    assert len(files.written) == 2


def move_the_house_by_hand(session) -> tuple[Provider, Provider]:
    """Another directory state: the house moved, with no change event to tell how (as by
    SQL written by hand), so that only a whole build finds it."""
    house = repository.get_provider(session=session, provider_id=uuid.UUID(SAFE_HOUSE_ID))
    assert house is not None
    moved = dataclasses.replace(house, lon=house.lon + 0.05)
    repository.update_provider_if(session=session, provider=moved, expected_revision=house.revision)
    repository.bump_revision(session=session)
    session.commit()
    return house, moved


def test_a_file_of_another_state_is_never_opened(loaded, session, tmp_path):
    files = CountedFiles(tmp_path / "snapshots")
    first = snapshots(loaded, files).refresh()
    house, moved = move_the_house_by_hand(session)
    after = snapshots(loaded, files).refresh()
    assert len(files.written) == 2 and files.written[0] != files.written[1]
    row = after.by_id[str(SAFE_HOUSE_ID)]
    assert after.entries[row].exact.lon == moved.lon
    assert first.entries[first.by_id[str(SAFE_HOUSE_ID)]].exact.lon == house.lon
    # Only the newest file is kept.
    assert [path.name for path in (tmp_path / "snapshots").glob("snapshot-*")] == [files.written[1]]


def cut_short(content: bytes) -> bytes:
    return content[: len(content) // 2]


def scrambled(content: bytes) -> bytes:
    """The same length, other bytes: what a power cut may leave of a block."""
    return bytes(255 - byte for byte in content[:200]) + content[200:]


@pytest.mark.parametrize(
    ("damage", "how"),
    [
        ("meta.json", cut_short),
        ("meta.json", lambda _: b"[]"),
        ("records.bin", cut_short),
        ("records.bin", scrambled),
        ("rows.lmb.npy", cut_short),
        ("rows.lmb.npy", scrambled),
        ("ids.npy", cut_short),
        ("public.by_pcode.rows.npy", cut_short),
    ],
)
def test_a_damaged_file_is_built_again_not_trusted(loaded, tmp_path, damage, how):
    files = CountedFiles(tmp_path / "snapshots")
    built = snapshots(loaded, files).refresh()
    (folder,) = (tmp_path / "snapshots").glob("snapshot-*")
    target = folder / damage
    # Damaged in a new file: the one the first index maps stays whole, as it does when a
    # writer replaces a file. (Truncating a mapped file in place would fault its reader.)
    content = how(target.read_bytes())
    target.unlink()
    target.write_bytes(content)
    again = snapshots(loaded, files).refresh()
    assert len(files.written) == 2  # built again, and written whole over the damaged one
    assert rankings(again) == rankings(built)
    assert snapshots(loaded, files).refresh() is not None and len(files.written) == 2


def test_a_writer_that_died_midway_leaves_nothing_that_is_opened(loaded, tmp_path):
    folder = tmp_path / "snapshots"
    files = CountedFiles(folder)
    snapshots(loaded, files).refresh()
    (written,) = folder.glob("snapshot-*")
    # A crash before the last step of a write: the folder is there, its meta.json is not.
    (written / "meta.json").unlink()
    (folder / ".writing-crashed").mkdir()
    snapshots(loaded, files).refresh()
    assert len(files.written) == 2
    assert not (folder / ".writing-crashed").exists()


def test_a_build_names_its_file_by_the_state_its_rows_were_read_at(
    loaded, session, tmp_path, monkeypatch
):
    # A write commits while a build reads the directory: the file must hold the rows of
    # the state it is named by, or a database restored to that state would be served the
    # write (here the house made public) from the file.
    read = repository.stored_providers

    def with_a_write_landing(*, session):
        with Session(loaded) as writer:
            house = repository.get_provider(session=writer, provider_id=uuid.UUID(SAFE_HOUSE_ID))
            assert house is not None
            public = dataclasses.replace(house, visibility=Visibility.PUBLIC)
            repository.update_provider_if(
                session=writer, provider=public, expected_revision=house.revision
            )
            repository.bump_revision(session=writer)
            writer.commit()
        return read(session=session)

    monkeypatch.setattr(repository, "stored_providers", with_a_write_landing)
    files = CountedFiles(tmp_path / "snapshots")
    built = snapshots(loaded, files).refresh()
    monkeypatch.setattr(repository, "stored_providers", read)
    assert built.entries[built.by_id[SAFE_HOUSE_ID]].confidential
    found = files.open(files.written[0])
    assert found is not None
    row = built.by_id[SAFE_HOUSE_ID]
    assert found.records.provider(row).is_restricted
    assert found.placed.rows.confidential[row]


def test_a_release_with_other_placing_code_never_opens_the_files_of_another(
    loaded, tmp_path, monkeypatch
):
    files = CountedFiles(tmp_path / "snapshots")
    snapshots(loaded, files).refresh()
    monkeypatch.setattr(snapshot_files, "_code", lambda: b"another release")
    snapshots(loaded, files).refresh()
    assert len(files.written) == 2


def test_a_worker_that_waits_too_long_for_the_lock_builds_in_memory(loaded, tmp_path):
    folder = tmp_path / "snapshots"
    folder.mkdir()
    with (folder / ".lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # a holder that hangs
        files = CountedFiles(folder)
        files.lock_wait_seconds = 0.2
        index = snapshots(loaded, files).refresh()
    assert files.written == []
    assert rankings(index) == fresh_rankings(loaded)


def test_workers_starting_together_build_one_file_and_share_it(loaded, tmp_path):
    folder = tmp_path / "snapshots"
    workers = [CountedFiles(folder) for _ in range(3)]
    opened: list[DirectoryIndex] = []
    threads = [
        threading.Thread(
            target=lambda files=files: opened.append(snapshots(loaded, files).refresh())
        )
        for files in workers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(len(files.written) for files in workers) == 1
    assert len(opened) == 3
    # Each maps the one file: the pages of its records are the same for all of them.
    assert all(isinstance(index._provider_at.__self__.buffer, mmap.mmap) for index in opened)
    assert len(list(folder.glob("snapshot-*"))) == 1


def test_without_a_folder_the_snapshot_is_built_in_memory_and_ranks_the_same(loaded, tmp_path):
    in_memory = snapshots(loaded, None).refresh()
    assert len(in_memory) == len(parse_directory(sample_document())[1])
    snapshots(loaded, SnapshotFiles(tmp_path)).refresh()
    opened = snapshots(loaded, SnapshotFiles(tmp_path)).refresh()
    assert rankings(in_memory) == rankings(opened)


def test_the_build_reads_the_whole_directory_past_the_requests_statement_timeout(loaded, settings):
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("the statement timeout is PostgreSQL's")
    hurried = make_engine(settings.database_url, statement_timeout_ms=50)
    try:
        with hurried.connect() as connection, pytest.raises(OperationalError):
            connection.exec_driver_sql("SELECT pg_sleep(0.2)")  # requests are cut short
        with Session(hurried) as session:
            read_consistently(session)
            # As long as the read of a million providers is, beside the requests' timeout.
            session.execute(text("SELECT pg_sleep(0.2)"))
        index = snapshots(hurried, None).refresh()
        assert len(index) == len(parse_directory(sample_document())[1])
    finally:
        hurried.dispose()


def test_a_load_is_not_cut_short_by_the_requests_statement_timeout(settings):
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("the statement timeout is PostgreSQL's")
    hurried = settings.model_copy(update={"statement_timeout_ms": 100})
    for_requests, for_a_load = engine_for(hurried), engine_for(hurried, batch=True)
    try:
        with for_requests.connect() as connection, pytest.raises(OperationalError):
            connection.exec_driver_sql("SELECT pg_sleep(0.3)")
        with for_a_load.connect() as connection:
            connection.exec_driver_sql("SELECT pg_sleep(0.3)")
    finally:
        for_requests.dispose()
        for_a_load.dispose()


def test_a_live_server_rebuilds_in_a_process_of_its_own_as_a_fresh_build(
    loaded, session, tmp_path, monkeypatch
):
    live = snapshots(loaded, SnapshotFiles(tmp_path / "snapshots"))
    live.refresh()
    _, moved = move_the_house_by_hand(session)

    def read_here(**_):
        raise AssertionError("the live server read the whole directory in its own process")

    with monkeypatch.context() as inside:
        # The child is a new interpreter: what is patched here is not patched there.
        inside.setattr(repository, "stored_providers", read_here)
        rebuilt = live.refresh()
    assert rebuilt.entries[rebuilt.by_id[SAFE_HOUSE_ID]].exact.lon == moved.lon
    assert rebuilt.revision == repository.current_revision(session=session)
    assert rankings(rebuilt) == fresh_rankings(loaded)


def test_a_child_that_dies_leaves_the_rebuild_to_the_server_itself(
    loaded, session, tmp_path, monkeypatch
):
    live = snapshots(loaded, SnapshotFiles(tmp_path / "snapshots"))
    live.refresh()
    _, moved = move_the_house_by_hand(session)

    class Dying(ProcessPoolExecutor):
        def submit(self, *_, **__):
            raise BrokenProcessPool("killed")

    monkeypatch.setattr(snapshot_module, "ProcessPoolExecutor", Dying)
    rebuilt = live.refresh()
    assert rebuilt.entries[rebuilt.by_id[SAFE_HOUSE_ID]].exact.lon == moved.lon
    assert rankings(rebuilt) == fresh_rankings(loaded)
