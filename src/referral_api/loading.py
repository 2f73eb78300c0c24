"""A directory file read by worker processes while the loading process writes what they read.

Reading a feature (its schema, the domain's rules, its rows for the database) costs about
four times what writing it does, and one process does either at a time: the load of a
million providers took seven minutes on one core of two. Here the loading process only
cuts the file into features, hands them out in batches and writes the rows that come back,
in the file's order, so that problems keep their paths and organizations come before the
providers that follow them.
"""

from __future__ import annotations

import functools
import gc
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from typing import NamedTuple

from sqlalchemy.engine import URL, make_url

from referral_api.children import end_with
from referral_api.db.engine import make_engine
from referral_api.db.repository import NewRows, ProviderRows
from referral_api.db.snapshot import SnapshotPiece, snapshot_piece
from referral_api.domain.errors import FieldProblem
from referral_api.domain.model import Provider
from referral_api.interop.geojson import (
    DirectoryPart,
    DirectoryPiece,
    FeatureRead,
    FeatureText,
    directory_pieces,
    read_feature_text,
    stream_directory,
)

# Below this size a file is read in the loading process: starting workers takes longer.
WORKERS_FROM_BYTES = 8 << 20
# Features a worker reads per task: enough to make handing them out cheap, few enough to
# keep every worker busy and the batches in flight small.
BATCH = 500


class RowsRead(NamedTuple):
    """A provider read by a worker: its rows, ready to write (None if it has problems: it
    is never written), every problem found with it, each under its path in the file, and
    what a snapshot file holds of it, if the load makes one."""

    position: int
    id: bytes
    organization_id: str
    problems: list[FieldProblem]
    rows: ProviderRows | None
    piece: SnapshotPiece | None
    text: str

    def rows_to_write(self) -> ProviderRows:
        """Its rows; a load writes nothing once it has found a problem."""
        if self.rows is None:
            raise RuntimeError(f"feature {self.position} has problems: it is not written")
        return self.rows

    def provider(self) -> Provider:
        """The provider itself, read again: to replace a stored one, which is rare."""
        provider = read_feature_text(FeatureText(self.position, self.text)).provider
        if provider is None:
            raise ValueError(f"feature {self.position} holds no provider")
        return provider


# A directory file's parts as a load takes them.
LoadPart = DirectoryPart | RowsRead

# A feature as a worker sends it back: its problems, if it holds no provider at all.
_Read = (
    tuple[bytes, str, list[FieldProblem], ProviderRows | None, SnapshotPiece | None]
    | list[FieldProblem]
)


@functools.cache
def _new_rows(url: str, now: datetime) -> NewRows:
    # The engine is never connected: its dialect converts values as the loading process's.
    return NewRows(make_engine(url).dialect, now)


def _read(url: str, now: datetime, pieces: bool, features: list[FeatureText]) -> list[_Read]:
    """In a worker: each feature read, checked and, if it has no problem, made rows (a
    value the rules refuse may not even convert, such as a moment before year 1), and
    its piece of a snapshot file if `pieces`."""
    rows = _new_rows(url, now)
    done: list[_Read] = []
    for feature in features:
        read = read_feature_text(feature)
        provider = read.provider
        if provider is None:
            done.append(read.problems)
        elif read.problems:
            done.append((provider.id.bytes, provider.organization_id, read.problems, None, None))
        else:
            made = rows(provider)
            piece = snapshot_piece(provider, made) if pieces else None
            done.append((provider.id.bytes, provider.organization_id, [], made, piece))
    return done


def _start_worker(parent: int) -> None:
    end_with(parent)
    # Modules and caches live as long as the worker: out of the collector's full passes.
    gc.freeze()


def reading_processes() -> int:
    """Workers worth starting on this machine: one per core it may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def read_directory_file(
    path: Path,
    *,
    url: str,
    now: datetime,
    workers: int,
    from_bytes: int = WORKERS_FROM_BYTES,
    pieces: bool = False,
) -> Iterator[LoadPart]:
    """The parts of a directory file for a load into `url` at `now`: features read by
    `workers` processes if the file has `from_bytes` or more, else in this process; with
    their pieces of a snapshot file if `pieces` (the load fills an empty directory)."""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # reading it says what is wrong
    if workers < 1 or size < from_bytes:
        return stream_directory(path)
    # The workers never connect: the dialect alone converts, and no credential crosses.
    nowhere = URL.create(make_url(url).drivername).render_as_string()
    return _read_in_workers(
        directory_pieces(path), functools.partial(_read, nowhere, now, pieces), workers
    )


class _Batch(NamedTuple):
    features: list[FeatureText]
    read: Future[list[_Read]]


def _read_in_workers(
    pieces: Iterable[DirectoryPiece],
    read_batch: Callable[[list[FeatureText]], list[_Read]],
    workers: int,
) -> Iterator[LoadPart]:
    pool = ProcessPoolExecutor(
        workers,
        mp_context=get_context("spawn"),
        initializer=_start_worker,
        initargs=(os.getpid(),),
    )
    # Parts in the file's order; a batch is yielded once read. Two batches per worker are
    # in flight, so that none waits while the loading process writes.
    queue: deque[_Batch | DirectoryPart] = deque()
    in_flight = 0
    features: list[FeatureText] = []

    def ready(most_in_flight: int) -> Iterator[LoadPart]:
        nonlocal in_flight
        while queue:
            head = queue[0]
            if not isinstance(head, _Batch):
                yield head
            elif in_flight <= most_in_flight and not head.read.done():
                return
            else:
                in_flight -= 1
                for feature, read in zip(head.features, head.read.result(), strict=True):
                    if isinstance(read, list):
                        yield FeatureRead(feature.position, None, read)
                    else:
                        yield RowsRead(feature.position, *read, feature.text)
            queue.popleft()

    def hand_out() -> None:
        nonlocal features, in_flight
        if features:
            queue.append(_Batch(features, pool.submit(read_batch, features)))
            in_flight += 1
            features = []

    try:
        for piece in pieces:
            if isinstance(piece, FeatureText):
                features.append(piece)
                if len(features) >= BATCH:
                    hand_out()
            else:
                hand_out()
                queue.append(piece)
            yield from ready(2 * workers)
        hand_out()
        yield from ready(0)
    finally:
        pool.shutdown(cancel_futures=True)
