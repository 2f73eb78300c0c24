import json
import sqlite3
from contextlib import closing

import pytest

from tests.conftest import AREAS_PATH, SAMPLE_PATH, sample_document
from tests.e2e.conftest import run_cli

pytestmark = pytest.mark.e2e


def test_load_then_export_round_trips(tmp_path):
    database = tmp_path / "directory.sqlite3"
    upgraded = run_cli(database, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    loaded = run_cli(database, "load", str(SAMPLE_PATH), "--areas", str(AREAS_PATH))
    assert loaded.returncode == 0, loaded.stderr
    assert "loaded 55 providers and 7 organizations" in loaded.stdout
    exported = run_cli(database, "export", str(tmp_path / "out.geojson"))
    assert exported.returncode == 0, exported.stderr
    original = {f["id"]: f for f in sample_document()["features"]}
    written = {f["id"]: f for f in json.loads((tmp_path / "out.geojson").read_text())["features"]}
    assert written == original


def test_an_invalid_file_is_refused_with_reasons_and_changes_nothing(tmp_path):
    database = tmp_path / "directory.sqlite3"
    first = run_cli(database, "load", str(SAMPLE_PATH))
    assert first.returncode == 0
    # Without a gazetteer no P-code is known: said, with the way out.
    assert "warning: the gazetteer is empty" in first.stderr
    assert "--areas " in first.stderr
    document = sample_document()
    document["features"][0]["properties"]["name"] = "SHOULD NOT LAND"
    document["features"][4]["properties"]["services"][0]["need"] = "medical.magic"
    broken = tmp_path / "broken.geojson"
    broken.write_text(json.dumps(document), encoding="utf-8")
    refused = run_cli(database, "load", str(broken), "--areas", str(AREAS_PATH))
    assert refused.returncode == 2
    assert "features/4/services/0/need: unknown need code 'medical.magic'" in refused.stderr
    with closing(sqlite3.connect(database)) as connection:
        # The gazetteer given with the refused file stays out with it.
        assert connection.execute("SELECT count(*) FROM admin_area").fetchone() == (0,)
    run_cli(database, "export", str(tmp_path / "after.geojson"))
    names = {
        f["properties"]["name"]
        for f in json.loads((tmp_path / "after.geojson").read_text())["features"]
    }
    assert "SHOULD NOT LAND" not in names


def test_missing_file_is_a_clear_error(tmp_path):
    result = run_cli(tmp_path / "d.sqlite3", "load", str(tmp_path / "nope.geojson"))
    assert result.returncode == 2
    assert "No such file" in result.stderr


def test_keys_are_created_listed_and_revoked_without_storing_them(tmp_path):
    database = tmp_path / "d.sqlite3"
    assert run_cli(database, "load", str(SAMPLE_PATH)).returncode == 0
    created = run_cli(database, "keys", "create", "--org", "femmes-debout", "--role", "admin")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    key_id = key.split("_")[1]
    assert key.startswith(f"rk_{key_id}_") and len(key) > 50
    listing = run_cli(database, "keys", "list").stdout
    assert key_id in listing and "femmes-debout" in listing and "admin" in listing
    assert key.split("_", 2)[2] not in listing
    assert key.encode() not in database.read_bytes()
    assert run_cli(database, "keys", "revoke", key_id).returncode == 0
    assert "revoked" in run_cli(database, "keys", "list").stdout
    assert run_cli(database, "keys", "revoke", key_id).returncode == 2
    unknown = run_cli(database, "keys", "create", "--org", "nobody")
    assert unknown.returncode == 2 and "no organization" in unknown.stderr


def test_a_load_the_database_refuses_prints_no_row_of_it(tmp_path):
    database = tmp_path / "directory.sqlite3"
    assert run_cli(database, "db", "upgrade").returncode == 0
    with closing(sqlite3.connect(database)) as connection:
        connection.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON provider WHEN NEW.visibility = 'restricted' "
            "BEGIN SELECT RAISE(ABORT, 'refused on purpose'); END"
        )
    refused = run_cli(database, "load", str(SAMPLE_PATH))
    assert refused.returncode == 1
    assert "error: The directory's database refused the change" in refused.stderr
    # The safe house's coordinates, which the refused statement carried.
    assert "618189" not in refused.stderr and "38084" not in refused.stderr
    assert "Traceback" not in refused.stderr
