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
def running_server(database: Path | str, log_path: Path, **env: str) -> Iterator[Server]:
    """A real `referral-api serve` on a free port, stopped afterwards."""
    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "referral_api", "serve", "--port", str(port)],
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
def server(tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path / "directory.sqlite3", tmp_path / "server.log") as running:
        yield running
