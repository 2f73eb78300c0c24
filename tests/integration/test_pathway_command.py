"""`referral-api pathway PCODE -o FILE.pdf`: the sheet from the command line."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from referral_api.cli import app


def _run(database, *args: str):
    # The command itself, in this process: a subprocess would add seconds of imports.
    return CliRunner().invoke(
        app, ["pathway", *args], env={"REFERRAL_DATABASE_URL": f"sqlite:///{database}"}
    )


def test_the_command_writes_the_areas_sheet_or_nothing(sqlite_sample, tmp_path):
    database = tmp_path / "directory.sqlite3"
    shutil.copyfile(sqlite_sample, database)
    output = tmp_path / "pathway-CF7113.pdf"
    done = _run(database, "CF7113", "-o", str(output), "--lang", "en")
    assert done.exit_code == 0, done.output
    assert output.read_bytes().startswith(b"%PDF-")
    assert "CF7113" in done.output
    unknown = _run(database, "CF9999", "-o", str(tmp_path / "none.pdf"))
    assert unknown.exit_code == 2
    assert "No admin area with P-code CF9999" in unknown.output
    assert not (tmp_path / "none.pdf").exists()
    assert _run(database, "CF7113", "-o", str(output), "--lang", "de").exit_code == 2
