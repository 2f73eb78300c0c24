"""Benchmark of referral search: in-process latency, exactness and HTTP throughput.

Builds synthetic directories of 1k, 10k and 100k providers at a constant density (a bigger
directory covers a bigger region, as a multi-country deployment would), then measures:

- in-process `search()` latency (p50, p99) for random places, needs and urgency windows,
  in rounds of new questions;
- that the indexed top-k equals a brute-force ranking of every provider;
- HTTP requests/s of POST /v1/referrals/search against a static endpoint that returns a
  same-size payload through the same response model, both served by one uvicorn worker in
  this run and loaded by a bounded keep-alive client on 127.0.0.1, in alternating slices.

The last line printed is one JSON object with the figures. Run: `make bench`, or
`python bench/search.py --sizes 1000,10000,100000`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from referral_api.domain.directory import DirectoryIndex
from referral_api.domain.gazetteer import Gazetteer
from referral_api.domain.model import (
    AdminArea,
    Eligibility,
    Modality,
    Organization,
    OrganizationKind,
    Provider,
    Service,
    ServiceArea,
    Sex,
    Visibility,
)
from referral_api.domain.ranking import (
    Profile,
    RankingWeights,
    SearchQuery,
    TimeSinceIncident,
    brute_force,
    search,
)
from referral_api.domain.taxonomy import NEEDS

CENTRE = (20.0, 5.0)
DENSITY_PER_KM2 = 0.0125  # about 100 providers within the default 50 km reach
KM_PER_DEGREE = 111.0
AT = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
HOURS = [
    "24/7",
    "Mo-Fr 08:00-16:00",
    "Mo-Fr 07:30-15:30; Sa 08:00-12:00",
    "Mo-Sa 08:00-20:00",
    "Tu,Th 09:00-15:00",
    None,
]
CODES = [need.code for need in NEEDS]
LEAF_CODES = [code for code in CODES if not any(o.startswith(code + ".") for o in CODES)]
QUERY_NEEDS = [
    ("medical",),
    ("medical.pep",),
    ("psychosocial",),
    ("case_management",),
    ("medical", "psychosocial"),
    ("legal",),
    ("safety",),
    ("legal.aid", "medical.ec"),
]
WINDOWS = list(TimeSinceIncident)


def half_side_degrees(size: int) -> float:
    """Half the side of the square region holding `size` providers at the set density."""
    return math.sqrt(size / DENSITY_PER_KM2) / KM_PER_DEGREE / 2


def synthetic_areas(size: int) -> list[AdminArea]:
    """A grid of 1-degree adm1 cells over the region: the gazetteer of the deployment."""
    half = half_side_degrees(size)
    west, south = CENTRE[0] - half, CENTRE[1] - half
    cells = max(1, math.ceil(2 * half))
    step = 2 * half / cells
    areas = []
    for i in range(cells):
        for j in range(cells):
            w, s = west + i * step, south + j * step
            ring = [[w, s], [w + step, s], [w + step, s + step], [w, s + step], [w, s]]
            areas.append(
                AdminArea(
                    pcode=f"XX{i:03d}{j:03d}",
                    name=f"Cell {i}-{j}",
                    level=1,
                    parent_pcode=None,
                    label_lon=w + step / 2,
                    label_lat=s + step / 2,
                    cod_version="bench",
                    geometry={"type": "Polygon", "coordinates": [ring]},
                )
            )
    return areas


def synthetic_providers(size: int, areas: list[AdminArea], seed: int = 1) -> list[Provider]:
    """`size` providers with a realistic mix of modalities, needs, hours and freshness."""
    rng = random.Random(seed)
    half = half_side_degrees(size)
    out = []
    for n in range(size):
        lon = CENTRE[0] + rng.uniform(-half, half)
        lat = CENTRE[1] + rng.uniform(-half, half)
        kind = rng.random()
        area = ServiceArea()
        modality = Modality.STATIC
        if kind < 0.05:
            modality, area = Modality.REMOTE, ServiceArea(pcodes=(rng.choice(areas).pcode,))
        elif kind < 0.15:
            modality = Modality.MOBILE
            w, s = lon - rng.uniform(0.05, 0.3), lat - rng.uniform(0.05, 0.3)
            e, t = lon + rng.uniform(0.05, 0.3), lat + rng.uniform(0.05, 0.3)
            ring = [[w, s], [e, s], [e, t], [w, t], [w, s]]
            area = ServiceArea(geometry={"type": "Polygon", "coordinates": [ring]})
        elif kind < 0.25:
            area = ServiceArea(radius_km=rng.uniform(5, 40))
        needs = rng.sample(LEAF_CODES, rng.randint(1, 4))
        services = tuple(
            Service(
                need,
                Eligibility(
                    sexes=(Sex.FEMALE,) if rng.random() < 0.1 else (),
                    max_age=17 if rng.random() < 0.05 else None,
                ),
                capabilities=tuple(c for c in ("pep", "ec") if rng.random() < 0.3),
            )
            for need in needs
        )
        located = modality is not Modality.REMOTE
        restricted = rng.random() < 0.02
        if restricted and area.geometry is not None:
            # A confidential entry declares its area by radius or P-codes, never a polygon.
            area = ServiceArea(radius_km=20.0)
        out.append(
            Provider(
                id=uuid.UUID(int=rng.getrandbits(128)),
                organization_id=f"org-{n % 50}",
                name=f"Provider {n}",
                modality=modality,
                services=services,
                lon=round(lon, 6) if located else None,
                lat=round(lat, 6) if located else None,
                service_area=area,
                opening_hours=rng.choice(HOURS),
                timezone="Africa/Bangui",
                languages=tuple(rng.sample(["fr", "sg", "en", "ar"], rng.randint(1, 2))),
                visibility=Visibility.RESTRICTED if restricted else Visibility.PUBLIC,
                accepting_referrals=rng.random() > 0.03,
                last_verified_at=AT - timedelta(days=rng.randint(0, 200)),
                verification="sample",
            )
        )
    return out


def synthetic_queries(
    size: int, index: DirectoryIndex, count: int, seed: int = 2
) -> list[SearchQuery]:
    """Random places, needs, profiles and urgency windows inside the region."""
    rng = random.Random(seed)
    half = half_side_degrees(size) * 0.9
    queries = []
    for _ in range(count):
        lon = CENTRE[0] + rng.uniform(-half, half)
        lat = CENTRE[1] + rng.uniform(-half, half)
        queries.append(
            SearchQuery(
                place=index.gazetteer.at_point(lon, lat),
                needs=rng.choice(QUERY_NEEDS),
                at=AT,
                profile=Profile(age=rng.choice([None, 16, 30]), languages=("sg",)),
                time_since_incident=rng.choice(WINDOWS),
                limit=10,
            )
        )
    return queries


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure_in_process(
    size: int, queries_count: int, exact_count: int, rounds: int
) -> dict[str, Any]:
    """Latency of `search()` on a directory of `size`, and agreement with brute force.

    Each round asks `queries_count` new questions, as a running server keeps being asked;
    the p50 is the median of the rounds' medians, so that a burst of noise on a shared
    machine moves one round, not the figure."""
    areas = synthetic_areas(size)
    providers = synthetic_providers(size, areas)
    weights = RankingWeights()
    started = time.perf_counter()
    index = DirectoryIndex(providers, Gazetteer(areas), max_distance_km=weights.max_distance_km)
    build_s = time.perf_counter() - started
    queries = synthetic_queries(size, index, queries_count * rounds)
    for q in queries[:50]:
        search(index, q, weights)  # warm caches (hours parsing) as a running server would
    gc.collect()
    gc.freeze()  # as the server does after building a snapshot
    timings = []
    round_p50s = []
    options = 0
    for start in range(0, len(queries), queries_count):
        round_timings = []
        for q in queries[start : start + queries_count]:
            started = time.perf_counter()
            result = search(index, q, weights)
            round_timings.append((time.perf_counter() - started) * 1000)
            options += len(result.options)
        round_p50s.append(round(statistics.median(round_timings), 3))
        timings += round_timings
    exact = 0
    for q in queries[:exact_count]:
        expected = [f.entry.provider.id for f in brute_force(index, q, weights)][: q.limit]
        got = [o.facts.entry.provider.id for o in search(index, q, weights).options]
        exact += expected == got
    return {
        "size": size,
        "p50_ms": statistics.median(round_p50s),
        "round_p50_ms": round_p50s,
        "p99_ms": round(percentile(timings, 0.99), 3),
        "mean_options": round(options / len(queries), 1),
        "index_build_s": round(build_s, 2),
        "exact_topk": exact / exact_count,
        "exact_checked": exact_count,
    }


# --- HTTP ----------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request_bytes(method: str, path: str, body: bytes = b"") -> bytes:
    """A raw HTTP/1.1 keep-alive request."""
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _worker(port: int, requests: list[bytes], deadline: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    position = 0
    while time.perf_counter() < deadline:
        writer.write(requests[position % len(requests)])
        position += 1
        status = await reader.readline()
        length = 0
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        await reader.readexactly(length)
        counts[0 if status.split()[1] == b"200" else 1] += 1
    writer.close()


def load(port: int, requests: list[bytes], seconds: float, connections: int) -> dict[str, float]:
    """Requests per second over `seconds`, from `connections` keep-alive connections."""
    counts = [0, 0]

    async def run() -> None:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(
            *(_worker(port, requests, deadline, counts) for _ in range(connections))
        )

    started = time.perf_counter()
    asyncio.run(run())
    elapsed = time.perf_counter() - started
    return {"rps": round(counts[0] / elapsed, 1), "errors": counts[1]}


def bench_app() -> Any:
    """The real app plus a static endpoint answering a stored search through the same model."""
    from fastapi import FastAPI

    from referral_api.api.search_schemas import SearchResponse
    from referral_api.app import create_app

    app: FastAPI = create_app()
    payload: list[SearchResponse] = []

    # Fields at their default left out, as search leaves them out: the same bytes are sent.
    @app.get("/bench/static", response_model=SearchResponse, response_model_exclude_defaults=True)
    def static() -> SearchResponse:
        if not payload:  # written once this server has answered real searches
            stored = Path(os.environ["BENCH_STATIC_PAYLOAD"]).read_text()
            payload.append(SearchResponse.model_validate_json(stored))
        return payload[0]

    return app


def verify_many(url: str, count: int) -> None:
    """Partner writes on `count` providers, each its own change: more than a snapshot takes
    one by one (writes on one provider would be taken as one change)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from referral_api import editing
    from referral_api.db.engine import make_engine
    from referral_api.db.tables import ProviderRow
    from referral_api.domain.access import Viewer

    class Untouched:
        """The server under test notices the writes by itself, as another instance's."""

        def refresh(self) -> None:
            return None

    # The writer stands for another instance: on this machine it must not take the CPU
    # from the server whose searches are timed.
    os.nice(10)
    admin = editing.Actor(
        Viewer(organization_id="org-0", is_admin=True, key_id="bench"), request_id="bench"
    )
    engine = make_engine(url)
    with Session(engine) as session:
        ids = session.scalars(select(ProviderRow.id).limit(count)).all()
        for provider_id in ids:
            editing.verify_provider(
                session=session, search=Untouched(), provider_id=provider_id, actor=admin
            )
    engine.dispose()


