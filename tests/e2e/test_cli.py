"""The real `referral-api` process: its entry point and the error handler around commands.

The commands themselves are run in-process in tests/integration/test_commands.py.
"""

import sqlite3
from contextlib import closing

import pytest

from referral_api.db.engine import make_engine
from referral_api.db.migrate import upgrade
from referral_api.settings import Settings
from tests.conftest import SAMPLE_PATH
from tests.e2e.conftest import run_cli

pytestmark = pytest.mark.e2e


def test_a_load_the_database_refuses_prints_no_row_of_it(tmp_path):
    database = tmp_path / "directory.sqlite3"
    settings = Settings(database_url=f"sqlite:///{database}")
    engine = make_engine(settings.database_url)
    upgrade(settings.migrations_dir, engine)  # here: a command run would add seconds
    engine.dispose()
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
