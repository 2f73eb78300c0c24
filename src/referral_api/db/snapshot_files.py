"""A snapshot file per directory state: workers and restarts map it instead of rebuilding.

A build reads the whole directory and places every provider; the file keeps what came of
it, arrays and the providers' records, under a name that says which state of the
directory it is (generation, revision, last change event, and the moments of both) and
what the placement depended on (the gazetteer, the reach, the migration, the code).
Opening it maps the arrays and records into memory: nothing is decoded until a search
reads it, and every worker that opens the same file shares its pages.

The file holds confidential locations as the database does: its folder is the server's
alone (0700), written whole under a temporary name and renamed, so that no reader ever
sees part of one.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import logging
import mmap
import os
import shutil
import tempfile
import time
import zlib
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import numpy as np
import orjson
from numpy.typing import NDArray

from referral_api.db.changes import DirectoryState
from referral_api.db.providers import ProviderRecords
from referral_api.domain.directory import LayerColumns, Placed, RowArrays
from referral_api.domain.gazetteer import Locality
from referral_api.domain.model import AdminArea

logger = logging.getLogger("referral_api.snapshot")

# How long a worker waits for another to write the snapshot it needs, before building its
# own in memory: a million providers take a minute or two to read and place.
LOCK_WAIT_SECONDS = 600.0
_PREFIX = "snapshot-"
_LAYERS = ("public", "confidential")
_INDEXES = ("by_pcode", "by_ancestor")


@functools.cache
def _code() -> bytes:
    """A digest of the code that writes a file's arrays and records and reads them back:
    need bits, projection cells, the columns of a record. A release that changes any of it
    never opens the files of another."""
    from referral_api.db import providers
    from referral_api.domain import directory, gazetteer, geometry, model, projection, taxonomy

    modules = (directory, gazetteer, geometry, model, projection, taxonomy, providers)
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for module in modules:
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.digest()


def placing(
    areas: Sequence[AdminArea],
    localities: Sequence[Locality],
    max_distance_km: float,
    schema: str | None,
) -> str:
    """A digest of what a placement depends on besides the providers: the gazetteer (the
    ancestors of an area, the projection of a confidential provider), the reach, the
    database's migration (a data migration changes rows without a revision) and the code."""
    # repr, not JSON: an area's geometry may hold numbers no JSON encoder takes.
    given = repr((max_distance_km, schema, tuple(areas), tuple(localities))).encode()
    return hashlib.sha256(_code() + given).hexdigest()[:32]


def snapshot_name(state: DirectoryState, placed_with: str) -> str:
    """The name of the snapshot of `state`, placed as `placed_with` says.

    The generation, revision and last event alone could repeat: a database restored from
    a backup and written again goes through them once more with other writes. The moments
    of its last change and last event do not repeat.
    """
    moments = orjson.dumps([state.changed_at, state.last_event_at, placed_with])
    digest = hashlib.sha256(moments).hexdigest()[:16]
    return f"{_PREFIX}{state.generation}-{state.revision}-{state.last_sequence}-{digest}"


class Snapshot(NamedTuple):
    """A snapshot file's placement and records, mapped into memory."""

    placed: Placed
    records: ProviderRecords


class Earlier(NamedTuple):
    """A snapshot of an earlier state of the same generation, which the change feed since
    may bring up to date."""

    name: str
    revision: int
    last_sequence: int
    last_event_at: datetime | None


