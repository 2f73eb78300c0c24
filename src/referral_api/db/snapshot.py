"""The in-process directory snapshot: built from the database, swapped when it changes."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import threading
import time
from array import array
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from referral_api.children import end_with
from referral_api.db import repository
from referral_api.db.changes import DirectoryState
from referral_api.db.engine import make_engine, read_consistently
from referral_api.db.migrate import schema_revision
from referral_api.db.providers import NewRows, ProviderRecords, ProviderRows
from referral_api.db.snapshot_files import (
    Earlier,
    Snapshot,
    SnapshotFiles,
    placing,
    snapshot_name,
)
from referral_api.domain.directory import DirectoryIndex, Sketch, Unplaced, placed_new
from referral_api.domain.errors import DirectoryUnavailableError
from referral_api.domain.gazetteer import Gazetteer, Locality
from referral_api.domain.model import AdminArea, Provider

logger = logging.getLogger("referral_api.snapshot")

# Writes applied to a snapshot before its spatial indexes are rebuilt from scratch.
INCREMENTAL_LIMIT = 500


class SnapshotObserver(Protocol):
    """Told when a worker swaps in a snapshot, or cannot reach the database to check one."""

    def snapshot_swapped(self, index: DirectoryIndex, build_seconds: float) -> None:
        """A new snapshot is now searched."""

    def snapshot_unreachable(self) -> None:
        """A refresh or a revision check failed on the database."""


def _state_and_areas(session: Session) -> tuple[DirectoryState, list[AdminArea]]:
    """The directory's state and gazetteer, in the one transaction the build then reads in."""
    read_consistently(session)
    return repository.directory_state(session=session), repository.list_admin_areas(session=session)


def _placed_with(
    session: Session,
    areas: Sequence[AdminArea],
    localities: Sequence[Locality],
    max_distance_km: float,
) -> str:
    """The digest of what placing depends on, as a snapshot file's name holds it."""
    return placing(areas, localities, max_distance_km, schema_revision(session.connection()))


def _write(
    session: Session,
    files: SnapshotFiles,
    name: str,
    state: DirectoryState,
    placed_with: str,
    gazetteer: Gazetteer,
    max_distance_km: float,
) -> None:
    """The snapshot of the directory `session` reads, placed and written as `name`."""
    stored, records = repository.stored_providers(session=session)
    built = DirectoryIndex(stored, gazetteer, max_distance_km=max_distance_km)
    files.write(name, state, placed_with, built.placement, records)


@dataclass(frozen=True, slots=True)
class Written:
    """A snapshot file a child process wrote, and the state it holds."""

    name: str
    placed_with: str
    revision: int
    last_sequence: int


def write_snapshot_file(
    url: str, folder: Path, localities: Sequence[Locality], max_distance_km: float
) -> Written:
    """In a child process: the directory at `url` as it is now, written as a snapshot file
    in `folder` unless it is there already. The parent holds the folder's lock meanwhile."""
    engine = make_engine(url, pool_size=1, statement_timeout_ms=0)
    try:
        with Session(engine) as session:
            state, areas = _state_and_areas(session)
            placed_with = _placed_with(session, areas, localities, max_distance_km)
            name = snapshot_name(state, placed_with)
            files = SnapshotFiles(folder)
            if files.open(name) is None:
                gazetteer = Gazetteer(areas, localities)
                _write(session, files, name, state, placed_with, gazetteer, max_distance_km)
    finally:
        engine.dispose()
    return Written(name, placed_with, state.revision, state.last_sequence)


@contextlib.contextmanager
def _collector_paused(pause: bool) -> Iterator[None]:
    """The cyclic collector off within the block, if `pause`: a build that makes a million
    long-lived objects with nothing else to do would have it go over them again and again
    as they pile up (a fifth of the build's CPU at 100,000 providers)."""
    paused = pause and gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


# What a snapshot file holds of a new provider: its record, and its `Unplaced` as a plain
# tuple (which another process sends back at a fifth of a named tuple's cost), or None
# for a confidential provider: it is placed by its projection, once the gazetteer is known.
SnapshotPiece = tuple[bytes, tuple[Any, ...] | None]


