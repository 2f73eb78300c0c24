"""Record the docs page's examples: real answers of the shipped sample (see
referral_api.api.examples). Run after a change that alters answers:
`.venv/bin/python scripts/record_examples.py`."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi.testclient import TestClient

from referral_api.api.examples import FOLDER, record
from referral_api.app import create_app
from referral_api.settings import Settings


def main() -> None:
    """Answer the examples on a fresh sample database and write them into the package."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite:///{Path(folder) / 'sample.sqlite3'}")
        with TestClient(create_app(settings)) as client:
            for name, content in record(client).items():
                (FOLDER / name).write_text(content, encoding="utf-8")


if __name__ == "__main__":
    main()
