"""Database failures as domain errors, described without a value of the failed statement.

A driver's message may quote the row it refused (PostgreSQL's "Failing row contains (…)"
holds a restricted provider's coordinates) and SQLAlchemy appends the statement's
parameters: neither may reach a log line or a problem detail. So failures are told by
their kind alone: exception class, SQLSTATE, and the constraint and table they concern.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    InternalError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from referral_api.domain.errors import (
    ConflictError,
    DirectoryUnavailableError,
    InvalidInputError,
    ReferralError,
)

logger = logging.getLogger("referral_api.db")


def describe(error: SQLAlchemyError) -> str:
    """The kind of a database failure, safe to log: never its message or parameters."""
    parts = [type(error).__name__]
    if isinstance(error, DBAPIError) and error.orig is not None:
        original = error.orig
        parts.append(type(original).__name__)
        code = getattr(original, "sqlstate", None) or getattr(original, "sqlite_errorname", None)
        if code:
            parts.append(f"code={code}")
        diagnostic = getattr(original, "diag", None)
        for name in ("constraint_name", "table_name", "column_name"):
            value = getattr(diagnostic, name, None)
            if value:
                parts.append(f"{name.removesuffix('_name')}={value}")
    return " ".join(parts)


def domain_error(error: SQLAlchemyError) -> ReferralError:
    """What a database failure means to the caller, logged by its kind for the operator.

    A value the storage cannot hold (too long, out of range, a NUL) is invalid input; a violated
    rule of the database conflicts with what is stored; anything else means the directory
    cannot be used right now, and the caller may retry.
    """
    kind = describe(error)
    if isinstance(error, DataError):
        logger.warning("database refused a value: %s", kind)
        return InvalidInputError(
            "A value cannot be stored: too long, out of range, or with a character the "
            "database does not take (such as NUL)"
        )
    if isinstance(error, IntegrityError):
        logger.warning("database refused a change: %s", kind)
        return ConflictError(
            "The directory's database refused the change: it conflicts with what is stored"
        )
    transient = (OperationalError, InterfaceError, InternalError, PoolTimeoutError)
    if isinstance(error, transient):
        logger.warning("database unavailable: %s", kind)
    else:
        # Not the caller's fault nor a passing outage: the operator must look.
        logger.error("database failure: %s", kind)
    return DirectoryUnavailableError("The directory's database cannot be used right now")
