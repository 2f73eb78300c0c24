"""Idempotency keys of creates: claims, answers and their release."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import col

from referral_api.db.tables import (
    IdempotencyRow,
)
from referral_api.domain.clock import utc_now


@dataclass(frozen=True, slots=True)
class IdempotentAnswer:
    """A create request seen before under the same key."""

    request_hash: str
    status_code: int | None
    response: dict[str, Any] | None


def claim_idempotency_key(
    *,
    session: Session,
    key_id: str,
    idempotency_key: str,
    request_hash: str,
    claim: str,
    lease: timedelta,
) -> IdempotentAnswer | None:
    """Claim the key for this request as `claim` (None), or the record of the one that has it.

    The claim is committed at once, so that a concurrent duplicate sees it. It holds for
    `lease` only: a request whose process died between claim and answer must not block
    its key, so once the lease is over a retry takes the key over.
    """
    now = utc_now()
    this_key = (
        col(IdempotencyRow.key_id) == key_id,
        col(IdempotencyRow.idempotency_key) == idempotency_key,
    )
    session.execute(delete(IdempotencyRow).where(*this_key, col(IdempotencyRow.expires_at) <= now))
    row = session.get(IdempotencyRow, (key_id, idempotency_key))
    if row is not None:
        session.commit()
        return IdempotentAnswer(row.request_hash, row.status_code, row.response)
    session.add(
        IdempotencyRow(
            key_id=key_id,
            idempotency_key=idempotency_key,
            request_hash=request_hash,
            claim_token=claim,
            created_at=now,
            expires_at=now + lease,
        )
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        row = session.get(IdempotencyRow, (key_id, idempotency_key))
        if row is None:  # claimed and released meanwhile: let the caller retry
            return IdempotentAnswer(request_hash, None, None)
        return IdempotentAnswer(row.request_hash, row.status_code, row.response)
    return None


def _claimed(key_id: str, idempotency_key: str, claim: str) -> tuple[ColumnElement[bool], ...]:
    return (
        col(IdempotencyRow.key_id) == key_id,
        col(IdempotencyRow.idempotency_key) == idempotency_key,
        col(IdempotencyRow.claim_token) == claim,
        col(IdempotencyRow.status_code).is_(None),
    )


def record_idempotent_answer(
    *,
    session: Session,
    key_id: str,
    idempotency_key: str,
    claim: str,
    status_code: int,
    response: dict[str, Any],
    ttl: timedelta,
) -> bool:
    """Store the answer of a claimed request, kept `ttl`, in the transaction of its write.

    False when the claim is no longer this request's: its lease ran out and a retry took
    the key over, so this request's write must be rolled back, or it would be made twice.
    """
    result = session.execute(
        update(IdempotencyRow)
        .where(*_claimed(key_id, idempotency_key, claim))
        .values(status_code=status_code, response=response, expires_at=utc_now() + ttl)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def release_idempotency_key(
    *, session: Session, key_id: str, idempotency_key: str, claim: str
) -> None:
    """Give up a claim whose request failed, so that a corrected retry may use the key."""
    session.execute(delete(IdempotencyRow).where(*_claimed(key_id, idempotency_key, claim)))
    session.commit()