def snapshot_gauges(client: Any) -> dict[str, float]:
    """The server's snapshot gauges, from its Prometheus exposition."""
    found = {}
    for line in client.get("/metrics").text.splitlines():
        name, _, value = line.partition(" ")
        if name in ("referral_snapshot_revision", "referral_snapshot_build_seconds"):
            found[name] = float(value)
    return found


def searches_timed(client: Any, bodies: list[bytes], until: Any) -> list[float]:
    """Milliseconds of each search, sent one after another until `until()` (asked every
    twentieth search)."""
    latencies: list[float] = []
    while len(latencies) % 20 or not until():
        sent = time.perf_counter()
        body = bodies[len(latencies) % len(bodies)]
        client.post("/v1/referrals/search", content=body).raise_for_status()
        latencies.append((time.perf_counter() - sent) * 1000)
    return latencies


def measure_rebuild(port: int, url: str, bodies: list[bytes]) -> dict[str, Any]:
    """Search p99 on an idle server, and while it rebuilds its snapshot after a run of
    writes made by another process (as by another instance) too long to take one by one."""
    import multiprocessing

    import httpx

    from referral_api.db.snapshot import INCREMENTAL_LIMIT

    headers = {"Content-Type": "application/json"}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=120) as client:
        idle_until = time.perf_counter() + 6.0
        idle = searches_timed(client, bodies, lambda: time.perf_counter() > idle_until)
        before = snapshot_gauges(client)
        target = before["referral_snapshot_revision"] + INCREMENTAL_LIMIT + 1
        writer = multiprocessing.get_context("spawn").Process(
            target=verify_many, args=(url, INCREMENTAL_LIMIT + 1)
        )
        writer.start()
        started = time.perf_counter()
        during = searches_timed(
            client,
            bodies,
            lambda: snapshot_gauges(client)["referral_snapshot_revision"] >= target,
        )
        caught_up_s = time.perf_counter() - started
        writer.join()
        after = snapshot_gauges(client)
    return {
        "idle_p99_ms": round(percentile(idle, 0.99), 2),
        "rebuild_p99_ms": round(percentile(during, 0.99), 2),
        "rebuild_max_ms": round(max(during), 1),
        "rebuild_p99_ratio": round(percentile(during, 0.99) / percentile(idle, 0.99), 2),
        "rebuild_window_s": round(caught_up_s, 1),
        "rebuild_searches": len(during),
        # A new build time says the server built its snapshot again, not change by change.
        "rebuilt": after["referral_snapshot_build_seconds"]
        != before["referral_snapshot_build_seconds"],
    }


