"""A directory file read by worker processes loads exactly as one read by the loading
process: the same rows, the same problems under the same paths, nothing kept of a bad file,
and the indexes a load into an empty directory sets aside are all made again."""

import dataclasses
import inspect
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from referral_api import loading, operations
from referral_api.db import repository
from referral_api.db.engine import make_engine
from referral_api.domain.errors import InvalidInputError
from referral_api.interop.geojson import FeatureRead, parse_directory, stream_directory
from referral_api.loading import RowsRead, read_directory_file
from tests.integration.directory_files import copies, migrated_sqlite, written

NOW = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    # Many batches, more than the workers may hold at once: every wait is taken.
    monkeypatch.setattr(loading, "BATCH", 40)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    return migrated_sqlite(tmp_path_factory.mktemp("parallel") / "template.sqlite3")


@pytest.fixture
def database(migrated, tmp_path):
    """A function that gives an empty migrated database: its URL and a session on it."""
    engines = []

    def empty(name):
        path = tmp_path / f"{name}.sqlite3"
        shutil.copyfile(migrated, path)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        engines.append(engine)
        return url, Session(engine)

    yield empty
    for engine in engines:
        engine.dispose()


def by_workers(path, url, workers=2):
    return read_directory_file(path, url=url, now=NOW, workers=workers, from_bytes=0)


def stored(session):
    """Every stored provider, but the moments storage sets."""
    return [
        dataclasses.replace(provider, created_at=None, updated_at=None)
        for provider in repository.all_providers(session=session)
    ]


def indexes(session):
    return session.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
    ).all()


def test_workers_read_every_feature_in_the_files_order(database, tmp_path):
    url, _ = database("read")
    path = written(tmp_path, copies(12))
    here = list(stream_directory(path))
    there = list(by_workers(path, url))
    assert len(there) == len(here) > 10 * loading.BATCH
    for mine, theirs in zip(here, there, strict=True):
        if isinstance(mine, FeatureRead):
            assert isinstance(theirs, RowsRead)
            assert theirs.position == mine.position and theirs.problems == mine.problems
            assert theirs.provider() == mine.provider
        else:
            assert theirs == mine


def test_a_load_read_by_workers_stores_what_a_load_read_here_stores(database, tmp_path):
    # Dozens of batches of 40; the load again replaces each provider one by one.
    document = copies(3)
    # Organizations after the features: their providers wait, and are written at the end.
    reordered = {"features": document["features"], **document}
    path = written(tmp_path, reordered)
    url, there = database("workers")
    _, here = database("here")
    with there, here:
        theirs = operations.load_directory_parts(session=there, parts=by_workers(path, url))
        mine = operations.load_directory_parts(session=here, parts=stream_directory(path))
        assert (theirs.organizations, theirs.providers) == (mine.organizations, mine.providers)
        assert stored(there) == stored(here)
        assert len(stored(there)) == len(document["features"])
        # Again over what is stored: each provider replaced, as by a load read here.
        again = operations.load_directory_parts(session=there, parts=by_workers(path, url))
        operations.load_directory_parts(session=here, parts=stream_directory(path))
        assert again.providers == theirs.providers
        assert stored(there) == stored(here)
        assert {p.revision for p in repository.all_providers(session=there)} == {2}


def test_problems_found_by_workers_are_those_found_here_and_nothing_is_kept(database, tmp_path):
    document = copies(12)
    document["features"][3]["properties"]["services"][0]["need"] = "medical.magic"
    document["features"][500]["properties"]["survivor_name"] = "must never be accepted"
    document["features"][600] = {"type": "Feature", "id": "not an id"}
    # Read, refused by the rules, and not even convertible to a row: never converted.
    document["features"][650]["properties"]["last_verified_at"] = "0001-01-01T00:00:00+01:00"
    document["features"][-1]["id"] = document["features"][0]["id"]
    path = written(tmp_path, document)
    url, there = database("workers")
    _, here = database("here")
    with there, here:
        with pytest.raises(InvalidInputError) as theirs:
            operations.load_directory_parts(session=there, parts=by_workers(path, url))
        with pytest.raises(InvalidInputError) as mine:
            operations.load_directory_parts(session=here, parts=stream_directory(path))
        assert theirs.value.problems == mine.value.problems
        assert len(theirs.value.problems) >= 5
        assert not repository.has_providers(session=there)


