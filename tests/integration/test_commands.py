"""`referral-api load`, `export` and `keys`: the commands themselves, in this process.

A subprocess would add over a second of imports to each command run; the real process,
its entry point and its error handler are proven in tests/e2e/test_cli.py.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from typer.testing import CliRunner, Result

from referral_api.cli import app
from tests.conftest import AREAS_PATH, SAMPLE_PATH, sample_copy, sample_document


def run(database: Path, *args: str) -> Result:
    return CliRunner().invoke(
        app, list(args), env={"REFERRAL_DATABASE_URL": f"sqlite:///{database}"}
    )


def test_load_then_export_round_trips(tmp_path):
    database = tmp_path / "directory.sqlite3"
    upgraded = run(database, "db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    loaded = run(database, "load", str(SAMPLE_PATH), "--areas", str(AREAS_PATH))
    assert loaded.exit_code == 0, loaded.output
    assert "loaded 55 providers and 7 organizations" in loaded.stdout
    exported = run(database, "export", str(tmp_path / "out.geojson"))
    assert exported.exit_code == 0, exported.output
    original = {f["id"]: f for f in sample_document()["features"]}
    written = {f["id"]: f for f in json.loads((tmp_path / "out.geojson").read_text())["features"]}
    assert written == original


def test_an_invalid_file_is_refused_with_reasons_and_changes_nothing(tmp_path):
    database = tmp_path / "directory.sqlite3"
    first = run(database, "load", str(SAMPLE_PATH))
    assert first.exit_code == 0
    # Without a gazetteer no P-code is known: said, with the way out.
    assert "warning: the gazetteer is empty" in first.stderr
    assert "--areas " in first.stderr
    document = sample_document()
    document["features"][0]["properties"]["name"] = "SHOULD NOT LAND"
    document["features"][4]["properties"]["services"][0]["need"] = "medical.magic"
    broken = tmp_path / "broken.geojson"
    broken.write_text(json.dumps(document), encoding="utf-8")
    refused = run(database, "load", str(broken), "--areas", str(AREAS_PATH))
    assert refused.exit_code == 2
    assert "features/4/services/0/need: unknown need code 'medical.magic'" in refused.stderr
    with closing(sqlite3.connect(database)) as connection:
        # The gazetteer given with the refused file stays out with it.
        assert connection.execute("SELECT count(*) FROM admin_area").fetchone() == (0,)
    run(database, "export", str(tmp_path / "after.geojson"))
    names = {
        f["properties"]["name"]
        for f in json.loads((tmp_path / "after.geojson").read_text())["features"]
    }
    assert "SHOULD NOT LAND" not in names


def test_missing_file_is_a_clear_error(tmp_path):
    result = run(tmp_path / "d.sqlite3", "load", str(tmp_path / "nope.geojson"))
    assert result.exit_code == 2
    assert "No such file" in result.stderr


def test_keys_are_created_listed_and_revoked_without_storing_them(sqlite_sample, tmp_path):
    database = sample_copy(sqlite_sample, tmp_path)
    created = run(database, "keys", "create", "--org", "femmes-debout", "--role", "admin")
    assert created.exit_code == 0, created.output
    assert f"database: sqlite:///{database}" in created.stderr
    key = created.stdout.strip()
    key_id = key.split("_")[1]
    assert key.startswith(f"rk_{key_id}_") and len(key) > 50
    listing = run(database, "keys", "list").stdout
    assert key_id in listing and "femmes-debout" in listing and "admin" in listing
    assert key.split("_", 2)[2] not in listing
    assert key.encode() not in database.read_bytes()
    assert run(database, "keys", "revoke", key_id).exit_code == 0
    assert "revoked" in run(database, "keys", "list").stdout
    assert run(database, "keys", "revoke", key_id).exit_code == 2
    unknown = run(database, "keys", "create", "--org", "nobody")
    assert unknown.exit_code == 2 and "no organization" in unknown.stderr