# Writes each followed by a timed refresh: one refresh is a few milliseconds, and one
# timing of it is as much the machine's noise as the refresh.
REFRESHES_TIMED = 7


def measure_snapshot(engine: Any, provider_id: uuid.UUID) -> tuple[float, float]:
    """Seconds to build the snapshot from the database; ms to refresh it after one write
    (the median of `REFRESHES_TIMED`, each after one more write)."""
    from sqlalchemy.orm import Session

    from referral_api import editing
    from referral_api.db.snapshot import DirectorySnapshots
    from referral_api.domain.access import Viewer

    snapshots = DirectorySnapshots(engine, localities=[], max_distance_km=50.0)
    started = time.perf_counter()
    snapshots.refresh()
    rebuild_s = time.perf_counter() - started
    admin = editing.Actor(
        Viewer(organization_id="org-0", is_admin=True, key_id="bench"), request_id="bench"
    )

    class Untouched:
        """Leaves the refresh after the write to be timed below."""

        def refresh(self) -> None:
            return None

    timings = []
    for _ in range(REFRESHES_TIMED):
        with Session(engine) as session:
            editing.verify_provider(
                session=session, search=Untouched(), provider_id=provider_id, actor=admin
            )
        started = time.perf_counter()
        refreshed = snapshots.refresh()
        timings.append((time.perf_counter() - started) * 1000)
        assert refreshed.changes_since_build == 1  # the same provider, changed again
    return rebuild_s, statistics.median(timings)


