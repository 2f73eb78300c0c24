"""Prometheus metrics for operators: requests, latency, searches, the snapshot, database errors.

Labels hold only values from fixed sets: a route's template (never the path it matched),
the method, the status class, a need sector, a kind of database error. No coordinate,
P-code, place name, query string, id or client address can become a label value, so
none can reach the exposition.

With several uvicorn workers, each writes its values to files in PROMETHEUS_MULTIPROC_DIR
and a scrape of any worker adds them all up (`referral-api serve` prepares the directory).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from starlette.types import Scope

from referral_api.domain import taxonomy
from referral_api.domain.directory import DirectoryIndex

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
# Search answers in a few milliseconds; a PDF or a page of a thousand features takes longer.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED = "unmatched"
SECTORS = frozenset(need.sector for need in taxonomy.NEEDS)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class Metrics:
    """The app's metrics, in a registry of its own (an app per test, one per process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.requests = Counter(
            "referral_http_requests",
            "HTTP requests answered, by route template, method and status class",
            ("route", "method", "status"),
            registry=registry,
        )
        self.latency = Histogram(
            "referral_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and method",
            ("route", "method"),
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.searches = Counter(
            "referral_searches",
            "Referral searches answered, by need sector asked (a search may count in several)",
            ("sector",),
            registry=registry,
        )
        self.database_errors = Counter(
            "referral_database_errors",
            "Database failures, by how they were answered (unavailable, conflict, invalid-input)",
            ("kind",),
            registry=registry,
        )
        # Each worker holds its own snapshot: the exposition shows the stalest of them.
        self.snapshot_revision = Gauge(
            "referral_snapshot_revision",
            "Directory revision of the search snapshot (the oldest among workers)",
            registry=registry,
            multiprocess_mode="livemin",
        )
        self.snapshot_taken = Gauge(
            "referral_snapshot_taken_timestamp_seconds",
            "When the search snapshot was built or last updated (Unix time; the oldest "
            "among workers): its age is time() minus this",
            registry=registry,
            multiprocess_mode="livemin",
        )
        self.snapshot_build = Gauge(
            "referral_snapshot_build_seconds",
            "How long the last full build of the search snapshot took (the longest among workers)",
            registry=registry,
            multiprocess_mode="livemax",
        )
        # Every sector from the start: a series at 0 reads better than a missing one, and
        # resolving a label child costs more than counting.
        self._sector_counters = {sector: self.searches.labels(sector) for sector in SECTORS}
        self._request_children: dict[tuple[str, str, str], tuple[Counter, Histogram]] = {}

    def observe_request(self, scope: Scope, status: int, seconds: float) -> None:
        """Count one answered HTTP request (AccessLogMiddleware calls this)."""
        method = scope["method"] if scope["method"] in _METHODS else "other"
        route = route_template(scope)
        key = (route, method, f"{status // 100}xx")
        children = self._request_children.get(key)
        if children is None:
            # Once per combination, like the sectors.
            children = (self.requests.labels(*key), self.latency.labels(route, method))
            self._request_children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def searched(self, needs: Iterable[str]) -> None:
        """Count one search under each sector its needs belong to."""
        for sector in {need.split(".", 1)[0] for need in needs}:
            counter = self._sector_counters.get(sector)
            if counter is not None:
                counter.inc()

    def database_error(self, kind: str) -> None:
        """Count one database failure, by the problem kind it was answered with."""
        self.database_errors.labels(kind).inc()

    def snapshot_swapped(self, index: DirectoryIndex, build_seconds: float) -> None:
        """Record the snapshot a worker now searches."""
        self.snapshot_revision.set(index.revision)
        self.snapshot_taken.set(time.time())
        self.snapshot_build.set(build_seconds)

    def snapshot_unreachable(self) -> None:
        """Count a failed refresh or revision check of the snapshot."""
        self.database_error("unavailable")

    def stopped(self) -> None:
        """Leave this worker's snapshot out of the shared gauges once it stops."""
        if os.environ.get(MULTIPROCESS_DIR):
            mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]  # untyped upstream

    def exposition(self) -> bytes:
        """The text exposition: this process's metrics, or every worker's when they share."""
        if os.environ.get(MULTIPROCESS_DIR):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # untyped upstream
            return bytes(generate_latest(registry))
        return bytes(generate_latest(self.registry))


@contextmanager
def shared_metrics(workers: int) -> Iterator[None]:
    """Let the workers about to start share their metrics through files.

    A directory named in PROMETHEUS_MULTIPROC_DIR is emptied of a previous run's files
    (their counts would add up with the new ones); several workers without one get a
    temporary directory, removed when they stop. The variable must be set before the
    workers start: prometheus_client reads it when it is imported.
    """
    given = os.environ.get(MULTIPROCESS_DIR)
    if given:
        for stale in Path(given).glob("*.db"):
            stale.unlink()
        yield
        return
    if workers < 2:
        yield
        return
    folder = tempfile.mkdtemp(prefix="referral-metrics-")
    os.environ[MULTIPROCESS_DIR] = folder
    try:
        yield
    finally:
        del os.environ[MULTIPROCESS_DIR]
        shutil.rmtree(folder, ignore_errors=True)


def route_template(scope: Scope) -> str:
    """The template of the route that answered (`/v1/providers/{provider_id}`), never the path."""
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return path
    # A mounted app (the docs page's assets) leaves its prefix in root_path instead.
    root, app_root = scope.get("root_path", ""), scope.get("app_root_path")
    if isinstance(app_root, str) and isinstance(root, str) and len(root) > len(app_root):
        return f"{root[len(app_root) :]}/{{path}}"
    return UNMATCHED
