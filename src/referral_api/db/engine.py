"""Database engines for the embedded SQLite default and for PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from referral_api.settings import Settings

SQLITE_BUSY_TIMEOUT_MS = 5000


def is_sqlite(url: str) -> bool:
    """Whether the URL names an SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def _enable_sqlite_integrity(dbapi_connection: Any, _record: Any) -> None:
    # SQLite leaves foreign keys off unless each connection asks; WAL lets readers work
    # while a load or a write is in progress; busy_timeout waits instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


@contextmanager
def lock_wait(connection: Connection, wait_ms: int) -> Iterator[None]:
    """Within the block, a statement waits at most `wait_ms` for another transaction's lock."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA busy_timeout={int(wait_ms)}")
        try:
            yield
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    else:
        # LOCAL: the end of the transaction restores the server's own setting.
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(wait_ms)}")
        yield


def make_engine(url: str, *, pool_size: int = 5, statement_timeout_ms: int = 5000) -> Engine:
    """An engine for `url`; for SQLite, the file's folder is created and integrity enforced.

    On PostgreSQL each process keeps up to `pool_size` connections (plus as many again in
    bursts), checks them before use so that a restarted database is survived, and gives
    every statement `statement_timeout_ms` before the server cancels it.
    """
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _enable_sqlite_integrity)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=10,
        pool_recycle=1800,
        connect_args={
            "connect_timeout": 5,
            "options": f"-c statement_timeout={statement_timeout_ms}",
        },
    )


def engine_for(settings: Settings) -> Engine:
    """The engine a deployment's settings describe."""
    return make_engine(
        settings.database_url,
        pool_size=settings.pool_size,
        statement_timeout_ms=settings.statement_timeout_ms,
    )
