"""The production shape: PostgreSQL + PostGIS, several API instances, one directory."""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import AREAS_PATH, SAMPLE_PATH, fresh_database
from tests.e2e.conftest import free_port, partner_key, run_cli, running_server

pytestmark = [pytest.mark.e2e, pytest.mark.postgis]

PG_BIN = Path("/usr/lib/postgresql/15/bin")
POSTGIS_CONTROL = Path("/usr/share/postgresql/15/extension/postgis.control")
SAFE_SPACE_ID = "4a7decda-dfd8-5425-b230-3cce35f62650"


@pytest.fixture
def postgis_url(request, tmp_path) -> Iterator[str]:
    with fresh_database("postgis", tmp_path, request) as url:
        loaded = run_cli(url, "load", str(SAMPLE_PATH), "--areas", str(AREAS_PATH))
        assert loaded.returncode == 0, loaded.stderr
        yield url


def features(path: Path) -> dict[str, dict]:
    return {f["id"]: f for f in json.loads(path.read_text())["features"]}


def test_locations_and_areas_are_real_postgis_columns(postgis_url):
    engine = create_engine(postgis_url)
    with engine.connect() as connection:
        types = dict(
            connection.execute(
                text("SELECT f_table_name || '.' || f_geometry_column, type FROM geometry_columns")
            ).all()
        )
        indexes = set(
            connection.execute(
                text("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%USING gist%'")
            ).scalars()
        )
        # Nearest on the sphere (geography), not in degrees: from the Bégoua hospital.
        nearest = connection.execute(
            text(
                "SELECT name FROM provider WHERE location IS NOT NULL AND visibility = 'public' "
                "ORDER BY location::geography <-> ST_MakePoint(18.534016, 4.453281)::geography "
                "LIMIT 1"
            )
        ).scalar_one()
    engine.dispose()
    assert types == {
        "provider.location": "POINT",
        "provider.service_area_geometry": "GEOMETRY",
        "admin_area.boundary": "GEOMETRY",
    }
    assert {
        "ix_provider_location",
        "ix_provider_service_area_geometry",
        "ix_admin_area_boundary",
    } <= indexes
    assert nearest == "Hopital de district de Begoua"


def test_export_from_sqlite_load_into_postgis_and_back_loses_nothing(postgis_url, tmp_path):
    from_postgis = tmp_path / "from_postgis.geojson"
    assert run_cli(postgis_url, "export", str(from_postgis)).returncode == 0
    sqlite = tmp_path / "copy.sqlite3"
    assert run_cli(sqlite, "load", str(from_postgis)).returncode == 0
    from_sqlite = tmp_path / "from_sqlite.geojson"
    assert run_cli(sqlite, "export", str(from_sqlite)).returncode == 0
    original = features(SAMPLE_PATH)
    assert features(from_postgis) == original
    assert features(from_sqlite) == original
    mobile = next(
        f
        for f in original.values()
        if f["properties"]["modality"] == "mobile" and f["properties"]["service_area"]["geometry"]
    )
    assert (
        features(from_postgis)[mobile["id"]]["properties"]["service_area"]
        == (mobile["properties"]["service_area"])
    )


def test_a_write_on_one_instance_is_searched_on_another_within_a_second(postgis_url, tmp_path):
    key = run_cli(postgis_url, "keys", "create", "--org", "femmes-debout").stdout.strip()
    headers = {"Authorization": f"Bearer {key}"}
    search = {"pcode": "CF7113", "needs": ["case_management"], "limit": 50}
    with (
        running_server(postgis_url, tmp_path / "a.log") as first,
        running_server(postgis_url, tmp_path / "b.log") as second,
    ):
        url = f"{first.url}/v1/providers/{SAFE_SPACE_ID}"
        etag = httpx.get(url).headers["etag"]
        assert SAFE_SPACE_ID in _found(second.url, search)
        changed = httpx.patch(
            url, json={"accepting_referrals": False}, headers={**headers, "If-Match": etag}
        )
        assert changed.status_code == 200
        written = time.monotonic()
        while SAFE_SPACE_ID in _found(second.url, search):
            assert time.monotonic() - written < 1.0, "the second instance did not see the write"
            time.sleep(0.05)