def snapshot_piece(provider: Provider, rows: ProviderRows) -> SnapshotPiece:
    """The piece of a snapshot file of `provider`, new, written as `rows`."""
    sketch = Sketch.of(provider)
    return NewRows.record(rows), None if sketch.restricted else tuple(Unplaced.of(sketch))


class LoadedSnapshot:
    """The snapshot file of a directory that a load fills from empty, made of what the
    load read rather than read back once written, through the database's server too.

    It is what a build would read and place once the load commits (a test holds the two
    to each other): the same rows in the same order, placed with the same gazetteer, and
    named by the state the load commits.
    """

    def __init__(
        self, files: SnapshotFiles, localities: Sequence[Locality], max_distance_km: float
    ) -> None:
        self._files, self._localities = files, localities
        self._max_distance_km = max_distance_km
        self._ids, self._records, self._ends = bytearray(), bytearray(), array("q")
        self._unplaced: list[tuple[Any, ...] | None] = []
        self._complete = True
        self._sealed: tuple[DirectoryState, str, Gazetteer] | None = None

    def add(self, provider_id: bytes, piece: SnapshotPiece | None) -> None:
        """A provider the load writes, new; without its piece, the file is not made."""
        if piece is None:
            self._complete = False
            return
        record, unplaced = piece
        self._ids += provider_id
        self._records += record
        self._ends.append(len(self._records))
        self._unplaced.append(unplaced)

    def seal(self, session: Session) -> None:
        """In the load's transaction, once it has written everything: the state it commits
        and the gazetteer it leaves."""
        state = repository.directory_state(session=session)
        areas = repository.list_admin_areas(session=session)
        placed_with = _placed_with(session, areas, self._localities, self._max_distance_km)
        self._sealed = state, placed_with, Gazetteer(areas, self._localities)

    def write(self) -> bool:
        """Once the load has committed: the file written, if it has every provider."""
        if self._sealed is None or not self._complete:
            return False
        with _collector_paused(True):
            self._write(*self._sealed)
        return True

    def _write(self, state: DirectoryState, placed_with: str, gazetteer: Gazetteer) -> None:
        ids = np.frombuffer(bytes(self._ids), dtype="S16")
        # In the order of their ids, as a build reads them.
        order = np.argsort(ids, kind="stable")
        ends = np.frombuffer(self._ends, dtype=np.int64)
        starts = np.concatenate(([0], ends[:-1]))
        records = bytearray()
        with memoryview(self._records) as view:
            for start, end in zip(starts[order].tolist(), ends[order].tolist(), strict=True):
                records += view[start:end]
        self._records = bytearray()
        kept = ProviderRecords(records, np.cumsum((ends - starts)[order]))
        unplaced = self._unplaced
        placing = [
            kept.provider(row) if unplaced[at] is None else Unplaced._make(unplaced[at])
            for row, at in enumerate(order.tolist())
        ]
        placed = placed_new(ids[order], placing, gazetteer, max_distance_km=self._max_distance_km)
        with self._files.held():
            self._files.write(snapshot_name(state, placed_with), state, placed_with, placed, kept)


def _start_child(parent: int) -> None:
    end_with(parent)
    os.nice(10)


