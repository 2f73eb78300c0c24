"""A bulk load killed with SIGKILL halfway leaves the database as it was."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import httpx
import pytest

from tests.conftest import sample_document
from tests.e2e.conftest import command_env, free_port, sample_copy

pytestmark = pytest.mark.e2e


def big_directory(path, copies: int) -> None:
    document = sample_document()
    features = []
    for n in range(copies):
        for feature in document["features"]:
            clone = json.loads(json.dumps(feature))
            clone["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{feature['id']}/{n}"))
            features.append(clone)
    document["features"] = features
    path.write_text(json.dumps(document), encoding="utf-8")


def test_kill_9_during_load_changes_nothing_and_the_server_starts(sqlite_sample, tmp_path):
    database = sample_copy(sqlite_sample, tmp_path)
    big = tmp_path / "big.geojson"
    big_directory(big, 100)  # 5,500 providers: the load writes megabytes before it commits
    wal = tmp_path / "directory.sqlite3-wal"
    before = wal.stat().st_size if wal.exists() else 0
    loader = subprocess.Popen(
        [sys.executable, "-m", "referral_api", "load", str(big)],
        env=command_env(database),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    # Kill once the load has written into the open transaction (the write-ahead log grows).
    while time.monotonic() < deadline and loader.poll() is None:
        if wal.exists() and wal.stat().st_size > before + 1_000_000:
            break
        time.sleep(0.02)
    assert loader.poll() is None, "the load ended before it could be interrupted"
    os.kill(loader.pid, signal.SIGKILL)
    loader.wait(timeout=30)

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "referral_api", "serve", "--port", str(port)],
        env=command_env(database),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(150):
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
                if ready.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        assert ready.json() == {"status": "ok", "providers": 55, "directory_revision": 1}
    finally:
        server.terminate()
        server.wait(timeout=30)