def write_directory_file(
    path: Path, organizations: list[Organization], providers: list[Provider]
) -> None:
    """The directory as a GeoJSON FeatureCollection, written a feature at a time."""
    from referral_api.documents import OrganizationDocument
    from referral_api.interop.geojson import provider_feature

    with path.open("w", encoding="utf-8") as handle:
        documents = [OrganizationDocument.of(o).model_dump(mode="json") for o in organizations]
        handle.write(f'{{"type": "FeatureCollection", "organizations": {json.dumps(documents)}')
        handle.write(', "features": [\n')
        for n, provider in enumerate(providers):
            handle.write((",\n" if n else "") + json.dumps(provider_feature(provider)))
        handle.write("\n]}\n")


def write_areas_file(path: Path, areas: list[AdminArea]) -> None:
    """The gazetteer as the admin-area FeatureCollection `load --areas` reads."""
    features = [
        {
            "type": "Feature",
            "geometry": area.geometry,
            "properties": {
                "pcode": area.pcode,
                "name": area.name,
                "level": area.level,
                "parent_pcode": area.parent_pcode,
                "label_point": [area.label_lon, area.label_lat],
                "cod_version": area.cod_version,
            },
        }
        for area in areas
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))


def measure_http(
    size: int, seconds: float, rounds: int, connections: int, database_url: str | None
) -> dict[str, Any]:
    """Requests/s of search against the static endpoint, on one uvicorn worker."""
    # The SQLite file of a 100k directory weighs about 85 MB: it goes when the run ends.
    with tempfile.TemporaryDirectory(prefix="referral-bench-") as workdir:
        return _measure_http_in(Path(workdir), size, seconds, rounds, connections, database_url)


