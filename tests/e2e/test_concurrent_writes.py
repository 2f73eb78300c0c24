"""Concurrent partners over real HTTP: no lost update, one provider per Idempotency-Key."""

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import sample_copy
from tests.e2e.conftest import Server, partner_key, running_server

pytestmark = pytest.mark.e2e

SAFE_SPACE_ID = "4a7decda-dfd8-5425-b230-3cce35f62650"  # femmes-debout
WRITERS = 8
# 48 accepted updates, each raced by seven writers that read the same revision: one lost
# update would show in the final count, and a round of eight is where it would happen.
CYCLES = 6


@pytest.fixture(scope="module")
def server(sqlite_sample, tmp_path_factory) -> Iterator[Server]:
    """One server for both races: they write to entries of their own."""
    folder = tmp_path_factory.mktemp("races")
    with running_server(sample_copy(sqlite_sample, folder), folder / "server.log") as running:
        yield running


def test_eight_writers_lose_no_update(server):
    headers = partner_key(server.database, "femmes-debout")
    url = f"{server.url}/v1/providers/{SAFE_SPACE_ID}"
    start = httpx.get(url, headers=headers)
    reset = httpx.patch(
        url,
        json={"description": {"en": "0"}},
        headers={**headers, "If-Match": start.headers["etag"]},
    )
    assert reset.status_code == 200
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def writer() -> None:
        with httpx.Client(headers=headers, timeout=30) as client:
            done = 0
            while done < CYCLES:
                read = client.get(url)
                count = int(read.json()["description"]["en"])
                response = client.patch(
                    url,
                    json={"description": {"en": str(count + 1)}},
                    headers={"If-Match": read.headers["etag"]},
                )
                with lock:
                    statuses[response.status_code] += 1
                done += response.status_code == 200

    with ThreadPoolExecutor(WRITERS) as pool:
        for future in [pool.submit(writer) for _ in range(WRITERS)]:
            future.result()
    assert httpx.get(url).json()["description"]["en"] == str(WRITERS * CYCLES)
    assert statuses[200] == WRITERS * CYCLES
    assert set(statuses) <= {200, 412}, statuses
    assert statuses[412], "the writers never raced: the test proved nothing"


def test_duplicate_creates_make_one_provider_per_key(server):
    headers = partner_key(server.database, "femmes-debout")
    entry = {
        "organization_id": "femmes-debout",
        "name": "Espace mobile (test)",
        "location": {"lon": 18.55, "lat": 4.37},
        "services": [{"need": "case_management"}],
    }
    answers: dict[str, list[tuple[int, str | None]]] = {}
    lock = threading.Lock()

    def post(key: str) -> None:
        with httpx.Client(timeout=30) as client:
            response = client.post(
                f"{server.url}/v1/providers",
                json={**entry, "name": f"Espace mobile {key}"},
                headers={**headers, "Idempotency-Key": key},
            )
        created = response.json().get("id") if response.status_code == 201 else None
        with lock:
            answers.setdefault(key, []).append((response.status_code, created))

    keys = [f"key-{n}" for n in range(8)]
    with ThreadPoolExecutor(WRITERS) as pool:
        for future in [pool.submit(post, key) for key in keys for _ in range(WRITERS)]:
            future.result()
    feed = httpx.get(f"{server.url}/v1/changes", params={"limit": 1000}).json()["items"]
    created_names = Counter(event["after"]["name"] for event in feed if event["action"] == "create")
    for key in keys:
        assert created_names[f"Espace mobile {key}"] == 1, key
        assert {status for status, _ in answers[key]} <= {201, 409}
        assert len({pid for status, pid in answers[key] if status == 201}) == 1