class SnapshotFiles:
    """The snapshot files of an instance, in a folder of their own."""

    def __init__(self, folder: Path, *, lock_wait_seconds: float = LOCK_WAIT_SECONDS) -> None:
        self.folder = folder
        self.lock_wait_seconds = lock_wait_seconds

    @classmethod
    def at(cls, folder: Path | None) -> SnapshotFiles | None:
        """The snapshot files in `folder`, or none when there is no folder for them."""
        return None if folder is None else cls(folder)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Held while one worker builds and writes a snapshot: the others then wait and
        open the file it wrote, rather than each building and holding its own."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with (self.folder / ".lock").open("a") as lock:
            # A holder that hangs (a load stuck in its build) must not hold every start.
            deadline = time.monotonic() + self.lock_wait_seconds
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise TimeoutError("another process holds the snapshot files") from None
                    time.sleep(0.1)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def open(self, name: str) -> Snapshot | None:
        """The snapshot of that name, if it was written whole and reads back."""
        try:
            return self._open(self.folder / name)
        except FileNotFoundError:
            return None
        except (OSError, EOFError, ValueError, KeyError, TypeError):
            logger.warning("snapshot file %s unreadable: it is built again", name)
            return None

    @staticmethod
    def _open(folder: Path) -> Snapshot | None:
        meta = json.loads((folder / "meta.json").read_text())
        for file_name, checksum in meta["checksums"].items():
            if _checksum(folder / file_name) != checksum:
                raise ValueError(f"{file_name} is not as written")
        arrays = {path.stem: _mapped_array(path) for path in folder.glob("*.npy")}

        def layer(prefix: str) -> LayerColumns:
            indexes = {
                kind: _unflattened(meta[f"{prefix}.{kind}"], arrays, f"{prefix}.{kind}")
                for kind in _INDEXES
            }
            return LayerColumns(
                arrays[f"{prefix}.point_rows"],
                arrays[f"{prefix}.area_rows"],
                arrays[f"{prefix}.area_bounds"],
                indexes["by_pcode"],
                indexes["by_ancestor"],
            )

        placed = Placed(
            arrays["ids"],
            arrays["id_order"],
            arrays["lon"],
            arrays["lat"],
            RowArrays._make(arrays[f"rows.{name}"] for name in RowArrays._fields),
            *(layer(prefix) for prefix in _LAYERS),
        )
        ends, records = arrays["ends"], _mapped(folder / "records.bin")
        if not all(len(column) == meta["rows"] for column in (*placed.rows, placed.ids, ends)):
            raise ValueError("columns of unequal lengths")
        if len(records) != (int(ends[-1]) if len(ends) else 0):
            raise ValueError("records cut short")
        return Snapshot(placed, ProviderRecords(records, ends))

    def earlier(self, state: DirectoryState, placed_with: str) -> list[Earlier]:
        """The snapshots of earlier states of `state`'s generation, placed alike, newest first."""
        if state.generation is None:
            return []
        found = []
        for folder in self.folder.glob(f"{_PREFIX}*"):
            try:
                meta = json.loads((folder / "meta.json").read_text())
                at = meta["last_event_at"]
                earlier = Earlier(
                    folder.name,
                    int(meta["revision"]),
                    int(meta["last_sequence"]),
                    None if at is None else datetime.fromisoformat(at),
                )
                if (
                    meta["placing"] == placed_with
                    and meta["generation"] == state.generation
                    and earlier.revision < state.revision
                    and earlier.last_sequence <= state.last_sequence
                ):
                    found.append(earlier)
            except (OSError, ValueError, TypeError, KeyError):
                continue  # not one this release wrote whole: never caught up
        return sorted(found, key=lambda earlier: -earlier.last_sequence)

    def write(
        self,
        name: str,
        state: DirectoryState,
        placed_with: str,
        placed: Placed,
        records: ProviderRecords,
    ) -> None:
        """Write the snapshot `name` of `state`, whole or not at all; drop the older ones."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for unfinished in self.folder.glob(".writing-*"):
            # Writers hold the lock: one left is a crashed writer's.
            shutil.rmtree(unfinished, ignore_errors=True)
        partial = Path(tempfile.mkdtemp(prefix=".writing-", dir=self.folder))
        try:
            meta: dict[str, Any] = {
                "rows": len(placed.ids),
                "placing": placed_with,
                "generation": state.generation,
                "revision": state.revision,
                "last_sequence": state.last_sequence,
                "last_event_at": None
                if state.last_event_at is None
                else state.last_event_at.isoformat(),
            }
            arrays: dict[str, NDArray[Any]] = {
                "ids": placed.ids,
                "id_order": placed.id_order,
                "lon": placed.lon,
                "lat": placed.lat,
                "ends": np.asarray(records.ends, dtype=np.int64),
            }
            arrays |= {f"rows.{field}": value for field, value in placed.rows._asdict().items()}
            for prefix, layer in zip(_LAYERS, (placed.public, placed.confidential), strict=True):
                arrays[f"{prefix}.point_rows"] = layer.point_rows
                arrays[f"{prefix}.area_rows"] = layer.area_rows
                arrays[f"{prefix}.area_bounds"] = layer.area_bounds
                for kind, index in zip(_INDEXES, (layer.by_pcode, layer.by_ancestor), strict=True):
                    key = f"{prefix}.{kind}"
                    meta[key] = list(index)
                    arrays[f"{key}.offsets"], arrays[f"{key}.rows"] = _flattened(index)
            for array_name, value in arrays.items():
                with _durable(partial / f"{array_name}.npy") as file:
                    np.save(file, value, allow_pickle=False)
            with _durable(partial / "records.bin") as file:
                file.write(records.buffer)
            meta["checksums"] = {path.name: _checksum(path) for path in sorted(partial.iterdir())}
            # Last: a folder without it is one whose writer did not finish.
            with _durable(partial / "meta.json") as file:
                file.write(json.dumps(meta).encode())
            _sync_folder(partial)
            # One of this name that could not be opened is replaced.
            shutil.rmtree(self.folder / name, ignore_errors=True)
            os.rename(partial, self.folder / name)
            _sync_folder(self.folder)
        except OSError:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        for older in self.folder.glob(f"{_PREFIX}*"):
            if older.name != name:
                # A worker still searching an older snapshot keeps its mapped pages.
                shutil.rmtree(older, ignore_errors=True)


@contextlib.contextmanager
def _durable(path: Path) -> Iterator[BinaryIO]:
    """A file written and on the disk before the folder holding it is renamed into place:
    after a power cut, a snapshot is there whole or not at all."""
    with path.open("wb") as file:
        yield file
        file.flush()
        os.fsync(file.fileno())


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _checksum(path: Path) -> int:
    """CRC-32 of a file: blocks of the right size but the wrong content are not trusted."""
    checksum = 0
    with path.open("rb") as file:
        while block := file.read(1 << 22):
            checksum = zlib.crc32(block, checksum)
    return checksum


def _flattened(index: dict[str, NDArray[np.int64]]) -> tuple[NDArray[np.int64], NDArray[Any]]:
    """The rows of every key, end to end, and where each key's end."""
    parts = list(index.values())
    ends = np.cumsum([len(part) for part in parts], dtype=np.int64)
    rows = np.concatenate(parts) if parts else np.array([], dtype=np.int64)
    return ends, rows


def _unflattened(
    keys: list[str], arrays: dict[str, NDArray[Any]], prefix: str
) -> dict[str, NDArray[np.int64]]:
    ends, rows = arrays[f"{prefix}.offsets"], arrays[f"{prefix}.rows"]
    starts = np.concatenate([[0], ends[:-1]]) if len(ends) else ends
    return {
        key: rows[start:end]
        for key, start, end in zip(keys, starts.tolist(), ends.tolist(), strict=True)
    }


def _mapped_array(path: Path) -> NDArray[Any]:
    """The array of a `.npy` file, mapped, as a plain array: numpy's memmap type adds a
    Python call to every indexing, which search does a few dozen times."""
    try:
        array: NDArray[Any] = np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError:  # an empty array has nothing to map
        return np.load(path, allow_pickle=False)  # type: ignore[no-any-return]
    return array.view(np.ndarray)


def _mapped(path: Path) -> bytearray | mmap.mmap:
    with path.open("rb") as file:
        if os.fstat(file.fileno()).st_size == 0:
            return bytearray()  # an empty file has nothing to map
        return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
