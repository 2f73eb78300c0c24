"""Helpers to run the real `referral-api` command and a real uvicorn server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def command_env(database: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["REFERRAL_DATABASE_URL"] = f"sqlite:///{database}"
    return env


def run_cli(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "referral_api", *args],
        env=command_env(database),
        capture_output=True,
        text=True,
        timeout=120,
    )


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    log_path: Path
    database: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "referral_api", "serve", "--port", str(port)],
            env=command_env(tmp_path / "directory.sqlite3"),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield Server(url, process, log_path, tmp_path / "directory.sqlite3")
    finally:
        process.terminate()
        process.wait(timeout=15)
