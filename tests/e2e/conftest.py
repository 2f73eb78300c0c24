"""Helpers to run the real `referral-api` command and real uvicorn servers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from referral_api.db import repository
from referral_api.db.engine import make_engine
from referral_api.domain.keys import digest, new_key
from tests.conftest import sample_copy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def database_url_of(database: Path | str) -> str:
    return database if isinstance(database, str) else f"sqlite:///{database}"


def command_env(database: Path | str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["REFERRAL_DATABASE_URL"] = database_url_of(database)
    env.update(extra)
    return env


def run_cli(database: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "referral_api", *args],
        env=command_env(database),
        capture_output=True,
        text=True,
        timeout=300,
    )


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    log_path: Path
    database: Path | str

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8")


def wait_until_ready(url: str, process: subprocess.Popen[str], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server did not start:\n{log_path.read_text()}")
        time.sleep(0.2)


@contextmanager
def running_server(
    database: Path | str, log_path: Path, *, workers: int = 1, **env: str
) -> Iterator[Server]:
    """A real `referral-api serve` on a free port, stopped afterwards."""
    port = free_port()
    command = ["serve", "--port", str(port), "--workers", str(workers)]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "referral_api", *command],
            env=command_env(database, **env),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, process, log_path)
        yield Server(url, process, log_path, database)
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[Server]:
    """A server on an empty file: it migrates it and loads the sample as it starts."""
    with running_server(tmp_path / "directory.sqlite3", tmp_path / "server.log") as running:
        yield running


@pytest.fixture
def server(sqlite_sample: Path, tmp_path: Path) -> Iterator[Server]:
    """A server of its own on a copy of the sample directory."""
    database = sample_copy(sqlite_sample, tmp_path)
    with running_server(database, tmp_path / "server.log") as running:
        yield running


def partner_key(database: Path | str, organization_id: str) -> dict[str, str]:
    """The Authorization header of a new partner key, written into the directory."""
    key = new_key()
    engine = make_engine(database_url_of(database))
    with Session(engine) as session:
        repository.add_key(
            session=session,
            key_id=key.key_id,
            organization_id=organization_id,
            role="partner",
            secret_hash=digest(key.text),
        )
        session.commit()
    engine.dispose()
    return {"Authorization": f"Bearer {key.text}"}


@dataclass
class SampleServer:
    """The sample served as in production, by two workers that share their metrics."""

    server: Server
    headers: dict[str, dict[str, str]]  # anonymous, other partner, owner of the safe house
    metrics_dir: Path


@pytest.fixture(scope="package")
def sample_server(
    sqlite_sample: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SampleServer]:
    """One server for the read-only end-to-end modules: starting two workers takes seconds."""
    folder = tmp_path_factory.mktemp("sample-server")
    database = sample_copy(sqlite_sample, folder)
    headers = {
        "anonymous": {},
        "other partner": partner_key(database, "clinique-juridique"),
        "owner": partner_key(database, "femmes-debout"),
    }
    metrics = folder / "metrics"
    metrics.mkdir()
    # A previous run's file: its counts must not add up with the new ones.
    (metrics / "counter_1.db").write_bytes(b"stale")
    env = {"PROMETHEUS_MULTIPROC_DIR": str(metrics)}
    with running_server(database, folder / "server.log", workers=2, **env) as server:
        yield SampleServer(server, headers, metrics)