def _found(base: str, search: dict) -> set[str]:
    answer = httpx.post(f"{base}/v1/referrals/search", json=search, timeout=10).json()
    return {option["provider_id"] for option in answer["options"]}


@contextmanager
def own_cluster() -> Iterator[tuple[str, Callable[[], None], Callable[[], None]]]:
    """A PostgreSQL cluster of this test's own, which it may stop and start."""
    # Under /tmp itself: the postgres user cannot enter pytest's private folders.
    folder = Path(tempfile.mkdtemp(prefix="referral-pg-"))
    subprocess.run(["chown", "postgres", str(folder)], check=True)
    data = folder / "data"
    port = free_port()

    def pg(*args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(data), *args],
            check=True,
            capture_output=True,
        )

    subprocess.run(
        [
            "runuser",
            "-u",
            "postgres",
            "--",
            str(PG_BIN / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
        ],
        check=True,
        capture_output=True,
    )
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(
            f"port = {port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{folder}'\nfsync = off\n"
        )

    def start() -> None:
        pg("-l", str(folder / "log"), "-w", "start")

    def stop() -> None:
        pg("-m", "fast", "-w", "stop")

    start()
    try:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("CREATE EXTENSION postgis"))
        engine.dispose()
        yield url, stop, start
    finally:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(data),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
        )


def test_readiness_follows_the_database_down_and_back_up(tmp_path):
    if not (PG_BIN / "initdb").exists() or not POSTGIS_CONTROL.exists():
        pytest.skip("needs the Debian packages postgresql-15 and postgresql-15-postgis-3")
    with own_cluster() as (url, stop, start):
        assert run_cli(url, "load", str(SAMPLE_PATH), "--areas", str(AREAS_PATH)).returncode == 0
        headers = partner_key(url, "femmes-debout")
        with running_server(url, tmp_path / "server.log") as server:
            assert httpx.get(f"{server.url}/readyz").status_code == 200
            provider = f"{server.url}/v1/providers/{SAFE_SPACE_ID}"
            etag = httpx.get(provider, headers=headers).headers["etag"]
            stop()
            down = httpx.get(f"{server.url}/readyz", timeout=15)
            assert down.status_code == 503
            assert down.json()["status"] == "unavailable"
            # Writes, and reads that need the database, are told to come back.
            for refused in (
                httpx.patch(
                    provider,
                    json={"accepting_referrals": False},
                    headers={**headers, "If-Match": etag},
                    timeout=15,
                ),
                httpx.get(provider, timeout=15),
            ):
                assert refused.status_code == 503, refused.text
                assert refused.headers["content-type"].startswith("application/problem+json")
                assert int(refused.headers["retry-after"]) > 0
            # Search goes on from the snapshot while the database is away, for a partner too:
            # its key, verified a moment ago, stands for itself; a key never seen cannot.
            search = f"{server.url}/v1/referrals/search"
            body = {"pcode": "CF7113", "needs": ["medical"]}
            for caller in ({}, headers):
                answer = httpx.post(search, json=body, headers=caller, timeout=15)
                assert answer.status_code == 200, answer.text
                assert answer.json()["options"]
            stranger = {"Authorization": f"Bearer rk_{'0' * 12}_{'x' * 43}"}
            unknown = httpx.post(search, json=body, headers=stranger, timeout=15)
            assert unknown.status_code == 503, unknown.text
            start()
            deadline = time.monotonic() + 15
            while httpx.get(f"{server.url}/readyz", timeout=15).status_code != 200:
                assert time.monotonic() < deadline, "the instance did not recover by itself"
                time.sleep(0.2)
            assert httpx.get(f"{server.url}/v1/providers").status_code == 200
            assert "Traceback" not in server.log()
