"""The README's first commands, in a fresh clone, run from where a new user would run them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import PROJECT_DIR, SAFE_HOUSE_ID
from tests.e2e.conftest import free_port, wait_until_ready

pytestmark = pytest.mark.e2e
README = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")


def _clean_env() -> dict[str, str]:
    # A new user has no REFERRAL_* settings: every default is the one under test.
    return {name: value for name, value in os.environ.items() if not name.startswith("REFERRAL_")}


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git clone of this repository, with an environment as `make serve` would install it.

    pip would take minutes; the environment instead borrows this one's dependencies and
    puts the clone's own sources first, so that the clone's code is what runs.
    """
    if subprocess.run(["git", "-C", str(PROJECT_DIR), "rev-parse"], capture_output=True).returncode:
        pytest.skip("the project is not a git checkout")
    path = tmp_path_factory.mktemp("first-hour") / "referral-api"
    subprocess.run(["git", "clone", "--quiet", str(PROJECT_DIR), str(path)], check=True)
    venv = path / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    (site,) = (venv / "lib").glob("python*/site-packages")
    (site / "first_hour.pth").write_text(
        f"{path / 'src'}\n{sysconfig.get_paths()['purelib']}\n", encoding="utf-8"
    )
    script = venv / "bin" / "referral-api"
    script.write_text(
        f"#!{venv / 'bin' / 'python'}\nfrom referral_api.cli import main\nmain()\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    (venv / ".installed-runtime").touch()
    return path


@pytest.fixture(scope="module")
def served(clone: Path) -> Iterator[tuple[str, Path]]:
    """`make serve PORT=…` in the clone, as the README says; its output in a file."""
    port = free_port()
    log_path = clone.parent / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            ["make", "serve", f"PORT={port}"],
            cwd=clone,
            env=_clean_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # make's child, the server, is stopped with it
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, process, log_path)
        yield url, log_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)


def _cli(clone: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(clone / ".venv" / "bin" / "referral-api"), *args],
        cwd=cwd,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_the_readme_says_how(clone):
    for words in (
        "make serve",
        "make test",
        "second terminal",
        "make serve PORT=8001",
        ".venv/bin/referral-api keys create --org femmes-debout",
    ):
        assert words in README, words


def test_make_serve_says_what_it_does_on_the_port_asked(served):
    url, log_path = served
    assert f"serving {url}" in log_path.read_text(encoding="utf-8")
    assert httpx.get(f"{url}/v1/needs").status_code == 200


def test_a_key_made_from_another_folder_works_on_the_server(clone, served, tmp_path):
    url, _ = served
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    created = _cli(clone, elsewhere, "keys", "create", "--org", "femmes-debout")
    database = f"sqlite:///{clone / 'var' / 'referral.sqlite3'}"
    assert f"database: {database}" in created.stderr
    assert not (elsewhere / "var").exists()
    listed = _cli(clone, elsewhere, "keys", "list")
    assert f"database: {database}" in listed.stderr
    key = created.stdout.strip()
    assert key.split("_")[1] in listed.stdout
    # The server reads the same database: the key is its partner's, who locates its house.
    entry = httpx.get(
        f"{url}/v1/providers/{SAFE_HOUSE_ID}", headers={"Authorization": f"Bearer {key}"}
    )
    assert entry.status_code == 200
    assert entry.json()["location_withheld"] is False
