"""API keys as stored: digests, roles, last use and revocation."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlmodel import col

from referral_api.db.engine import lock_wait
from referral_api.db.tables import (
    ApiKeyRow,
)
from referral_api.domain.clock import utc_now
from referral_api.domain.keys import StoredKey


def _stored_key(row: ApiKeyRow) -> StoredKey:
    return StoredKey(
        row.id,
        row.organization_id,
        row.role,
        row.secret_hash,
        row.created_at,
        row.last_used_at,
        row.revoked_at,
    )


def add_key(
    *, session: Session, key_id: str, organization_id: str, role: str, secret_hash: str
) -> None:
    """Store a new key's digest."""
    session.add(
        ApiKeyRow(
            id=key_id,
            organization_id=organization_id,
            role=role,
            secret_hash=secret_hash,
            created_at=utc_now(),
        )
    )


def find_key(*, session: Session, key_id: str) -> StoredKey | None:
    """The key with that id, revoked or not."""
    row = session.get(ApiKeyRow, key_id)
    return None if row is None else _stored_key(row)


def list_keys(*, session: Session) -> list[StoredKey]:
    """Every key, by organization and creation."""
    statement = select(ApiKeyRow).order_by(
        col(ApiKeyRow.organization_id), col(ApiKeyRow.created_at)
    )
    return [_stored_key(row) for row in session.scalars(statement)]


def revoke_key(*, session: Session, key_id: str) -> bool:
    """Revoke a key; False if there is no such live key."""
    result = session.execute(
        update(ApiKeyRow)
        .where(col(ApiKeyRow.id) == key_id, col(ApiKeyRow.revoked_at).is_(None))
        .values(revoked_at=utc_now())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def touch_key(*, session: Session, key_id: str, wait_ms: int) -> None:
    """Record that a key was just used, giving up after `wait_ms` if its row is locked."""
    with lock_wait(session.connection(), wait_ms):
        session.execute(
            update(ApiKeyRow).where(col(ApiKeyRow.id) == key_id).values(last_used_at=utc_now())
        )
