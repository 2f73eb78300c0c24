"""/metrics with several uvicorn workers: any worker's scrape counts every worker's requests."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.e2e.conftest import SampleServer

pytestmark = pytest.mark.e2e
REQUESTS = 30


def _needs_count(exposition: str) -> float:
    pattern = r'referral_http_requests_total\{[^}]*route="/v1/needs"[^}]*\} (\S+)'
    return sum(float(value) for value in re.findall(pattern, exposition))


def test_every_scrape_adds_up_all_workers(sample_server: SampleServer):
    url = sample_server.server.url
    before = _needs_count(httpx.get(f"{url}/metrics").text)
    for _ in range(REQUESTS):
        # A new connection each time, so that both workers take some.
        assert httpx.get(f"{url}/v1/needs").status_code == 200
    for _ in range(4):
        exposition = httpx.get(f"{url}/metrics").text
        assert _needs_count(exposition) == before + REQUESTS
        assert "referral_snapshot_revision" in exposition
    metrics = sample_server.metrics_dir
    assert not (metrics / "counter_1.db").exists()
    assert len(list(metrics.glob("gauge_livemin_*.db"))) == 2  # one per worker