class DirectorySnapshots:
    """Holds the current `DirectoryIndex`; searches never wait for a rebuild.

    Another instance may change the shared database: `current()` reads the directory's
    revision (one primary-key read) at most every `check_interval` seconds and, when it
    moved, refreshes in a background thread while searches go on with the previous
    snapshot. A write on this instance calls `refresh()` at once, so that the writer sees
    its change in the next search. A refresh swaps in the providers named by the change
    feed since the snapshot; only bulk loads and long runs of changes rebuild everything.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        localities: Sequence[Locality],
        max_distance_km: float,
        check_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        observer: SnapshotObserver | None = None,
        files: SnapshotFiles | None = None,
    ) -> None:
        self._engine = engine
        self._localities = tuple(localities)
        self._max_distance_km = max_distance_km
        self._check_interval = check_interval
        self._clock = clock
        self._observer = observer
        self._files = files
        self._build_lock = threading.Lock()
        self._check_lock = threading.Lock()
        self._index: DirectoryIndex | None = None
        self._checked_at = float("-inf")
        self.last_build_seconds = 0.0

    def _revision(self) -> int:
        with Session(self._engine) as session:
            return repository.current_revision(session=session)

    def _build(self) -> DirectoryIndex:
        started = time.perf_counter()
        # A rebuild leaves the collector on, for the searches that go on beside it.
        with _collector_paused(self._index is None):
            return self._build_index(started)

    def _build_index(self, started: float) -> DirectoryIndex:
        with Session(self._engine) as session:
            state, areas = _state_and_areas(session)
            gazetteer = Gazetteer(areas, self._localities)
            if self._files is None:
                index = self._read(session, gazetteer, state)
            else:
                placed_with = _placed_with(session, areas, self._localities, self._max_distance_km)
                index = self._from_files(session, gazetteer, state, placed_with, self._files)
        # The snapshot holds hundreds of thousands of long-lived objects; leaving them out of
        # the cyclic collector's reach keeps its full passes from pausing searches. They hold
        # no reference cycles, so reference counting frees them when the snapshot is replaced.
        gc.collect()
        gc.freeze()
        self.last_build_seconds = time.perf_counter() - started
        return index

    def _read(
        self, session: Session, gazetteer: Gazetteer, state: DirectoryState
    ) -> DirectoryIndex:
        stored, _ = repository.stored_providers(session=session)
        return DirectoryIndex(
            stored,
            gazetteer,
            max_distance_km=self._max_distance_km,
            revision=state.revision,
            last_sequence=state.last_sequence,
        )

    def _from_files(
        self,
        session: Session,
        gazetteer: Gazetteer,
        state: DirectoryState,
        placed_with: str,
        files: SnapshotFiles,
    ) -> DirectoryIndex:
        """The snapshot of `state` mapped from its file; else from the file of an earlier
        state and the change feed since; else read from the database and written, by the
        first worker to need it, for the others and the next start to map."""
        name = snapshot_name(state, placed_with)
        try:
            with files.held():
                found = files.open(name)
                if found is not None:
                    return self._mapped(found, gazetteer, state.revision, state.last_sequence)
                for earlier in files.earlier(state, placed_with):
                    caught_up = self._caught_up(session, files, earlier, gazetteer)
                    if caught_up is not None:
                        return caught_up
                if self._index is not None:
                    elsewhere = self._built_in_child(files, gazetteer, placed_with)
                    if elsewhere is not None:
                        return elsewhere
                _write(session, files, name, state, placed_with, gazetteer, self._max_distance_km)
                found = files.open(name)
                if found is not None:
                    return self._mapped(found, gazetteer, state.revision, state.last_sequence)
        except OSError as error:
            logger.warning("snapshot files unusable (%s); building in memory", error)
        return self._read(session, gazetteer, state)

    def _built_in_child(
        self, files: SnapshotFiles, gazetteer: Gazetteer, placed_with: str
    ) -> DirectoryIndex | None:
        """The snapshot read, placed and written by a process of its own, then mapped.

        A server rebuilds while it searches: in one of its own threads the build would hold
        the interpreter most of the time, and searches would wait on it. The child reads the
        directory as it is when it starts, perhaps a few writes past this build's state; the
        caller's `_updated` then takes the rest. None if the child could not do it, or
        placed with another gazetteer: the caller builds here.
        """
        url = self._engine.url
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            return None  # a database of this process alone
        try:
            # At a lower priority: on a busy machine the searches come before the build.
            with ProcessPoolExecutor(
                1,
                mp_context=get_context("spawn"),
                initializer=_start_child,
                initargs=(os.getpid(),),
            ) as child:
                written = child.submit(
                    write_snapshot_file,
                    url.render_as_string(hide_password=False),
                    files.folder,
                    self._localities,
                    self._max_distance_km,
                ).result()
        except (BrokenProcessPool, OSError) as error:
            logger.warning("snapshot build in a child process failed (%s); building here", error)
            return None
        found = files.open(written.name) if written.placed_with == placed_with else None
        if found is None:
            return None
        return self._mapped(found, gazetteer, written.revision, written.last_sequence)

    def _caught_up(
        self, session: Session, files: SnapshotFiles, earlier: Earlier, gazetteer: Gazetteer
    ) -> DirectoryIndex | None:
        """An earlier snapshot with the writes made since, if the feed says them all."""
        # Of this history only if its last event is this database's event of that number:
        # a database restored from a backup and written again numbers other writes alike.
        if earlier.last_sequence and earlier.last_event_at != repository.event_moment(
            session=session, sequence=earlier.last_sequence
        ):
            return None
        found = files.open(earlier.name)
        if found is None:
            return None
        return self._updated(
            self._mapped(found, gazetteer, earlier.revision, earlier.last_sequence)
        )

    def _mapped(
        self, found: Snapshot, gazetteer: Gazetteer, revision: int, last_sequence: int
    ) -> DirectoryIndex:
        return DirectoryIndex.placed(
            found.placed,
            found.records.provider,
            gazetteer,
            max_distance_km=self._max_distance_km,
            revision=revision,
            last_sequence=last_sequence,
        )

    def _updated(self, index: DirectoryIndex) -> DirectoryIndex | None:
        """The snapshot with the writes made since it was taken, or None if they are unknown.

        Every partner write adds one change event and one revision; a bulk load adds a
        revision without events. When the counts agree, the changed providers are read
        and swapped in; otherwise (a load, or too many changes) the caller rebuilds.
        """
        with Session(self._engine) as session:
            revision = repository.current_revision(session=session)
            if revision == index.revision:
                return index
            events = repository.events_after(
                session=session, after=index.last_sequence, limit=INCREMENTAL_LIMIT + 1
            )
            if len(events) != revision - index.revision or len(events) > INCREMENTAL_LIMIT:
                return None
            if index.changes_since_build + len(events) > INCREMENTAL_LIMIT:
                return None
            changed, removed = [], []
            for provider_id in dict.fromkeys(event.provider_id for event in events):
                found = repository.get_provider_any(session=session, provider_id=provider_id)
                if found is None or found[1]:
                    removed.append(str(provider_id))
                else:
                    changed.append(found[0])
        return index.with_changes(
            changed, removed, revision=revision, last_sequence=events[-1].sequence
        )

    def refresh(self) -> DirectoryIndex:
        """Bring the snapshot up to date: the latest writes swapped in, or a full rebuild.

        While the database cannot be reached, search goes on from the last snapshot: a
        slightly stale directory serves survivors better than none.
        """
        with self._build_lock:
            before = self._index
            try:
                updated = self._updated(self._index) if self._index is not None else None
                self._index = updated if updated is not None else self._build()
            except SQLAlchemyError as error:
                if self._observer is not None:
                    self._observer.snapshot_unreachable()
                if self._index is None:
                    raise DirectoryUnavailableError("The directory cannot be loaded") from error
                logger.warning("directory unreachable; searching the last snapshot")
            if self._observer is not None and self._index is not before:
                self._observer.snapshot_swapped(self._index, self.last_build_seconds)
            self._checked_at = self._clock()
            return self._index

    @property
    def built(self) -> bool:
        """Whether a snapshot is there to search (else `current` builds one, and waits)."""
        return self._index is not None

    def current(self) -> DirectoryIndex:
        """The snapshot to search. Once there is one, it never waits on the database: when
        a check is due, a background thread reads the revision and refreshes if it moved."""
        index = self._index
        if index is None:
            return self.refresh()
        now = self._clock()
        if now - self._checked_at < self._check_interval:
            return index
        # Released by the checking thread when it is done: one check at a time.
        if not self._check_lock.acquire(blocking=False):
            return index
        self._checked_at = now
        threading.Thread(target=self._check_in_background, args=(index,), daemon=True).start()
        return index

    def _check_in_background(self, index: DirectoryIndex) -> None:
        try:
            try:
                changed = self._revision() != index.revision
            except SQLAlchemyError:
                changed = False
                if self._observer is not None:
                    self._observer.snapshot_unreachable()
                logger.warning("directory unreachable; searching the last snapshot")
            if changed:
                self.refresh()
        finally:
            self._check_lock.release()
