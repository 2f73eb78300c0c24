"""A server killed with SIGKILL in a burst of creates: no duplicate, and no key blocked."""

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import UTC, datetime

import httpx
import pytest

from tests.e2e.conftest import command_env, free_port, partner_key, sample_copy, wait_until_ready

pytestmark = pytest.mark.e2e

# Long enough for a restart to find the claim still held, short enough to wait out.
LEASE_SECONDS = 5
# Four at a time, killed after five answers: the kill lands with keys still to send.
KEYS = [f"crash-{n}" for n in range(24)]


def start(database, log_path) -> tuple[str, subprocess.Popen[str]]:
    port = free_port()
    with log_path.open("a") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "referral_api", "serve", "--port", str(port)],
            env=command_env(database, REFERRAL_IDEMPOTENCY_LEASE_SECONDS=str(LEASE_SECONDS)),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    url = f"http://127.0.0.1:{port}"
    wait_until_ready(url, process, log_path)
    return url, process


def entry(key: str) -> dict:
    return {
        "organization_id": "femmes-debout",
        "name": f"Crash {key}",
        "location": {"lon": 18.55, "lat": 4.37},
        "services": [{"need": "case_management"}],
    }


def slow_down_creates(database) -> None:
    # Each insert of a provider does a tenth of a second's busy work in its transaction,
    # so that the kill lands while a create has claimed its key but not answered.
    with closing(sqlite3.connect(database)) as connection:
        connection.executescript(
            "CREATE TABLE busy (n INTEGER);"
            "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 200) "
            "INSERT INTO busy SELECT n FROM c;"
            "CREATE TRIGGER slow_create AFTER INSERT ON provider BEGIN "
            "SELECT count(*) FROM busy a, busy b, busy c; END;"
        )


def claimed_unanswered(database) -> bool:
    with closing(sqlite3.connect(database)) as connection:
        return bool(
            connection.execute(
                "SELECT count(*) FROM idempotency_record WHERE status_code IS NULL"
            ).fetchone()[0]
        )


def test_every_create_lands_once_after_a_kill_9(sqlite_sample, tmp_path):
    database = sample_copy(sqlite_sample, tmp_path)
    log_path = tmp_path / "server.log"
    url, process = start(database, log_path)
    headers = partner_key(database, "femmes-debout")
    slow_down_creates(database)
    acknowledged: dict[str, str] = {}
    lock = threading.Lock()

    def post(key: str) -> None:
        try:
            response = httpx.post(
                f"{url}/v1/providers",
                json=entry(key),
                headers={**headers, "Idempotency-Key": key},
                timeout=30,
            )
        except httpx.TransportError:
            return
        if response.status_code == 201:
            with lock:
                acknowledged[key] = response.json()["id"]

    try:
        with ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(post, key) for key in KEYS]
            deadline = time.monotonic() + 60
            while len(acknowledged) < 5 and time.monotonic() < deadline:
                time.sleep(0.01)
            while not claimed_unanswered(database) and time.monotonic() < deadline:
                time.sleep(0.005)
            process.send_signal(signal.SIGKILL)
            for future in futures:
                future.result()
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
    assert 5 <= len(acknowledged) < len(KEYS)

    with closing(sqlite3.connect(database)) as connection:
        connection.execute("DROP TRIGGER slow_create")
        connection.commit()
        unanswered = connection.execute(
            "SELECT idempotency_key, expires_at FROM idempotency_record "
            "WHERE status_code IS NULL ORDER BY expires_at"
        ).fetchall()
    assert unanswered, "the kill did not land between a claim and its answer"
    killed_at = datetime.now(UTC)

    url, process = start(database, log_path)
    try:
        key, expires_at = unanswered[-1]
        lease_ends = datetime.fromisoformat(expires_at).replace(tzinfo=UTC)
        assert (lease_ends - killed_at).total_seconds() <= LEASE_SECONDS, "claimed for longer"
        again = httpx.post(
            f"{url}/v1/providers", json=entry(key), headers={**headers, "Idempotency-Key": key}
        )
        if datetime.now(UTC) < lease_ends:  # the restart was quick enough to see it live
            assert again.status_code == 409, again.text
        while datetime.now(UTC) < lease_ends:
            time.sleep(0.2)
        for key in KEYS:
            retried = httpx.post(
                f"{url}/v1/providers",
                json=entry(key),
                headers={**headers, "Idempotency-Key": key},
                timeout=30,
            )
            assert retried.status_code == 201, (key, retried.text)
            if key in acknowledged:
                assert retried.headers["idempotent-replayed"] == "true"
                assert retried.json()["id"] == acknowledged[key]
    finally:
        process.terminate()
        process.wait(timeout=15)

    with closing(sqlite3.connect(database)) as connection:
        names = connection.execute(
            "SELECT name, count(*) FROM provider WHERE name LIKE 'Crash %' GROUP BY name"
        ).fetchall()
        creates = connection.execute(
            "SELECT count(*) FROM change_event WHERE action = 'create'"
        ).fetchone()
    assert dict(names) == {f"Crash {key}": 1 for key in KEYS}
    assert creates == (len(KEYS),)
