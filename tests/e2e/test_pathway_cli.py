"""`referral-api pathway PCODE -o FILE.pdf`: the sheet from the command line."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from referral_api.cli import app
from tests.e2e.conftest import database_url_of, run_cli

pytestmark = pytest.mark.e2e


def test_the_command_writes_the_areas_sheet(sqlite_sample, tmp_path):
    database = tmp_path / "directory.sqlite3"
    shutil.copyfile(sqlite_sample, database)
    output = tmp_path / "pathway-CF7113.pdf"
    done = run_cli(database, "pathway", "CF7113", "-o", str(output), "--lang", "en")
    assert done.returncode == 0, done.stderr
    assert output.read_bytes().startswith(b"%PDF-")
    assert "CF7113" in done.stdout


def test_an_unknown_area_writes_nothing(sqlite_sample, tmp_path):
    database = tmp_path / "directory.sqlite3"
    shutil.copyfile(sqlite_sample, database)
    output = tmp_path / "none.pdf"
    result = CliRunner().invoke(
        app,
        ["pathway", "CF9999", "-o", str(output)],
        env={"REFERRAL_DATABASE_URL": database_url_of(database)},
    )
    assert result.exit_code == 2
    assert "No admin area with P-code CF9999" in result.output
    assert not output.exists()
