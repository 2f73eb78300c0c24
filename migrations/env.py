"""Alembic environment: batch mode so every migration also runs on SQLite."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine
from sqlmodel import SQLModel

from referral_api.db import tables  # noqa: F401  (registers the tables on the metadata)
from referral_api.db.engine import make_engine
from referral_api.settings import Settings

config = context.config
target_metadata = SQLModel.metadata


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
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
