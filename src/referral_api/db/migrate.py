"""Apply and inspect the Alembic history from code (used by `serve` and `db upgrade`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine


def alembic_config(migrations_dir: Path, engine: Engine) -> Config:
    """An Alembic configuration bound to `engine`, without reading alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def upgrade(migrations_dir: Path, engine: Engine) -> None:
    """Bring the database to the newest revision."""
    command.upgrade(alembic_config(migrations_dir, engine), "head")


def schema_revision(connection: Connection) -> str | None:
    """The migration the database is at (None before any)."""
    return MigrationContext.configure(connection).get_current_revision()