def _measure_http_in(
    workdir: Path,
    size: int,
    seconds: float,
    rounds: int,
    connections: int,
    database_url: str | None,
) -> dict[str, Any]:

    from referral_api.db.engine import make_engine
    from referral_api.db.migrate import upgrade
    from referral_api.settings import Settings

    url = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    settings = Settings(database_url=url)
    engine = make_engine(url)
    upgrade(settings.migrations_dir, engine)
    areas = synthetic_areas(size)
    providers = synthetic_providers(size, areas)
    organizations = [
        Organization(id=f"org-{n}", name=f"Organization {n}", kind=OrganizationKind.NGO)
        for n in range(50)
    ]
    directory_file, areas_file = workdir / "directory.geojson", workdir / "areas.geojson"
    write_directory_file(directory_file, organizations, providers)
    first_id = providers[0].id
    del providers  # a million of them weigh gigabytes, and the server needs the memory
    write_areas_file(areas_file, areas)
    snapshots_dir = workdir / "snapshots"
    env = dict(
        os.environ,
        REFERRAL_DATABASE_URL=url,
        REFERRAL_SNAPSHOT_DIR=str(snapshots_dir),
        REFERRAL_LOG_LEVEL="warning",
        BENCH_STATIC_PAYLOAD=str(workdir / "payload.json"),
    )
    # `referral-api load` as an operator runs it: the file streamed, checked, inserted.
    started = time.perf_counter()
    loader = subprocess.Popen(
        [sys.executable, "-m", "referral_api", "load", str(directory_file)]
        + ["--areas", str(areas_file)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    # The peak as the loader's own memory map counts it (a child's ru_maxrss would count the
    # pages of this process it was forked from).
    load_peak_mb = 0
    while loader.poll() is None:
        try:
            load_peak_mb = max(load_peak_mb, resident_mb(loader.pid)[1])
        except (FileNotFoundError, KeyError):
            pass  # ended meanwhile, or not yet run
        time.sleep(0.2)
    load_s = time.perf_counter() - started
    if loader.returncode != 0:
        raise RuntimeError(f"referral-api load failed ({loader.returncode})")
    directory_file.unlink()
    rebuild_s, refresh_ms = measure_snapshot(engine, first_id)
    engine.dispose()

    rng = random.Random(3)
    half = half_side_degrees(size) * 0.9
    bodies = [
        json.dumps(
            {
                "lat": round(CENTRE[1] + rng.uniform(-half, half), 4),
                "lon": round(CENTRE[0] + rng.uniform(-half, half), 4),
                "needs": list(rng.choice(QUERY_NEEDS)),
                "time_since_incident": rng.choice(WINDOWS).value,
                "at": AT.isoformat(),
            }
        ).encode()
        for _ in range(200)
    ]
    port = free_port()
    import httpx

    # One server, timed from its start to /readyz and to the first search answered on the
    # whole directory. Its median-size answer to real searches becomes the payload of the
    # static endpoint, so both endpoints send the same shape and size.
    started = time.perf_counter()
    server = start_server(port, env, workers=1)
    try:
        wait_ready(port)
        startup_s = time.perf_counter() - started
        ready_s = ready_seconds(port, bodies[0], started)
        rss_mb, rss_peak_mb = resident_mb(server.pid)
        sizes = []
        for body in bodies[:20]:
            answer = httpx.post(
                f"http://127.0.0.1:{port}/v1/referrals/search",
                content=body,
                headers={"Content-Type": "application/json"},
                timeout=30,
            )
            sizes.append((len(answer.content), answer.text))
        typical = sorted(sizes)[len(sizes) // 2][1]
        (workdir / "payload.json").write_text(typical)
        search_requests = [request_bytes("POST", "/v1/referrals/search", b) for b in bodies]
        static_requests = [request_bytes("GET", "/bench/static")]
        load(port, static_requests, 1.0, connections)  # warm-up
        load(port, search_requests, 1.0, connections)
        # Short slices of each load in turn: a burst of noise on a shared machine then falls
        # on both endpoints, not on one of them. The ratio is the median of the slices'.
        slices = [
            (
                load(port, static_requests, seconds / rounds, connections),
                load(port, search_requests, seconds / rounds, connections),
            )
            for _ in range(rounds)
        ]
        # Entries are made as searches first read them: after the load, the server holds
        # those of the places searched, as one that has been serving for a while does.
        rss_served_mb, _ = resident_mb(server.pid)
        rebuild = measure_rebuild(port, url, bodies)
    finally:
        server.terminate()
        server.wait(timeout=30)
    ratios = [round(searched["rps"] / static["rps"], 3) for static, searched in slices]
    # Without the snapshot file `load` left: the server reads and places the directory.
    shutil.rmtree(snapshots_dir)
    cold_s = timed_start(env, bodies[0])
    instance_mb = two_workers_mb(env, bodies)
    return {
        "size": size,
        "load_into_database_s": round(load_s, 1),
        "load_peak_mb": load_peak_mb,
        "snapshot_rebuild_s": round(rebuild_s, 2),
        "snapshot_refresh_after_write_ms": round(refresh_ms, 1),
        "server_ready_s": round(startup_s, 1),
        "ready_s": round(ready_s, 1),
        "rss_mb": rss_mb,
        "rss_peak_mb": rss_peak_mb,
        "rss_served_mb": rss_served_mb,
        "ready_cold_s": round(cold_s, 1),
        **rebuild,
        "two_workers_pss_mb": instance_mb["pss"],
        "two_workers_rss_mb": instance_mb["rss"],
        "payload_bytes": len(typical),
        "static_rps": round(statistics.median(static["rps"] for static, _ in slices), 1),
        "search_rps": round(statistics.median(searched["rps"] for _, searched in slices), 1),
        "errors": sum(static["errors"] + searched["errors"] for static, searched in slices),
        "http_ratio_vs_static": round(statistics.median(ratios), 3),
        "slice_ratios": ratios,
        "connections": connections,
        "database": url.split(":", 1)[0],
    }


def start_server(port: int, env: dict[str, str], workers: int) -> subprocess.Popen[bytes]:
    """uvicorn serving the bench app on `port`, as `serve` would."""
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "search:bench_app", "--factory"]
        + ["--app-dir", str(Path(__file__).parent), "--port", str(port), "--no-access-log"]
        + ["--log-level", "warning", "--workers", str(workers)],
        env=env,
    )


def timed_start(env: dict[str, str], body: bytes) -> float:
    """Seconds from a server's start to a search answered on the whole directory."""
    port = free_port()
    started = time.perf_counter()
    server = start_server(port, env, workers=1)
    try:
        return ready_seconds(port, body, started)
    finally:
        server.terminate()
        server.wait(timeout=30)


def two_workers_mb(env: dict[str, str], bodies: list[bytes]) -> dict[str, int]:
    """Memory of a whole instance of two workers (and their supervisor) once both have
    answered searches: proportional set sizes, which count a page shared by both workers
    half in each, and the plain sum of resident sizes, which counts it twice."""
    import httpx

    port = free_port()
    server = start_server(port, env, workers=2)
    try:
        wait_ready(port)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for body in bodies * 2:  # the requests fall on both workers
                answer = client.post(
                    "/v1/referrals/search",
                    content=body,
                    headers={"Content-Type": "application/json"},
                )
                answer.raise_for_status()
        processes = [server.pid, *children(server.pid)]
        return {
            "pss": sum(proportional_mb(pid) for pid in processes),
            "rss": sum(resident_mb(pid)[0] for pid in processes),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def children(pid: int) -> list[int]:
    """The child processes of `pid` (Linux)."""
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def proportional_mb(pid: int) -> int:
    """Proportional set size of a process in MB (Linux)."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) // 1024
    raise KeyError("Pss")


def measure_example_answer() -> dict[str, int]:
    """Bytes of the docs page's built-in example, answered from the shipped sample: raw and
    as each encoding a caseworker's browser may accept."""
    from fastapi.testclient import TestClient

    from referral_api.api.search_schemas import EXAMPLE_REQUEST
    from referral_api.app import create_app
    from referral_api.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite:///{Path(folder) / 'sample.sqlite3'}")
        with TestClient(create_app(settings)) as client:
            sizes = {}
            for encoding in ("identity", "gzip", "br", "zstd"):
                answer = client.post(
                    "/v1/referrals/search",
                    json=EXAMPLE_REQUEST,
                    headers={"Accept-Encoding": encoding},
                )
                sizes[encoding] = int(answer.headers["content-length"])
    return {
        "example_bytes": sizes["identity"],
        "example_gzip_bytes": sizes["gzip"],
        "example_br_bytes": sizes["br"],
        "example_zstd_bytes": sizes["zstd"],
    }


def ready_seconds(port: int, body: bytes, started: float, timeout: float = 1800) -> float:
    """Seconds from `started` until the server on `port` answers a search with 200."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            answer = httpx.post(
                f"http://127.0.0.1:{port}/v1/referrals/search",
                content=body,
                headers={"Content-Type": "application/json"},
                timeout=timeout,
            )
            if answer.status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not answer a search")


def resident_mb(pid: int) -> tuple[int, int]:
    """Resident memory of a process now and at its peak, in MB (Linux)."""
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    kb = {line.split(":")[0]: int(line.split()[1]) for line in status if line.startswith("Vm")}
    return kb["VmRSS"] // 1024, kb["VmHWM"] // 1024


def label(size: int) -> str:
    """A size as the summary's keys name it: 100k, 1m."""
    return f"{size // 1_000_000}m" if size % 1_000_000 == 0 else f"{size // 1000}k"


def wait_ready(port: int, timeout: float = 1800) -> None:
    """Wait until the server on `port` answers /readyz."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError("server did not become ready")


def main() -> None:
    """Run the benchmark and print its figures, the summary last."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=2000, help="per round")
    parser.add_argument("--rounds", type=int, default=5, help="of in-process queries")
    parser.add_argument("--exact", type=int, default=100, help="queries checked by brute force")
    parser.add_argument("--http-seconds", type=float, default=8.0, help="per endpoint")
    parser.add_argument("--http-rounds", type=int, default=4, help="slices of each load")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--no-http", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    for size in sizes:
        figures = measure_in_process(size, args.queries, args.exact, args.rounds)
        results[size] = figures
        print(json.dumps(figures))
    summary: dict[str, Any] = {}
    largest = max(sizes)
    summary[f"p50_ms_{label(largest)}"] = results[largest]["p50_ms"]
    summary[f"p99_ms_{label(largest)}"] = results[largest]["p99_ms"]
    if 10000 in results and 100000 in results:
        summary["p50_growth_10k_to_100k"] = round(
            results[100000]["p50_ms"] / results[10000]["p50_ms"], 3
        )
    summary["exact_topk"] = min(r["exact_topk"] for r in results.values())
    summary.update(measure_example_answer())
    if not args.no_http:
        http = measure_http(
            largest, args.http_seconds, args.http_rounds, args.connections, args.database_url
        )
        print(json.dumps(http))
        summary["http_ratio_vs_static"] = http["http_ratio_vs_static"]
        summary["search_rps"] = http["search_rps"]
        summary["static_rps"] = http["static_rps"]
        summary["snapshot_rebuild_s"] = http["snapshot_rebuild_s"]
        summary["snapshot_refresh_after_write_ms"] = http["snapshot_refresh_after_write_ms"]
        summary[f"refresh_ms_{label(largest)}"] = http["snapshot_refresh_after_write_ms"]
        summary[f"ready_s_{label(largest)}"] = http["ready_s"]
        summary[f"rss_mb_{label(largest)}"] = http["rss_mb"]
        summary[f"rss_peak_mb_{label(largest)}"] = http["rss_peak_mb"]
        summary[f"rss_served_mb_{label(largest)}"] = http["rss_served_mb"]
        summary[f"ready_cold_s_{label(largest)}"] = http["ready_cold_s"]
        summary[f"two_workers_pss_mb_{label(largest)}"] = http["two_workers_pss_mb"]
        summary[f"two_workers_rss_mb_{label(largest)}"] = http["two_workers_rss_mb"]
        for key in ("idle_p99_ms", "rebuild_p99_ms", "rebuild_p99_ratio", "rebuilt"):
            summary[f"{key}_{label(largest)}"] = http[key]
        summary[f"load_s_{label(largest)}"] = http["load_into_database_s"]
        summary[f"load_peak_mb_{label(largest)}"] = http["load_peak_mb"]
        summary["database"] = http["database"]
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
