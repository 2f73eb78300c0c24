import httpx
import pytest

from tests.conftest import SAFE_HOUSE_ID

pytestmark = pytest.mark.e2e


def test_serve_migrates_loads_the_sample_and_answers(fresh_server):
    server = fresh_server
    ready = httpx.get(f"{server.url}/readyz").json()
    assert ready["status"] == "ok"
    assert ready["providers"] == 55
    pep = httpx.get(f"{server.url}/v1/providers", params={"need": "medical.pep"}).json()
    assert pep["total"] > 5
    assert httpx.get(f"{server.url}/docs").status_code == 200


def test_logs_hold_neither_query_values_nor_client_addresses(server):
    httpx.get(f"{server.url}/v1/providers", params={"bbox": "18.531234,4.361234,18.6,4.4"})
    httpx.get(f"{server.url}/v1/providers/not-a-uuid")
    # The path is logged decoded: it must not start a line of its own, nor drive a terminal.
    forged = "%0D%0A2026-01-01 00:00:00,000 INFO referral_api.access GET /forged 200%1B[2J"
    httpx.get(f"{server.url}/v1/{forged}")
    server.process.terminate()
    server.process.wait(timeout=15)
    log = server.log()
    access = [line for line in log.splitlines() if "referral_api.access" in line]
    assert any("GET /v1/providers 200" in line for line in access)
    assert "18.531234" not in log and "4.361234" not in log
    assert not any("127.0.0.1" in line for line in access)
    assert not any(line.startswith("2026-01-01") for line in log.splitlines())
    assert "\x1b" not in log and "\r" not in log
    assert any("GET /v1/\\r\\n2026-01-01" in line and "\\x1b[2J 404" in line for line in access)


def test_forwarded_headers_do_not_let_a_client_out_of_the_brake(server):
    # uvicorn trusts X-Forwarded-For from 127.0.0.1 unless told not to; `serve` must.
    wrong = "Bearer rk_0123456789ab_" + "y" * 43
    statuses = [
        httpx.get(
            f"{server.url}/v1/providers/{SAFE_HOUSE_ID}",
            headers={"Authorization": wrong, "X-Forwarded-For": f"198.51.100.{number}"},
        ).status_code
        for number in range(11)
    ]
    assert statuses == [401] * 10 + [429]
