"""Reads and writes of organizations, and the audit trail of organizations and keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from referral_api.db import providers
from referral_api.db.repository import utc_now
from referral_api.db.tables import AdminEventRow, ApiKeyRow, OrganizationRow
from referral_api.domain.model import Organization


def get_organization(*, session: Session, organization_id: str) -> Organization | None:
    """The organization with that id, or None."""
    row = session.get(OrganizationRow, organization_id)
    # One translation of a row for both modules (db/providers.py holds organizations' rows).
    return None if row is None else providers._organization(row)


@dataclass(frozen=True, slots=True)
class AdminEvent:
    """One accepted change to an organization or a key."""

    sequence: int
    at: datetime
    action: str
    organization_id: str
    key_id: str | None
    via: str
    actor_key_id: str | None
    actor_organization_id: str | None
    request_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def append_admin_event(
    *,
    session: Session,
    action: str,
    organization_id: str,
    via: str,
    actor_key_id: str | None,
    actor_organization_id: str | None,
    request_id: str | None,
    key_id: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Record one accepted change, in the writer's transaction."""
    session.add(
        AdminEventRow(
            at=utc_now(),
            action=action,
            organization_id=organization_id,
            key_id=key_id,
            via=via,
            actor_key_id=actor_key_id,
            actor_organization_id=actor_organization_id,
            request_id=request_id,
            before=before,
            after=after,
        )
    )


def admin_events(*, session: Session, after: int, limit: int) -> list[AdminEvent]:
    """Up to `limit` events after sequence `after`, oldest first."""
    statement = (
        select(AdminEventRow)
        .where(col(AdminEventRow.sequence) > after)
        .order_by(col(AdminEventRow.sequence))
        .limit(limit)
    )
    return [
        AdminEvent(
            sequence=row.sequence or 0,
            at=row.at,
            action=row.action,
            organization_id=row.organization_id,
            key_id=row.key_id,
            via=row.via,
            actor_key_id=row.actor_key_id,
            actor_organization_id=row.actor_organization_id,
            request_id=row.request_id,
            before=row.before,
            after=row.after,
        )
        for row in session.scalars(statement)
    ]


def last_admin_sequence(*, session: Session) -> int:
    """The sequence of the newest admin event; 0 when there is none."""
    return int(session.scalar(select(func.max(col(AdminEventRow.sequence)))) or 0)


def key_organization(*, session: Session, key_id: str) -> str | None:
    """The organization a key belongs to, or None for no such key."""
    row = session.get(ApiKeyRow, key_id)
    return None if row is None else row.organization_id
