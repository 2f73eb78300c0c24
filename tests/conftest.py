"""Fixtures shared by every test layer: settings, databases and the real app."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
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


# CI starts a PostgreSQL + PostGIS cluster and gives its address here (see .ci/run); every
# test that takes a database then runs on both backends.
POSTGRES_ADMIN_URL = os.environ.get("REFERRAL_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)]
# One template per pytest-xdist worker (gw0, gw1…): each drops and creates its own.
_TEMPLATE = "_".join(
    filter(None, ("referral_test_template", os.environ.get("PYTEST_XDIST_WORKER")))
)


def _admin_engine() -> Engine:
    assert POSTGRES_ADMIN_URL is not None
    return create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgis_template() -> Iterator[str]:
    """A database with PostGIS installed, cloned for each test (much faster than installing)."""
    if POSTGRES_ADMIN_URL is None:
        if os.environ.get("CI"):
            pytest.fail("CI must set REFERRAL_TEST_POSTGRES_URL (see .ci/run)")
        pytest.skip("no PostgreSQL: set REFERRAL_TEST_POSTGRES_URL to run PostGIS tests")
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {_TEMPLATE}"))
        connection.execute(text(f"CREATE DATABASE {_TEMPLATE}"))
    template = make_url(POSTGRES_ADMIN_URL).set(database=_TEMPLATE)
    engine = create_engine(template, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("CREATE EXTENSION postgis"))
    engine.dispose()
    yield _TEMPLATE
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {_TEMPLATE} WITH (FORCE)"))
    admin.dispose()


@contextmanager
def fresh_database(backend: str, folder: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of an empty database of `backend`, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'directory.sqlite3'}"
        return
    template = request.getfixturevalue("postgis_template")
    name = f"referral_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    assert POSTGRES_ADMIN_URL is not None
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of this test's own, on each backend."""
    with fresh_database(request.param, tmp_path, request) as url:
        yield url


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings for a database of this test's own."""
    return Settings(database_url=database_url)


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


@pytest.fixture(scope="session")
def sqlite_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file the app migrated and loaded with the sample, once for the session."""
    path = tmp_path_factory.mktemp("template") / "sample.sqlite3"
    with TestClient(create_app(Settings(database_url=f"sqlite:///{path}"))) as client:
        with client.app.state.runtime.engine.connect() as connection:
            # Everything in the main file, so that a copy of it alone is the whole database.
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def sample_copy(sqlite_sample: Path, folder: Path) -> Path:
    """A copy of the migrated, sample-loaded directory in `folder`: what a first start or a
    `load` of the sample would make, without their seconds."""
    database = folder / "directory.sqlite3"
    shutil.copyfile(sqlite_sample, database)
    return database


@pytest.fixture
def client(settings: Settings, request: pytest.FixtureRequest) -> Iterator[TestClient]:
    """The real app on its own database, migrated and loaded with the sample on start-up.

    On SQLite the database starts as a copy of one the app migrated and loaded once: the
    start-up is the same, less the half second each test would spend loading the sample.
    """
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database:
        shutil.copyfile(request.getfixturevalue("sqlite_sample"), url.database)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module", params=BACKENDS)
def sample_client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """One app with the sample loaded, shared by read-only tests of a module (on SQLite, a
    copy of the loaded template, as for `client`)."""
    folder = tmp_path_factory.mktemp("sample")
    with fresh_database(request.param, folder, request) as url:
        if request.param == "sqlite":
            sample_copy(request.getfixturevalue("sqlite_sample"), folder)
        with TestClient(create_app(Settings(database_url=url))) as client:
            yield client
