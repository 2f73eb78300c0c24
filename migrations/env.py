"""Alembic environment: batch mode so every migration also runs on SQLite."""

from __future__ import annotations

import warnings

from alembic import context
from sqlalchemy import Engine
from sqlmodel import SQLModel

from referral_api.db import tables  # noqa: F401  (registers the tables on the metadata)
from referral_api.db.engine import make_engine
from referral_api.db.spatial import POSTGIS_COLUMNS, POSTGIS_INDEXES, POSTGIS_TABLES
from referral_api.settings import Settings

config = context.config
target_metadata = SQLModel.metadata


def include_object(
    obj: object, name: str | None, type_: str, _reflected: bool, _compare_to: object
) -> bool:
    """Leave PostgreSQL-only spatial objects out of autogenerate and `alembic check`."""
    if type_ == "table":
        return name not in POSTGIS_TABLES
    if type_ == "column":
        table = getattr(getattr(obj, "table", None), "name", None)
        return (table, name) not in POSTGIS_COLUMNS
    if type_ == "index":
        return name not in POSTGIS_INDEXES
    return True


def _engine() -> Engine:
    given = config.attributes.get("engine")
    if isinstance(given, Engine):
        return given
    return make_engine(config.get_main_option("url") or Settings().database_url)


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("url") or Settings().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
            include_object=include_object,
        )
        with context.begin_transaction(), warnings.catch_warnings():
            # Reflection meets PostGIS's `geometry` type, which SQLAlchemy does not know;
            # those columns are excluded above, so the warning says nothing useful.
            warnings.filterwarnings("ignore", "Did not recognize type 'geometry'")
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
