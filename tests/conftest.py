"""Fixtures shared by every test layer: settings, databases and the real app."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from referral_api.app import create_app
from referral_api.db.engine import make_engine
from referral_api.db.migrate import upgrade
from referral_api.settings import Settings

PROJECT_DIR = Path(__file__).resolve().parents[1]
SAMPLE_PATH = PROJECT_DIR / "data" / "services.geojson"
AREAS_PATH = PROJECT_DIR / "data" / "admin_areas.geojson"
SAFE_HOUSE_ID = "e4bc5348-6feb-500c-94bc-14c6f208b690"


def sample_document() -> dict[str, Any]:
    """A fresh copy of the shipped directory."""
    document: dict[str, Any] = json.loads(SAMPLE_PATH.read_text(encoding="utf-8"))
    return document


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for a database of this test's own."""
    return Settings(database_url=f"sqlite:///{tmp_path / 'directory.sqlite3'}")


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """A migrated, empty database."""
    engine = make_engine(settings.database_url)
    upgrade(settings.migrations_dir, engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the migrated, empty database."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The real app on its own database, migrated and loaded with the sample on start-up."""
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def sample_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app with the sample loaded, shared by read-only tests of a module."""
    path = tmp_path_factory.mktemp("sample") / "directory.sqlite3"
    with TestClient(create_app(Settings(database_url=f"sqlite:///{path}"))) as client:
        yield client