def test_a_small_file_is_read_here_and_a_file_that_is_not_there_is_an_error(tmp_path):
    path = written(tmp_path, copies(1))
    parts = read_directory_file(path, url="sqlite://", now=NOW, workers=2)
    assert all(not isinstance(part, RowsRead) for part in parts)
    with pytest.raises(InvalidInputError, match="No such file"):
        list(by_workers(tmp_path / "missing.geojson", "sqlite://"))


def test_the_indexes_set_aside_for_a_load_are_made_again(database, tmp_path):
    url, session = database("indexes")
    with session:
        before = indexes(session)
        assert any(name == "ix_service_provider_id" for name, _ in before)
        operations.load_directory_parts(
            session=session, parts=by_workers(written(tmp_path, copies(3)), url)
        )
        assert indexes(session) == before
        # A second load finds providers stored: it keeps the indexes, as the first made them.
        operations.load_directory_parts(
            session=session, parts=stream_directory(written(tmp_path, copies(4), "more.json"))
        )
        assert indexes(session) == before
        assert len(repository.all_providers(session=session)) == 4 * 55


def test_the_indexes_are_set_aside_while_a_load_writes(database, tmp_path):
    url, session = database("aside")
    seen = []

    def parts_looked_at():
        for n, part in enumerate(by_workers(written(tmp_path, copies(12)), url)):
            if n == 300:
                seen.append({name for name, _ in indexes(session)})
            yield part

    with session:
        before = {name for name, _ in indexes(session)}
        operations.load_directory_parts(session=session, parts=parts_looked_at())
        assert "ix_service_need" in before and "ix_provider_lon_lat" in before
        assert seen == [
            {name for name in before if not name.startswith(("ix_provider", "ix_service"))}
        ]


def test_a_load_that_fails_stops_its_workers(database, tmp_path, monkeypatch):
    url, session = database("failed")
    parts = by_workers(written(tmp_path, copies(12)), url)

    def refused(**_):
        raise OSError("the disk is full")

    monkeypatch.setattr(repository, "insert_rows", refused)
    with session, pytest.raises(OSError, match="disk is full"):
        operations.load_directory_parts(session=session, parts=parts)
    assert inspect.getgeneratorstate(parts) == inspect.GEN_CLOSED


def test_a_provider_with_problems_has_no_rows_to_write():
    read = RowsRead(7, b"\0" * 16, "org", [], None, None, "{}")
    with pytest.raises(RuntimeError, match="feature 7 has problems"):
        read.rows_to_write()


def test_a_load_that_stops_half_way_keeps_the_indexes_and_no_row(database, tmp_path):
    url, session = database("stopped")
    path = written(tmp_path, copies(12))

    def parts_then_a_crash():
        for n, part in enumerate(by_workers(path, url)):
            if n == 400:
                raise OSError("the disk went away")
            yield part

    with session:
        before = indexes(session)
        with pytest.raises(OSError, match="disk went away"):
            operations.load_directory_parts(session=session, parts=parts_then_a_crash())
        assert indexes(session) == before
        assert not repository.has_providers(session=session)


def test_rows_made_by_workers_store_the_providers_as_read_on_each_backend(
    settings, session, tmp_path
):
    document = copies(8)
    path = written(tmp_path, document)
    report = operations.load_directory_parts(
        session=session, parts=by_workers(path, settings.database_url)
    )
    assert report.providers == len(document["features"])
    _, providers = parse_directory(document)
    assert stored(session) == sorted(
        (dataclasses.replace(p, created_at=None, updated_at=None) for p in providers),
        key=lambda p: p.id,
    )


_KILLED_LOADER = """
import os, time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from referral_api.loading import _start_worker

pool = ProcessPoolExecutor(
    2, mp_context=get_context("spawn"), initializer=_start_worker, initargs=(os.getpid(),)
)
for done in [pool.submit(time.sleep, 0.3) for _ in range(4)]:
    done.result()
print(" ".join(str(pid) for pid in pool._processes), flush=True)
time.sleep(600)
"""


def _running(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            return "State:\tZ" not in status.read()
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")
def test_workers_end_when_the_load_is_killed():
    # Killed (by the out-of-memory killer, say), a loader cannot stop its workers: they
    # see it gone and end, rather than wait for ever on a queue they hold open themselves.
    with subprocess.Popen(
        [sys.executable, "-c", _KILLED_LOADER], stdout=subprocess.PIPE, text=True
    ) as loader:
        try:
            pids = [int(pid) for pid in loader.stdout.readline().split()]
            assert len(pids) == 2 and all(_running(pid) for pid in pids)
        finally:
            loader.kill()
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(pid) for pid in pids)
