"""Another process locks the SQLite file: searches and reads go on, writes get a clear 503."""

import sqlite3
from contextlib import closing

import httpx
import pytest

from tests.e2e.conftest import partner_key

pytestmark = pytest.mark.e2e

SAFE_SPACE_ID = "4a7decda-dfd8-5425-b230-3cce35f62650"  # femmes-debout
PROBLEM = "application/problem+json"


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["type"] == "/problems/unavailable"


def test_a_locked_database_refuses_writes_clearly_and_serves_the_rest(server):
    headers = partner_key(server.database, "femmes-debout")
    url = f"{server.url}/v1/providers/{SAFE_SPACE_ID}"
    etag = httpx.get(url, headers=headers).headers["etag"]  # the key's use is recorded now
    entry = {
        "organization_id": "femmes-debout",
        "name": "Espace verrouille",
        "location": {"lon": 18.55, "lat": 4.37},
        "services": [{"need": "case_management"}],
    }
    create = {**headers, "Idempotency-Key": "while-locked"}
    with closing(sqlite3.connect(server.database, isolation_level=None)) as holder:
        holder.execute("BEGIN EXCLUSIVE")
        try:
            ready = httpx.get(f"{server.url}/readyz", timeout=5)
            assert ready.status_code == 200 and ready.json()["status"] == "read-only"
            search = httpx.post(
                f"{server.url}/v1/referrals/search",
                json={"pcode": "CF7113", "needs": ["case_management"]},
                timeout=15,
            )
            assert search.status_code == 200 and search.json()["options"]
            assert httpx.get(url, timeout=15).status_code == 200
            assert_unavailable(
                httpx.patch(
                    url,
                    json={"accepting_referrals": False},
                    headers={**headers, "If-Match": etag},
                    timeout=30,
                )
            )
            assert_unavailable(
                httpx.post(f"{server.url}/v1/providers", json=entry, headers=create, timeout=30)
            )
        finally:
            holder.execute("ROLLBACK")
    assert httpx.get(f"{server.url}/readyz").json()["status"] == "ok"
    # Nothing was half-done: the same key and the same change now simply work.
    assert httpx.post(f"{server.url}/v1/providers", json=entry, headers=create).status_code == 201
    changed = httpx.patch(
        url, json={"accepting_referrals": False}, headers={**headers, "If-Match": etag}
    )
    assert changed.status_code == 200, changed.text
    log = server.log()
    assert "Traceback" not in log and " 500 " not in log
    assert "database unavailable: OperationalError" in log
