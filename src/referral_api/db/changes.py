"""The change feed and the directory's revision."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlmodel import col

from referral_api.db.tables import (
    ChangeEventRow,
    DirectoryStateRow,
)
from referral_api.domain.changes import ChangeEvent
from referral_api.domain.clock import utc_now


def bump_revision(*, session: Session, new_generation: bool = False) -> int:
    """Count one more change to the directory; returns the new revision.

    The increment happens in the database (and locks the row until commit), so that two
    writers, on one instance or two, never publish the same revision for different states.
    A bulk load starts a new generation: the change feed does not say what it changed.
    """
    now = utc_now()
    values: dict[str, Any] = {"revision": DirectoryStateRow.revision + 1, "changed_at": now}
    if new_generation:
        values["generation"] = uuid.uuid4().hex
    bumped = session.execute(
        update(DirectoryStateRow)
        .where(col(DirectoryStateRow.id) == 1)
        .values(**values)
        .returning(col(DirectoryStateRow.revision))
    ).scalar_one_or_none()
    if bumped is not None:
        return int(bumped)
    session.add(DirectoryStateRow(id=1, revision=1, changed_at=now, generation=uuid.uuid4().hex))
    session.flush()
    return 1


def current_revision(*, session: Session) -> int:
    """The directory's revision; 0 before anything was loaded."""
    row = session.get(DirectoryStateRow, 1)
    return 0 if row is None else row.revision


class DirectoryState(NamedTuple):
    """Which state of its history the directory is in."""

    generation: str | None  # of the bulk load the history of writes starts from
    revision: int
    changed_at: datetime | None
    last_sequence: int  # of the change feed: 0 before any write
    last_event_at: datetime | None


def directory_state(*, session: Session) -> DirectoryState:
    """The directory's state now: revision first, then the change feed (a write landing
    in between is then seen as newer by the next refresh, and applied again)."""
    row = session.get(DirectoryStateRow, 1)
    last = session.execute(
        select(col(ChangeEventRow.sequence), col(ChangeEventRow.at))
        .order_by(col(ChangeEventRow.sequence).desc())
        .limit(1)
    ).first()
    sequence, at = (0, None) if last is None else (last[0] or 0, last[1])
    if row is None:
        return DirectoryState(None, 0, None, sequence, at)
    return DirectoryState(row.generation, row.revision, row.changed_at, sequence, at)


def event_moment(*, session: Session, sequence: int) -> datetime | None:
    """When the change event `sequence` was made, if there is one."""
    return session.scalar(
        select(col(ChangeEventRow.at)).where(col(ChangeEventRow.sequence) == sequence)
    )


def _event(row: ChangeEventRow) -> ChangeEvent:
    assert row.sequence is not None
    return ChangeEvent(
        row.sequence,
        row.at,
        row.action,
        row.provider_id,
        row.organization_id,
        row.actor_key_id,
        row.actor_organization_id,
        row.request_id,
        row.revision,
        row.before,
        row.after,
    )


def append_event(
    *,
    session: Session,
    action: str,
    provider_id: uuid.UUID,
    organization_id: str,
    revision: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    actor_key_id: str | None,
    actor_organization_id: str | None,
    request_id: str | None,
) -> None:
    """Record an accepted write, in the same transaction as the write."""
    session.add(
        ChangeEventRow(
            at=utc_now(),
            action=action,
            provider_id=provider_id,
            organization_id=organization_id,
            revision=revision,
            before=before,
            after=after,
            actor_key_id=actor_key_id,
            actor_organization_id=actor_organization_id,
            request_id=request_id,
        )
    )


def events_after(*, session: Session, after: int, limit: int) -> list[ChangeEvent]:
    """Events with a sequence above `after`, in order."""
    statement = (
        select(ChangeEventRow)
        .where(col(ChangeEventRow.sequence) > after)
        .order_by(col(ChangeEventRow.sequence))
        .limit(limit)
    )
    return [_event(row) for row in session.scalars(statement)]


def events_of(*, session: Session, provider_id: uuid.UUID) -> list[ChangeEvent]:
    """A provider's events, oldest first."""
    statement = (
        select(ChangeEventRow)
        .where(col(ChangeEventRow.provider_id) == provider_id)
        .order_by(col(ChangeEventRow.sequence))
    )
    return [_event(row) for row in session.scalars(statement)]
