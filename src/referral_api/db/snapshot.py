"""The in-process directory snapshot: built from the database, swapped when it changes."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from referral_api.db import repository
from referral_api.domain.directory import DirectoryIndex
from referral_api.domain.errors import DirectoryUnavailableError
from referral_api.domain.gazetteer import Gazetteer, Locality

logger = logging.getLogger("referral_api.snapshot")


class DirectorySnapshots:
    """Holds the current `DirectoryIndex`; readers never wait for a rebuild.

    Another instance may change the shared database: `current()` compares the directory's
    revision (one primary-key read) at most every `check_interval` seconds and rebuilds when
    it moved. A write on this instance calls `refresh()` so it shows in search at once.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        localities: Sequence[Locality],
        max_distance_km: float,
        check_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._localities = tuple(localities)
        self._max_distance_km = max_distance_km
        self._check_interval = check_interval
        self._clock = clock
        self._lock = threading.Lock()
        self._index: DirectoryIndex | None = None
        self._checked_at = float("-inf")
        self.last_build_seconds = 0.0

    def _build(self, session: Session, revision: int) -> DirectoryIndex:
        started = time.perf_counter()
        gazetteer = Gazetteer(repository.list_admin_areas(session=session), self._localities)
        index = DirectoryIndex(
            repository.all_providers(session=session),
            gazetteer,
            max_distance_km=self._max_distance_km,
            revision=revision,
        )
        self.last_build_seconds = time.perf_counter() - started
        return index

    def refresh(self) -> DirectoryIndex:
        """Rebuild now if the directory changed since the snapshot was taken.

        While the database cannot be reached, search goes on from the last snapshot: a
        slightly stale directory serves survivors better than none.
        """
        with self._lock:
            try:
                with Session(self._engine) as session:
                    revision = repository.current_revision(session=session)
                    if self._index is None or self._index.revision != revision:
                        self._index = self._build(session, revision)
            except SQLAlchemyError as error:
                if self._index is None:
                    raise DirectoryUnavailableError("The directory cannot be loaded") from error
                logger.warning("directory unreachable; searching the last snapshot")
            self._checked_at = self._clock()
            return self._index

    def current(self) -> DirectoryIndex:
        """The snapshot to search, checked for changes at most every `check_interval`."""
        index = self._index
        if index is not None and self._clock() - self._checked_at < self._check_interval:
            return index
        return self.refresh()
