"""Database engines for the embedded SQLite default and for PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.orm import Session

from referral_api.settings import Settings

SQLITE_BUSY_TIMEOUT_MS = 5000


def _json_text(value: Any) -> str:
    # A load writes a dozen JSON values per provider: orjson makes them about ten times
    # faster than the standard library, and reads back the same.
    return orjson.dumps(value).decode()


def is_sqlite(url: str) -> bool:
    """Whether the URL names an SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


_WRITE_PROBE_TIMEOUT_MS = 200


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


def read_consistently(session: Session) -> None:
    """Make every read of the session's transaction, from its first, see the database as
    it was at that first read, whatever commits meanwhile.

    A build reads the directory's state and then its rows, which takes a minute at a
    million providers: read statement by statement, the rows could hold a write that the
    state does not name, and a snapshot file named by that state would hold it too. Nor is
    it cut short by the statement timeout of requests: the read of every provider is one
    statement, and at a million it takes longer than a request may.
    """
    if session.get_bind().dialect.name == "sqlite":
        # The driver begins transactions only for writes: reads each see the latest commit.
        session.connection().exec_driver_sql("BEGIN")
    else:
        connection = session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        # LOCAL: the end of the transaction restores the requests' timeout.
        connection.exec_driver_sql("SET LOCAL statement_timeout = 0")


def _overflow_as_data_error(context: ExceptionContext) -> DataError | None:
    # PostgreSQL reports a number out of range as a DataError; SQLite's driver raises a
    # bare OverflowError while binding it (GET /v1/changes?after=1e30), which would be
    # a 500. Made the DataError it is, it is refused as invalid input like on PostgreSQL.
    if isinstance(context.original_exception, OverflowError):
        return DataError(context.statement, None, context.original_exception, hide_parameters=True)
    return None


def writable(engine: Engine) -> bool:
    """Whether a write could start now.

    On SQLite another process may hold the file's write lock (a `BEGIN EXCLUSIVE`, a long
    load): readers go on, writers wait `SQLITE_BUSY_TIMEOUT_MS` and fail. The probe takes
    the lock and gives it back at once, waiting only a moment for a write in progress.
    PostgreSQL locks rows, not the database: there, one that answers takes writes.
    """
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as connection:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={_WRITE_PROBE_TIMEOUT_MS}")
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            connection.exec_driver_sql("ROLLBACK")
        except OperationalError:
            return False
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    return True


def make_engine(url: str, *, pool_size: int = 5, statement_timeout_ms: int = 5000) -> Engine:
    """An engine for `url`; for SQLite, the file's folder is created and integrity enforced.

    No statement's parameters are ever logged or put in an error's message: they hold
    survivors' search areas and restricted providers' coordinates.

    On PostgreSQL each process keeps up to `pool_size` connections (plus as many again in
    bursts), checks them before use so that a restarted database is survived, and gives
    every statement `statement_timeout_ms` before the server cancels it.
    """
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            hide_parameters=True,
            json_serializer=_json_text,
            connect_args={"check_same_thread": False},
        )
        event.listen(engine, "connect", _enable_sqlite_integrity)
        event.listen(engine, "handle_error", _overflow_as_data_error)
        return engine
    return create_engine(
        url,
        hide_parameters=True,
        json_serializer=_json_text,
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


def engine_for(settings: Settings, *, batch: bool = False) -> Engine:
    """The engine a deployment's settings describe.

    A `batch` command (a load) has no statement timeout: the requests' few seconds are
    meant to shed a stuck request, not to cut short a statement over the whole directory
    that an operator is waiting for.
    """
    return make_engine(
        settings.database_url,
        pool_size=settings.pool_size,
        statement_timeout_ms=0 if batch else settings.statement_timeout_ms,
    )
